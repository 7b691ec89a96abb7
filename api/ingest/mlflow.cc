#include "api/ingest/mlflow.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/ingest/internal/adapter_support.h"
#include "api/ingest/internal/json_reader.h"
#include "proof/base64.h"
#include "proof/decimal.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr size_t kMaxTags = 32;
constexpr absl::string_view kSignatureHeader = "X-MLflow-Signature";

struct Mapping {
  absl::string_view entity;
  absl::string_view action;
  ledger::Action event_action;
};

// MLflow's webhook events (entity.action) and the canonical action of each.
constexpr Mapping kMappings[] = {
    {"registered_model", "created", ledger::ACTION_REGISTER},
    {"model_version", "created", ledger::ACTION_CREATE_VERSION},
    {"model_version_tag", "set", ledger::ACTION_UPDATE_METADATA},
    {"model_version_tag", "deleted", ledger::ACTION_UPDATE_METADATA},
    {"model_version_alias", "created", ledger::ACTION_PROMOTE},
    {"model_version_alias", "deleted", ledger::ACTION_DEMOTE},
};

class MlflowAdapter : public Adapter {
 public:
  explicit MlflowAdapter(MlflowConfig config) : config_(std::move(config)) {}

  absl::string_view name() const override { return kMlflowAdapter; }
  bool verifies_signature() const override { return true; }

  absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                        absl::Time received) const override {
    absl::StatusOr<std::string> delivery_id = Authenticate(request, received);
    if (!delivery_id.ok()) return Prefixed(kMlflowAdapter, delivery_id.status());

    absl::StatusOr<JsonReader> body = JsonReader::Parse(request.body, kMaxBodyBytes, "body");
    if (!body.ok()) return Prefixed(kMlflowAdapter, body.status());
    const std::string entity = body->RequiredString({"entity"});
    const std::string action = body->RequiredString({"action"});
    const std::string time = body->RequiredString({"timestamp"});
    ledger::AuditEvent event = NewEvent(kMlflowAdapter, *delivery_id, request.body);
    event.mutable_observer()->set_source_system(config_.source_system);
    event.mutable_target()->set_model_name(body->RequiredString({"data", "name"}));
    event.mutable_target()->set_model_version(body->String({"data", "version"}));
    event.mutable_target()->set_stage(body->String({"data", "alias"}));
    SetLabel(&event, "mlflow.run_id", body->String({"data", "run_id"}));
    SetLabel(&event, "mlflow.source", body->String({"data", "source"}));
    for (const auto& tag : body->StringMap({"data", "tags"}, kMaxTags)) {
      SetLabel(&event, absl::StrCat("mlflow.tag.", tag.first), tag.second);
    }
    const std::string tag_key = body->String({"data", "key"});
    if (!tag_key.empty()) {
      (*event.mutable_context()->mutable_labels())[absl::StrCat("mlflow.tag.", tag_key)] =
          body->String({"data", "value"});
    }
    if (!body->status().ok()) return Prefixed(kMlflowAdapter, body->status());

    absl::StatusOr<google::protobuf::Timestamp> event_time = ParseTime(time, "member timestamp");
    if (!event_time.ok()) return Prefixed(kMlflowAdapter, event_time.status());
    *event.mutable_event_time() = *event_time;
    const Mapping* mapping = nullptr;
    for (const Mapping& m : kMappings) {
      if (m.entity == entity && m.action == action) mapping = &m;
    }
    if (mapping == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          kMlflowAdapter, ": got event ", entity.substr(0, 64), ".", action.substr(0, 64),
          ", want registered_model.created, model_version.created, model_version_tag.set|deleted"
          " or model_version_alias.created|deleted"));
    }
    event.set_action(mapping->event_action);
    event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
    std::vector<ledger::AuditEvent> events;
    events.push_back(std::move(event));
    return Validated(kMlflowAdapter, std::move(events));
  }

 private:
  // Checks the signature and the timestamp; returns the delivery id.
  absl::StatusOr<std::string> Authenticate(const HttpRequest& request, absl::Time received) const {
    absl::StatusOr<std::string> signature = Header(request, "x-mlflow-signature");
    absl::StatusOr<std::string> delivery_id = Header(request, "x-mlflow-delivery-id");
    absl::StatusOr<std::string> timestamp = Header(request, "x-mlflow-timestamp");
    for (const auto* header : {&signature, &delivery_id, &timestamp}) {
      if (!header->ok()) return absl::UnauthenticatedError(header->status().message());
    }
    if (signature->empty()) return absl::UnauthenticatedError("missing X-MLflow-Signature header");
    if (delivery_id->empty()) {
      return absl::UnauthenticatedError("missing X-MLflow-Delivery-Id header");
    }
    if (timestamp->empty()) return absl::UnauthenticatedError("missing X-MLflow-Timestamp header");
    if (!absl::StartsWith(*signature, "v1,")) {
      return absl::UnauthenticatedError("X-MLflow-Signature: want the form v1,<base64>");
    }
    absl::StatusOr<std::string> mac = Base64DecodeStrict(absl::string_view(*signature).substr(3));
    if (!mac.ok()) {
      return absl::UnauthenticatedError("X-MLflow-Signature: the MAC is not standard base64");
    }
    absl::Status status = CheckHmacSha256(
        config_.secrets, absl::StrCat(*delivery_id, ".", *timestamp, ".", request.body), *mac,
        kSignatureHeader);
    if (!status.ok()) return status;
    absl::StatusOr<uint64_t> seconds = ParseDecimal(*timestamp, "X-MLflow-Timestamp");
    if (!seconds.ok() || *seconds > static_cast<uint64_t>(INT32_MAX) * 4) {
      return absl::UnauthenticatedError("X-MLflow-Timestamp: want Unix seconds in decimal");
    }
    const absl::Duration skew = absl::FromUnixSeconds(static_cast<int64_t>(*seconds)) - received;
    if (absl::AbsDuration(skew) > config_.max_clock_skew) {
      return absl::UnauthenticatedError(absl::StrCat(
          "X-MLflow-Timestamp ", *seconds, " is ", absl::FormatDuration(skew),
          " from the receive time, want at most ", absl::FormatDuration(config_.max_clock_skew)));
    }
    return *delivery_id;
  }

  const MlflowConfig config_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Adapter>> NewMlflowAdapter(MlflowConfig config) {
  if (absl::Status status = CheckWebhookSecrets(kMlflowAdapter, config.secrets); !status.ok()) {
    return status;
  }
  if (config.max_clock_skew < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("mlflow: max_clock_skew is negative, want >= 0");
  }
  return std::unique_ptr<Adapter>(new MlflowAdapter(std::move(config)));
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
