#ifndef VELLUM_LEDGER_EVENTS_SERVER_EVENT_H_
#define VELLUM_LEDGER_EVENTS_SERVER_EVENT_H_

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

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_SERVER_EVENT_H_
