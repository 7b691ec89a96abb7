#ifndef VELLUM_API_EVENTS_EVENT_QUERY_H_
#define VELLUM_API_EVENTS_EVENT_QUERY_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "api/audit_event.pb.h"
#include "ledger/event_index.h"

namespace vellum {
namespace api {

inline constexpr size_t kDefaultEventSearchLimit = 100;
inline constexpr size_t kMaxEventSearchLimit = 1000;

// A parsed GET /v1/events request.
struct EventSearchRequest {
  // The filters, the order and the limit; begin and end are left open.
  ledger::EventQuery query;
  // The cursor of page_token: with newest first, the next page holds indices below it; with
  // oldest first, indices from it on.
  absl::optional<uint64_t> cursor;
  // Whether each result carries an inclusion proof.
  bool proof = false;
};

// Parses the query string of GET /v1/events (docs/api.md), strictly: the parameters actor,
// model, version (needs model), action (an Action name such as ACTION_DEPLOY), outcome (a
// result name such as RESULT_DENIED), since and until (RFC 3339, since before until), limit
// (1..1000, default 100), page_token (from a previous answer), order (newest, the default, or
// oldest) and proof (0 or 1), each at most once, with the rules of QueryParams. Strings are
// non-empty, valid UTF-8 and at most 1,024 bytes. Fails with InvalidArgument naming the
// parameter; safe on untrusted input.
absl::StatusOr<EventSearchRequest> ParseEventSearch(absl::string_view query);

// Restricts `request.query` to the leaves [0, tree_size) and to the page its cursor names.
ledger::EventQuery PageQuery(const EventSearchRequest& request, uint64_t tree_size);

// The page_token of the page after the one that ended with index `last`.
std::string NextPageToken(const EventSearchRequest& request, uint64_t last);

// Whether `event` satisfies every filter of `query` (not its index range). The index narrows the
// candidates; this check on the decoded event is exact.
bool EventMatchesQuery(const AuditEvent& event, const ledger::EventQuery& query);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_EVENTS_EVENT_QUERY_H_
