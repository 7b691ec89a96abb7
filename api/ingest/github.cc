#include "api/ingest/github.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/ingest/internal/adapter_support.h"
#include "api/ingest/internal/json_reader.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr absl::string_view kSignatureHeader = "X-Hub-Signature-256";

ledger::Actor::Kind KindOf(absl::string_view github_type) {
  if (github_type == "User") return ledger::Actor::KIND_HUMAN;
  if (github_type == "Bot") return ledger::Actor::KIND_CI;
  return ledger::Actor::KIND_UNKNOWN;
}

// Sets the actor from a GitHub user object ({"login", "type"}), if it names one.
void SetActor(JsonReader user, ledger::AuditEvent* event) {
  const std::string subject = user.String({"login"});
  if (subject.empty()) return;
  event->mutable_actor()->set_subject(subject);
  event->mutable_actor()->set_kind(KindOf(user.String({"type"})));
  event->mutable_actor()->set_issuer("github.com");
}

// Deployment facts shared by deployment and deployment_status events: the model from the
// deployment's payload ({"model", "model_version", "model_digest"}), else the repository.
void SetDeployment(JsonReader& body, ledger::AuditEvent* event) {
  ledger::Target* target = event->mutable_target();
  target->set_model_name(body.String({"deployment", "payload", "model"}));
  target->set_model_version(body.String({"deployment", "payload", "model_version"}));
  target->set_model_digest(body.String({"deployment", "payload", "model_digest"}));
  target->set_environment(body.String({"deployment", "environment"}));
  SetLabel(event, "github.sha", body.String({"deployment", "sha"}));
  SetLabel(event, "github.ref", body.String({"deployment", "ref"}));
  SetLabel(event, "github.task", body.String({"deployment", "task"}));
  SetLabel(event, "github.deployment_id", body.String({"deployment", "id"}));
}

struct StatusMapping {
  absl::string_view state;
  ledger::Action action;
  ledger::Outcome::Result result;
};

constexpr StatusMapping kStatusMappings[] = {
    {"success", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_SUCCESS},
    {"failure", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_FAILURE},
    {"error", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_FAILURE},
    {"pending", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_PENDING},
    {"queued", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_PENDING},
    {"in_progress", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_PENDING},
    {"inactive", ledger::ACTION_UNDEPLOY, ledger::Outcome::RESULT_SUCCESS},
};

absl::Status MapDeployment(JsonReader& body, ledger::AuditEvent* event, std::string* source_id,
                           std::string* time) {
  *source_id = absl::StrCat("deployment/", body.RequiredString({"deployment", "id"}));
  *time = body.RequiredString({"deployment", "created_at"});
  SetDeployment(body, event);
  SetActor(body.Object({"deployment", "creator"}), event);
  event->set_action(ledger::ACTION_DEPLOY);
  event->mutable_outcome()->set_result(ledger::Outcome::RESULT_PENDING);
  return absl::OkStatus();
}

absl::Status MapDeploymentStatus(JsonReader& body, ledger::AuditEvent* event,
                                 std::string* source_id, std::string* time) {
  *source_id = absl::StrCat("deployment_status/", body.RequiredString({"deployment_status", "id"}));
  *time = body.RequiredString({"deployment_status", "created_at"});
  const std::string state = body.RequiredString({"deployment_status", "state"});
  SetDeployment(body, event);
  const std::string environment = body.String({"deployment_status", "environment"});
  if (!environment.empty()) event->mutable_target()->set_environment(environment);
  SetActor(body.Object({"deployment_status", "creator"}), event);
  SetLabel(event, "github.log_url", body.String({"deployment_status", "log_url"}));
  for (const StatusMapping& m : kStatusMappings) {
    if (m.state == state) {
      event->set_action(m.action);
      event->mutable_outcome()->set_result(m.result);
      if (m.result == ledger::Outcome::RESULT_FAILURE) {
        event->mutable_outcome()->set_reason(body.TruncatedString(
            {"deployment_status", "description"}, ledger::kMaxEventReasonBytes));
      }
      return absl::OkStatus();
    }
  }
  if (!body.status().ok()) return body.status();
  return absl::InvalidArgumentError(
      absl::StrCat("member deployment_status.state: got ", state.substr(0, 32),
                   ", want success, failure, error, pending, queued, in_progress or inactive"));
}

