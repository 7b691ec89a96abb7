#include "api/events/event_batch.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "api/events/events_api.pb.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace api {

absl::StatusOr<std::vector<ledger::AuditEvent>> ParseEventBatch(absl::string_view body,
                                                                bool json) {
  EventBatchRequest batch;
  if (json) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    if (!google::protobuf::util::JsonStringToMessage(std::string(body), &batch, options).ok()) {
      return absl::InvalidArgumentError(
          "event batch: not an EventBatchRequest in proto3 JSON ({\"events\": [...]})");
    }
  } else if (!batch.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::InvalidArgumentError("event batch: not a protobuf EventBatchRequest");
  }
  if (batch.events_size() == 0 || batch.events_size() > static_cast<int>(kMaxEventBatchEvents)) {
    return absl::InvalidArgumentError(absl::StrCat("event batch: got ", batch.events_size(),
                                                   " events, want 1 to ", kMaxEventBatchEvents));
  }
  if (!batch.GetReflection()->GetUnknownFields(batch).empty()) {
    return absl::InvalidArgumentError("event batch: has unknown fields, want none");
  }
  std::vector<ledger::AuditEvent> events;
  events.reserve(batch.events_size());
  for (int i = 0; i < batch.events_size(); ++i) {
    if (absl::Status valid = ledger::ValidateEvent(batch.events(i)); !valid.ok()) {
      return absl::Status(valid.code(), absl::StrCat("events[", i, "]: ", valid.message()));
    }
    events.push_back(std::move(*batch.mutable_events(i)));
  }
  return events;
}

}  // namespace api
}  // namespace vellum
