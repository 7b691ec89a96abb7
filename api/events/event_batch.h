#ifndef VELLUM_API_EVENTS_EVENT_BATCH_H_
#define VELLUM_API_EVENTS_EVENT_BATCH_H_

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace api {

// The most events one POST /v1/events:batch may hold (docs/api.md, "Events").
inline constexpr size_t kMaxEventBatchEvents = 1000;

// The events of a POST /v1/events:batch body: an EventBatchRequest (api/events/events_api.proto)
// as binary protobuf or, with `json`, proto3 JSON (`{"events": [...]}`). Each event is checked
// as POST /v1/events checks one (ledger::ValidateEvent). All or none: InvalidArgument naming the
// first bad event by its position ("events[3]: ...") and never a field's contents, for a body that
// does not parse, for no events, or for more than kMaxEventBatchEvents.
absl::StatusOr<std::vector<ledger::AuditEvent>> ParseEventBatch(absl::string_view body,
                                                                bool json);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_EVENTS_EVENT_BATCH_H_
