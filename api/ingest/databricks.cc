#include "api/ingest/databricks.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/ingest/internal/adapter_support.h"
#include "api/ingest/internal/json_reader.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr absl::string_view kSignatureHeader = "X-Databricks-Signature";

// The registry's webhook events and the canonical action of each. Transitions to Archived or
// None are demotions whatever the event is called.
ledger::Action ActionFor(absl::string_view event) {
  if (event == "REGISTERED_MODEL_CREATED") return ledger::ACTION_REGISTER;
  if (event == "MODEL_VERSION_CREATED") return ledger::ACTION_CREATE_VERSION;
  if (event == "MODEL_VERSION_TAG_SET") return ledger::ACTION_UPDATE_METADATA;
  if (event == "MODEL_VERSION_TRANSITIONED_STAGE" ||
      absl::StartsWith(event, "MODEL_VERSION_TRANSITIONED_TO_")) {
    return ledger::ACTION_PROMOTE;
  }
  if (event == "TRANSITION_REQUEST_CREATED" ||
      (absl::StartsWith(event, "TRANSITION_REQUEST_TO_") && absl::EndsWith(event, "_CREATED"))) {
    return ledger::ACTION_REQUEST_APPROVAL;
  }
  return ledger::ACTION_UNSPECIFIED;
}

class DatabricksAdapter : public Adapter {
 public:
  explicit DatabricksAdapter(DatabricksConfig config) : config_(std::move(config)) {}

  absl::string_view name() const override { return kDatabricksAdapter; }
  bool verifies_signature() const override { return true; }

  absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                        absl::Time) const override {
    absl::Status status = Authenticate(request);
    if (!status.ok()) return Prefixed(kDatabricksAdapter, status);

    absl::StatusOr<JsonReader> body = JsonReader::Parse(request.body, kMaxBodyBytes, "body");
    if (!body.ok()) return Prefixed(kDatabricksAdapter, body.status());
    const std::string event_name = body->RequiredString({"event"});
    const std::string webhook_id = body->RequiredString({"webhook_id"});
    const absl::optional<int64_t> millis = body->Integer({"event_timestamp"});
    const std::string model = body->RequiredString({"model_name"});
    const std::string version = body->String({"version"});
    const std::string to_stage = body->String({"to_stage"});
    const std::string from_stage = body->String({"from_stage"});
    // Free text: the only place the actor appears, as the commenter wrote it; kept as evidence,
    // never parsed into the actor.
    const std::string text = body->TruncatedString({"text"}, ledger::kMaxEventStringBytes);
    if (!body->status().ok()) return Prefixed(kDatabricksAdapter, body->status());
    if (!millis.has_value()) {
      return absl::InvalidArgumentError(
          "databricks: member event_timestamp: missing, want Unix milliseconds");
    }
    ledger::Action action = ActionFor(event_name);
    if (action == ledger::ACTION_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "databricks: got event ", event_name.substr(0, 64),
          ", want REGISTERED_MODEL_CREATED, MODEL_VERSION_CREATED, MODEL_VERSION_TAG_SET, "
          "MODEL_VERSION_TRANSITIONED_* or TRANSITION_REQUEST_*CREATED"));
    }
    if (action == ledger::ACTION_PROMOTE && (to_stage == "Archived" || to_stage == "None")) {
      action = ledger::ACTION_DEMOTE;
    }

    ledger::AuditEvent event = NewEvent(
        kDatabricksAdapter,
        absl::StrJoin({webhook_id, event_name, model, version, absl::StrCat(*millis)}, "/"),
        request.body);
    event.mutable_observer()->set_source_system(config_.source_system);
    *event.mutable_event_time() = TimeFromUnixMillis(*millis);
    event.set_action(action);
    event.mutable_target()->set_model_name(model);
    event.mutable_target()->set_model_version(version);
    event.mutable_target()->set_stage(to_stage);
    event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
    SetLabel(&event, "databricks.event", event_name);
    SetLabel(&event, "databricks.from_stage", from_stage);
    SetLabel(&event, "databricks.text", text);
    std::vector<ledger::AuditEvent> events;
    events.push_back(std::move(event));
    return Validated(kDatabricksAdapter, std::move(events));
  }

 private:
  absl::Status Authenticate(const HttpRequest& request) const {
    absl::StatusOr<std::string> signature = Header(request, "x-databricks-signature");
    if (!signature.ok()) return absl::UnauthenticatedError(signature.status().message());
    if (signature->empty()) return absl::UnauthenticatedError("missing X-Databricks-Signature header");
    absl::StatusOr<std::string> mac = DecodeHexMac(*signature, kSignatureHeader);
    if (!mac.ok()) return mac.status();
    return CheckHmacSha256(config_.secrets, request.body, *mac, kSignatureHeader);
  }

  const DatabricksConfig config_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Adapter>> NewDatabricksAdapter(DatabricksConfig config) {
  if (absl::Status status = CheckWebhookSecrets(kDatabricksAdapter, config.secrets); !status.ok()) {
    return status;
  }
  return std::unique_ptr<Adapter>(new DatabricksAdapter(std::move(config)));
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
