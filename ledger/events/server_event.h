#ifndef VELLUM_LEDGER_EVENTS_SERVER_EVENT_H_
#define VELLUM_LEDGER_EVENTS_SERVER_EVENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace ledger {

// The observer.adapter and id.source of the events the server writes itself
// (EventLog::AppendServerEvents); natively posted events may not use it.
inline constexpr absl::string_view kServerSource = "vellum";

// An event of the server's, for EventLog::AppendServerEvents: id.source kServerSource with a
// random source id (so that two events are never taken for one delivery), observer.adapter
// kServerSource, event_time `now`, and `action`. Thread-safe.
AuditEvent NewServerEvent(Action action, absl::Time now);

// NewServerEvent of something a principal asked for: outcome RESULT_SUCCESS and, unless
// `principal` is empty (nobody asked), the actor's subject and the label
// "vellum.authenticated_by". Thread-safe.
AuditEvent NewServerEventBy(Action action, absl::string_view principal,
                            absl::string_view authenticated_by, absl::Time now);

// 32 hex digits from 16 random bytes: the ids the server gives requests (erasures, approvals).
absl::StatusOr<std::string> NewRandomId();

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_SERVER_EVENT_H_
