#ifndef VELLUM_LEDGER_EVENTS_EVENT_FIELDS_H_
#define VELLUM_LEDGER_EVENTS_EVENT_FIELDS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "google/protobuf/timestamp.pb.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_index.h"

namespace vellum {
namespace ledger {

// The fields the event index (ledger::EventIndex) records of log entry `index`: those of the
// AuditEvent it encodes (DecodeLogEntry with the log's `typed_from`), or nullopt for an entry that
// is not an event. The EventFieldsFn of vellumd and `vellum reindex`. Thread-safe.
absl::optional<EventFields> EventFieldsOf(uint64_t typed_from, uint64_t index,
                                          absl::string_view entry);

// Who acted and who handed the event over, as the index and the search's filters compare them:
// the subject and the provenance principal, or, where one is sealed (docs/privacy.md), its
// pseudonym.
absl::string_view IndexedActor(const AuditEvent& event);
absl::string_view IndexedPrincipal(const AuditEvent& event);

// `time` in microseconds since the Unix epoch, rounded down. Requires a valid timestamp (years
// 1..9999, as ValidateEvent checks).
int64_t TimestampMicros(const google::protobuf::Timestamp& time);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_EVENT_FIELDS_H_
