#ifndef VELLUM_LEDGER_EVENTS_EVENT_FIELDS_H_
#define VELLUM_LEDGER_EVENTS_EVENT_FIELDS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_index.h"

namespace vellum {
namespace ledger {

// The pseudonym the server's sealed store gives an identity that an entry holds in clear
// (ledger::Custodian::PseudonymOf), creating the identity's key if it has none. Entries written
// before sealing, or by rules that keep the actor in clear, name actors and principals in clear;
// a server with a sealed store indexes and matches them on pseudonyms, so that the index holds no
// identity in clear and one search by pseudonym finds the old events and the new. Fails only when
// the store does. Must be thread-safe.
using PseudonymFn = std::function<absl::StatusOr<std::string>(absl::string_view identity)>;

// The fields the event index (ledger::EventIndex) records of `event`: who acted and who handed
// the event over are the actor's and the provenance principal's pseudonyms where they are sealed
// (docs/privacy.md); where they are in clear, their pseudonyms through `pseudonym_of` or, when it
// is empty, the identities themselves.
absl::StatusOr<EventFields> FieldsOfEvent(const AuditEvent& event,
                                          const PseudonymFn& pseudonym_of);

// The EventFieldsFn of a log: the fields of the AuditEvent that log entry `index` encodes
// (DecodeLogEntry with the log's `typed_from`), or nullopt for an entry that is not an event.
// With an empty `pseudonym_of`, identities in clear stay in clear (a log without a sealed
// store: `vellum bench`, tests). Thread-safe if `pseudonym_of` is.
EventFieldsFn EventFieldsOn(PseudonymFn pseudonym_of);

// `time` in microseconds since the Unix epoch, rounded down. Requires a valid timestamp (years
// 1..9999, as ValidateEvent checks).
int64_t TimestampMicros(const google::protobuf::Timestamp& time);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_EVENT_FIELDS_H_
