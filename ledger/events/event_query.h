#ifndef VELLUM_LEDGER_EVENTS_EVENT_QUERY_H_
#define VELLUM_LEDGER_EVENTS_EVENT_QUERY_H_

#include <cstdint>

#include "absl/types/optional.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_index.h"

namespace vellum {
namespace ledger {

// A search of the events, one page at a time (EventLog::Search).
struct EventSearchRequest {
  // The filters, the order and the limit; begin and end are left open.
  EventQuery query;
  // Where the page starts: with newest first, it holds indices below the cursor; with oldest
  // first, indices from it on. The first page has none.
  absl::optional<uint64_t> cursor;
  // Whether each result carries an inclusion proof.
  bool proof = false;
};

// Restricts `request.query` to the leaves [0, tree_size) and to the page its cursor names.
EventQuery PageQuery(const EventSearchRequest& request, uint64_t tree_size);

// The cursor of the page after the one that ended with index `last`.
uint64_t NextCursor(const EventSearchRequest& request, uint64_t last);

// Whether an event with these fields (EventIndex::FieldsOf) satisfies every filter of `query`
// (not its index range). The index narrows the candidates; this check on the entry the search
// reads is exact.
bool FieldsMatchQuery(const EventFields& fields, const EventQuery& query);

// FieldsMatchQuery on the fields of `event` with its identities as they are (FieldsOfEvent
// without a pseudonym function).
bool EventMatchesQuery(const AuditEvent& event, const EventQuery& query);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_EVENT_QUERY_H_
