#include "api/ingest/sagemaker.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/ingest/internal/adapter_support.h"
#include "api/ingest/internal/json_reader.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr size_t kMaxBodyBytes = 256 << 10;
constexpr size_t kMaxContainers = 16;

ledger::Action ActionForApproval(absl::string_view status) {
  if (status == "Approved") return ledger::ACTION_APPROVE;
  if (status == "Rejected") return ledger::ACTION_REJECT;
  if (status == "PendingManualApproval") return ledger::ACTION_REQUEST_APPROVAL;
  return ledger::ACTION_UNSPECIFIED;
}

class SageMakerAdapter : public Adapter {
 public:
  absl::string_view name() const override { return kSageMakerAdapter; }
  bool verifies_signature() const override { return false; }

  absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                        absl::Time) const override {
    absl::StatusOr<JsonReader> body = JsonReader::Parse(request.body, kMaxBodyBytes, "body");
    if (!body.ok()) return Prefixed(kSageMakerAdapter, body.status());
    const std::string source = body->String({"source"});
    const std::string detail_type = body->String({"detail-type"});
    if (source != "aws.sagemaker" || detail_type != "SageMaker Model Package State Change") {
      return absl::InvalidArgumentError(absl::StrCat(
          "sagemaker: got source \"", source.substr(0, 64), "\" detail-type \"",
          detail_type.substr(0, 64),
          "\", want aws.sagemaker and SageMaker Model Package State Change"));
    }
    const std::string account = body->RequiredString({"account"});
    const std::string region = body->RequiredString({"region"});
    const std::string approval = body->RequiredString({"detail", "ModelApprovalStatus"});
    const std::string time = body->RequiredString({"time"});
    ledger::AuditEvent event =
        NewEvent(kSageMakerAdapter, body->RequiredString({"id"}), request.body);
    event.mutable_observer()->set_source_system(absl::StrCat("aws:", account, ":", region));
    ledger::Target* target = event.mutable_target();
    target->set_model_name(body->RequiredString({"detail", "ModelPackageGroupName"}));
    target->set_model_version(body->String({"detail", "ModelPackageVersion"}));
    target->set_namespace_(account);
    target->set_environment(region);
    std::vector<JsonReader> containers =
        body->Objects({"detail", "InferenceSpecification", "Containers"}, kMaxContainers);
    if (!containers.empty()) target->set_model_digest(containers.front().String({"ImageDigest"}));
    SetLabel(&event, "aws.arn", body->String({"detail", "ModelPackageArn"}));
    SetLabel(&event, "sagemaker.package_status", body->String({"detail", "ModelPackageStatus"}));
    if (!body->status().ok()) return Prefixed(kSageMakerAdapter, body->status());

    const ledger::Action action = ActionForApproval(approval);
    if (action == ledger::ACTION_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "sagemaker: got ModelApprovalStatus ", approval.substr(0, 64),
          ", want Approved, Rejected or PendingManualApproval"));
    }
    event.set_action(action);
    event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
    absl::StatusOr<google::protobuf::Timestamp> event_time = ParseTime(time, "member time");
    if (!event_time.ok()) return Prefixed(kSageMakerAdapter, event_time.status());
    *event.mutable_event_time() = *event_time;
    std::vector<ledger::AuditEvent> events;
    events.push_back(std::move(event));
    return Validated(kSageMakerAdapter, std::move(events));
  }
};

}  // namespace

std::unique_ptr<Adapter> NewSageMakerAdapter() { return std::make_unique<SageMakerAdapter>(); }

}  // namespace ingest
}  // namespace api
}  // namespace vellum