absl::Status MapDeploymentReview(JsonReader& body, ledger::AuditEvent* event,
                                 std::string* source_id, std::string* time) {
  const std::string action = body.RequiredString({"action"});
  const std::string environment = body.RequiredString({"workflow_job_run", "environment"});
  *source_id = absl::StrCat("deployment_review/", body.RequiredString({"workflow_run", "id"}), "/",
                            environment, "/", action);
  *time = body.RequiredString({"workflow_run", "updated_at"});
  event->mutable_target()->set_environment(environment);
  SetLabel(event, "github.workflow_run_id", body.String({"workflow_run", "id"}));
  SetLabel(event, "github.sha", body.String({"workflow_run", "head_sha"}));
  if (action == "approved" || action == "rejected") {
    event->set_action(action == "approved" ? ledger::ACTION_APPROVE : ledger::ACTION_REJECT);
    SetActor(body.Object({"approver"}), event);
    event->mutable_outcome()->set_reason(
        body.TruncatedString({"comment"}, ledger::kMaxEventReasonBytes));
  } else if (action == "requested") {
    event->set_action(ledger::ACTION_REQUEST_APPROVAL);
    SetActor(body.Object({"requestor"}), event);
  } else {
    if (!body.status().ok()) return body.status();
    return absl::InvalidArgumentError(absl::StrCat(
        "member action: got ", action.substr(0, 32), ", want approved, rejected or requested"));
  }
  event->mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
  return absl::OkStatus();
}

class GithubAdapter : public Adapter {
 public:
  explicit GithubAdapter(GithubConfig config) : config_(std::move(config)) {}

  absl::string_view name() const override { return kGithubAdapter; }
  bool verifies_signature() const override { return true; }

  absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                        absl::Time) const override {
    absl::Status status = Authenticate(request);
    if (!status.ok()) return Prefixed(kGithubAdapter, status);
    absl::StatusOr<std::string> event_type = Header(request, "x-github-event");
    if (!event_type.ok()) return Prefixed(kGithubAdapter, event_type.status());
    if (*event_type == "ping") return std::vector<ledger::AuditEvent>();

    using Mapper = absl::Status (*)(JsonReader&, ledger::AuditEvent*, std::string*, std::string*);
    Mapper mapper = nullptr;
    if (*event_type == "deployment") mapper = MapDeployment;
    if (*event_type == "deployment_status") mapper = MapDeploymentStatus;
    if (*event_type == "deployment_review") mapper = MapDeploymentReview;
    if (mapper == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "github: got X-GitHub-Event ", event_type->substr(0, 64),
          ", want deployment, deployment_status, deployment_review or ping"));
    }
    absl::StatusOr<JsonReader> body = JsonReader::Parse(request.body, kMaxBodyBytes, "body");
    if (!body.ok()) return Prefixed(kGithubAdapter, body.status());

    ledger::AuditEvent event;
    std::string source_id, time;
    status = mapper(*body, &event, &source_id, &time);
    const std::string repository = body->RequiredString({"repository", "full_name"});
    if (!body->status().ok()) return Prefixed(kGithubAdapter, body->status());
    if (!status.ok()) return Prefixed(kGithubAdapter, status);
    absl::StatusOr<google::protobuf::Timestamp> event_time = ParseTime(time, "event time");
    if (!event_time.ok()) return Prefixed(kGithubAdapter, event_time.status());

    if (*event_type == "deployment_review" &&
        (event.action() == ledger::ACTION_APPROVE || event.action() == ledger::ACTION_REJECT)) {
      MapReviewer(&event);
    }
    ledger::AuditEvent common = NewEvent(kGithubAdapter, source_id, request.body);
    common.mutable_observer()->set_source_system(absl::StrCat("github.com/", repository));
    *common.mutable_event_time() = *event_time;
    common.mutable_target()->set_namespace_(repository);
    if (event.target().model_name().empty()) common.mutable_target()->set_model_name(repository);
    event.MergeFrom(common);
    std::vector<ledger::AuditEvent> events;
    events.push_back(std::move(event));
    return Validated(kGithubAdapter, std::move(events));
  }

 private:
  // A known reviewer's principal and groups, from the configuration.
  void MapReviewer(ledger::AuditEvent* event) const {
    for (const auto& [login, reviewer] : config_.reviewers) {
      if (!absl::EqualsIgnoreCase(login, event->actor().subject())) continue;
      if (!reviewer.principal.empty()) event->mutable_actor()->set_subject(reviewer.principal);
      ledger::Approval* approval = event->mutable_approval();
      for (const std::string& group : reviewer.groups) approval->add_approver_groups(group);
      return;
    }
  }

  absl::Status Authenticate(const HttpRequest& request) const {
    absl::StatusOr<std::string> signature = Header(request, "x-hub-signature-256");
    if (!signature.ok()) return absl::UnauthenticatedError(signature.status().message());
    if (signature->empty()) return absl::UnauthenticatedError("missing X-Hub-Signature-256 header");
    if (!absl::StartsWith(*signature, "sha256=")) {
      return absl::UnauthenticatedError("X-Hub-Signature-256: want the form sha256=<hex>");
    }
    absl::StatusOr<std::string> mac =
        DecodeHexMac(absl::string_view(*signature).substr(7), kSignatureHeader);
    if (!mac.ok()) return mac.status();
    return CheckHmacSha256(config_.secrets, request.body, *mac, kSignatureHeader);
  }

  const GithubConfig config_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Adapter>> NewGithubAdapter(GithubConfig config) {
  if (absl::Status status = CheckWebhookSecrets(kGithubAdapter, config.secrets); !status.ok()) {
    return status;
  }
  return std::unique_ptr<Adapter>(new GithubAdapter(std::move(config)));
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
