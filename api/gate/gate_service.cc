#include "api/gate/gate_service.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "api/config/policy_loader.h"
#include "api/gate/gate_api.pb.h"
#include "api/message_codec.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/events/event_codec.h"
#include "ledger/identity/permissions.h"
#include "proof/receipt.h"
#include "proof/utf8.h"

namespace vellum {
namespace api {
namespace {

using ledger::policy::ApprovalAsk;
using ledger::policy::ApprovalVote;
using ledger::policy::Gate;
using ledger::policy::GateRequest;

constexpr absl::string_view kApprovalsPrefix = "/v1/approvals/";
constexpr absl::string_view kDecisionsSuffix = "/decisions";
constexpr size_t kMaxListed = 1000;

bool IsJson(const HttpRequest& request) {
  return MediaType(request.Header("content-type")) == "application/json";
}

// A JSON body as message M: unknown keys and wrong types are refused. The parser's own message
// may quote the body (which may hold personal data), so it is not passed on.
template <typename M>
absl::StatusOr<M> ParseBody(const HttpRequest& request, absl::string_view want) {
  if (!IsJson(request)) {
    return absl::InvalidArgumentError("content type must be application/json");
  }
  if (!IsValidUtf8(request.body)) return absl::InvalidArgumentError("body: not valid UTF-8");
  M message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(request.body, &message, options).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("body: want a JSON object with ", want));
  }
  return message;
}

absl::StatusOr<GateRequest> RequestOf(absl::string_view action, const std::string& model,
                                      const std::string& version, const std::string& digest,
                                      const std::string& environment) {
  absl::optional<ledger::Action> parsed = ledger::ParseActionName(action);
  if (!parsed.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("action: got \"", absl::CHexEscape(action.substr(0, 64)),
                     "\", want deploy or promote"));
  }
  GateRequest request;
  request.action = *parsed;
  request.model = model;
  request.version = version;
  request.digest = digest;
  request.environment = environment;
  if (absl::Status s = ledger::policy::CheckGateRequest(request); !s.ok()) return s;
  return request;
}

Gate::Caller CallerOf(const HttpRequest& request) {
  Gate::Caller caller;
  if (request.caller != nullptr) {
    caller.principal = request.caller->name;
    caller.authenticated_by = request.caller->authenticated_by;
    caller.groups = request.caller->groups;
  }
  return caller;
}

const char* StateName(Gate::State state) {
  switch (state) {
    case Gate::State::kApproved: return "approved";
    case Gate::State::kRejected: return "rejected";
    case Gate::State::kPending: break;
  }
  return "pending";
}

void FillTarget(const ApprovalAsk& ask, DeployTarget* target) {
  target->set_action(ledger::ActionName(ask.action));
  target->set_model(ask.model);
  target->set_version(ask.version);
  target->set_digest(ask.digest);
  target->set_environment(ask.environment);
}

void FillDecision(const ApprovalVote& vote, ApprovalDecisionInfo* info) {
  info->set_index(vote.index);
  info->set_decision(vote.approve ? "approve" : "reject");
  info->set_decider(vote.decider);
  for (const std::string& g : vote.groups) info->add_approver_groups(g);
}

PolicyInfo InfoOf(const Gate::PolicyInForce& in_force) {
  PolicyInfo info;
  if (in_force.policy == nullptr) return info;
  info.set_sha256(crypto::Sha256Hex(in_force.policy->sha256()));
  info.set_index(in_force.index);
  info.set_applied(in_force.applied);
  info.set_canonical_text(in_force.policy->canonical_text());
  info.set_rules(static_cast<uint32_t>(in_force.policy->rules().size()));
  return info;
}

}  // namespace

GateService::GateService(Gate* gate, ledger::Sequencer* sequencer, const ledger::LogReader* log,
                         HttpServer::Handler next, Options options)
    : gate_(gate),
      sequencer_(sequencer),
      next_(std::move(next)),
      options_(std::move(options)),
      receipts_(log, ledger::ProverOptions{options_.tile_cache, nullptr}, 1),
      queue_(options_.threads, options_.max_queued) {}

void GateService::Handle(HttpRequest request, HttpServer::Respond respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path != "/v1/policy" && path != "/v1/approvals" && path != "/v1/gate/check" &&
      path != "/v1/admission" && !absl::StartsWith(path, kApprovalsPrefix)) {
    return next_(std::move(request), std::move(respond));
  }
  absl::Status queued = queue_.Post(
      [this, request = std::move(request), respond] { Serve(request, respond); });
  if (!queued.ok()) respond(ErrorResponse(queued));
}

void GateService::Serve(const HttpRequest& request, const HttpServer::Respond& respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path == "/v1/policy") {
    if (request.method == "PUT") return PutPolicy(request, respond);
    if (request.method == "GET") return respond(GetPolicy(request));
    return respond(MethodNotAllowedResponse(request.method, "GET, PUT"));
  }
  if (path == "/v1/gate/check") {
    if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
    return PostCheck(request, respond);
  }
  if (path == "/v1/admission") {
    if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
    return PostAdmission(request, respond);
  }
  if (path == "/v1/approvals") {
    if (request.method == "POST") return PostApproval(request, respond);
    if (request.method == "GET") return respond(ListApprovals(request));
    return respond(MethodNotAllowedResponse(request.method, "GET, POST"));
  }
  absl::string_view rest = path.substr(kApprovalsPrefix.size());
  if (!absl::ConsumeSuffix(&rest, kDecisionsSuffix) || rest.empty() ||
      absl::StrContains(rest, '/')) {
    return respond(ErrorResponse(404, "no such endpoint: want /v1/approvals/<id>/decisions"));
  }
  if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
  PostDecision(request, rest, respond);
}

void GateService::Prove(uint64_t index, std::function<void(absl::StatusOr<Proved>)> done) {
  std::shared_ptr<const ledger::LogHead> head = sequencer_->Head();
  const uint64_t size = head->size;
  if (size <= index) {
    return done(absl::InternalError(absl::StrCat("the latest checkpoint (size ", size,
                                                 ") does not cover entry ", index)));
  }
  receipts_.Prove(index, std::move(head),
                  [size, done = std::move(done)](absl::StatusOr<Receipt> receipt) {
                    if (!receipt.ok()) return done(receipt.status());
                    done(Proved{FormatReceipt(*receipt), size});
                  });
}

void GateService::PutPolicy(const HttpRequest& request, const HttpServer::Respond& respond) {
  if (request.body.size() > config::kMaxPolicyBytes) {
    return respond(ErrorResponse(413, absl::StrCat("the policy has ", request.body.size(),
                                                   " bytes, want at most ",
                                                   config::kMaxPolicyBytes)));
  }
  absl::StatusOr<ledger::policy::DeployPolicy> policy = config::ParsePolicy(request.body);
  if (!policy.ok()) return respond(ErrorResponse(policy.status()));
  absl::StatusOr<Gate::PolicyInForce> in_force =
      gate_->Apply(*std::move(policy), "api", CallerOf(request));
  if (!in_force.ok()) return respond(ErrorResponse(in_force.status()));
  PolicyInfo info = InfoOf(*in_force);
  if (!in_force->applied) return respond(EncodeMessage(request, info));
  const bool protobuf = WantsProtobuf(request);
  Prove(in_force->index, [info, protobuf, respond](absl::StatusOr<Proved> proved) mutable {
    if (!proved.ok()) return respond(ErrorResponse(proved.status()));
    info.set_receipt(std::move(proved->receipt));
    respond(EncodeMessage(protobuf, info));
  });
}

HttpResponse GateService::GetPolicy(const HttpRequest& request) const {
  Gate::PolicyInForce in_force = gate_->Policy();
  if (in_force.policy == nullptr) return ErrorResponse(503, "the gate has no policy in force yet");
  in_force.applied = false;
  return EncodeMessage(request, InfoOf(in_force));
}

void GateService::PostApproval(const HttpRequest& request, const HttpServer::Respond& respond) {
  absl::StatusOr<DeployTarget> body =
      ParseBody<DeployTarget>(request, "action, model, version, digest and environment");
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  absl::StatusOr<GateRequest> what = RequestOf(body->action(), body->model(), body->version(),
                                               body->digest(), body->environment());
  if (!what.ok()) return respond(ErrorResponse(what.status()));
  if (absl::Status s = options_.check_scope(request, ledger::identity::kApprovalsRequest,
                                            {what->model, what->environment});
      !s.ok()) {
    return respond(ErrorResponse(s));
  }
  absl::StatusOr<ApprovalAsk> ask = gate_->RequestApproval(*what, CallerOf(request));
  if (!ask.ok()) return respond(ErrorResponse(ask.status()));
  ApprovalInfo info;
  info.set_id(ask->id);
  info.set_index(ask->index);
  FillTarget(*ask, info.mutable_target());
  info.set_requester(ask->requester);
  info.set_state("pending");
  const bool protobuf = WantsProtobuf(request);
  Prove(ask->index, [info, protobuf, respond](absl::StatusOr<Proved> proved) mutable {
    if (!proved.ok()) return respond(ErrorResponse(proved.status()));
    info.set_receipt(std::move(proved->receipt));
    respond(EncodeMessage(protobuf, info));
  });
}

void GateService::PostDecision(const HttpRequest& request, absl::string_view id,
                               const HttpServer::Respond& respond) {
  absl::StatusOr<ApprovalDecisionRequest> body =
      ParseBody<ApprovalDecisionRequest>(request, "decision (approve or reject) and comment");
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  if (body->decision() != "approve" && body->decision() != "reject") {
    return respond(ErrorResponse(
        400, absl::StrCat("decision: got \"", absl::CHexEscape(body->decision().substr(0, 64)),
                          "\", want approve or reject")));
  }
  absl::optional<ApprovalAsk> ask = gate_->FindRequest(id);
  if (!ask.has_value()) return respond(ErrorResponse(404, "no approval request has this id"));
  if (absl::Status s = options_.check_scope(request, ledger::identity::kApprovalsDecide,
                                            {ask->model, ask->environment});
      !s.ok()) {
    return respond(ErrorResponse(s));
  }
  absl::StatusOr<ApprovalVote> vote = gate_->DecideApproval(
      id, body->decision() == "approve", body->comment(), CallerOf(request));
  if (!vote.ok()) return respond(ErrorResponse(vote.status()));
  ApprovalDecisionInfo info;
  FillDecision(*vote, &info);
  const bool protobuf = WantsProtobuf(request);
  Prove(vote->index, [info, protobuf, respond](absl::StatusOr<Proved> proved) mutable {
    if (!proved.ok()) return respond(ErrorResponse(proved.status()));
    info.set_receipt(std::move(proved->receipt));
    respond(EncodeMessage(protobuf, info));
  });
}

HttpResponse GateService::ListApprovals(const HttpRequest& request) const {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(SplitTarget(request.target).second);
  if (!params.ok()) return ErrorResponse(params.status());
  if (absl::Status s = params->CheckAllowed({"state", "limit"}); !s.ok()) return ErrorResponse(s);
  absl::optional<Gate::State> state;
  if (absl::optional<std::string> typed = params->Get("state")) {
    if (*typed == "pending") {
      state = Gate::State::kPending;
    } else if (*typed == "approved") {
      state = Gate::State::kApproved;
    } else if (*typed == "rejected") {
      state = Gate::State::kRejected;
    } else {
      return ErrorResponse(400, "state: want pending, approved or rejected");
    }
  }
  size_t limit = 100;
  if (absl::optional<std::string> typed = params->Get("limit")) {
    if (!absl::SimpleAtoi(*typed, &limit) || limit == 0 || limit > kMaxListed) {
      return ErrorResponse(400, absl::StrCat("limit: want 1 to ", kMaxListed));
    }
  }
  ApprovalList list;
  for (const Gate::ApprovalStatus& status : gate_->Approvals(state, limit)) {
    ApprovalInfo* info = list.add_approvals();
    info->set_id(status.request.id);
    info->set_index(status.request.index);
    FillTarget(status.request, info->mutable_target());
    info->set_requester(status.request.requester);
    info->set_state(StateName(status.state));
    for (const ApprovalVote& vote : status.votes) FillDecision(vote, info->add_decisions());
  }
  return EncodeMessage(request, list);
}

void GateService::PostCheck(const HttpRequest& request, const HttpServer::Respond& respond) {
  absl::StatusOr<GateCheckRequest> body = ParseBody<GateCheckRequest>(
      request,
      "action, model, version, digest, environment, labels, on_behalf_of, request_id, override "
      "and override_reason");
  if (!body.ok()) return respond(ErrorResponse(body.status()));
  absl::StatusOr<GateRequest> what = RequestOf(body->action(), body->model(), body->version(),
                                               body->digest(), body->environment());
  if (!what.ok()) return respond(ErrorResponse(what.status()));
  const ledger::identity::Scope scope{what->model, what->environment};
  if (absl::Status s = options_.check_scope(request, ledger::identity::kGateCheck, scope);
      !s.ok()) {
    return respond(ErrorResponse(s));
  }
  if (body->override()) {
    if (absl::Status s = options_.check_scope(request, ledger::identity::kGateOverride, scope);
        !s.ok()) {
      return respond(ErrorResponse(s));
    }
  }
  if (!body->on_behalf_of().empty()) {
    if (absl::Status s = options_.check_scope(request, ledger::identity::kGateActFor, scope);
        !s.ok()) {
      return respond(ErrorResponse(s));
    }
  }
  Gate::Check check;
  check.request = *std::move(what);
  check.request.labels.insert(body->labels().begin(), body->labels().end());
  check.on_behalf_of = body->on_behalf_of();
  check.request_id = body->request_id();
  check.override = body->override();
  check.override_reason = body->override_reason();
  check.via = "api";
  const bool protobuf = WantsProtobuf(request);
  gate_->Decide(
      std::move(check), CallerOf(request),
      [this, protobuf, respond](absl::StatusOr<Gate::Checked> checked) {
        if (!checked.ok()) return respond(ErrorResponse(checked.status()));
        GateCheckResponse answer;
        answer.set_allowed(checked->decision.allowed);
        answer.set_rule(checked->decision.rule);
        for (const std::string& r : checked->decision.reasons) answer.add_reasons(r);
        answer.set_policy_sha256(crypto::Sha256Hex(checked->policy_sha256));
        for (uint64_t a : checked->decision.approvals) answer.add_approvals(a);
        answer.set_index(checked->index);
        answer.set_horizon(checked->horizon);
        answer.set_evaluated_time(absl::FormatTime(absl::RFC3339_full, checked->evaluated,
                                                   absl::UTCTimeZone()));
        answer.set_override(checked->override);
        answer.set_duplicate(checked->duplicate);
        // The receipt's proof is made off the sequencer's thread, which runs this callback.
        Prove(checked->index, [answer, protobuf,
                               respond](absl::StatusOr<Proved> proved) mutable {
          if (!proved.ok()) return respond(ErrorResponse(proved.status()));
          answer.set_receipt(std::move(proved->receipt));
          answer.set_tree_size(proved->tree_size);
          respond(EncodeMessage(protobuf, answer));
        });
      });
}

void GateService::PostAdmission(const HttpRequest& request, const HttpServer::Respond& respond) {
  if (options_.admission.namespaces.empty()) {
    return respond(ErrorResponse(
        404, "admission is not configured: the configuration's gate.admission names no namespace"));
  }
  if (!IsJson(request)) return respond(ErrorResponse(415, "content type must be application/json"));
  absl::StatusOr<AdmissionRequest> review = ParseAdmissionReview(request.body, options_.admission);
  if (!review.ok()) {
    // A review whose call can be named is denied, so that even failurePolicy: Ignore admits
    // nothing the gate could not read.
    if (absl::optional<std::string> uid = AdmissionReviewUid(request.body)) {
      HttpResponse response;
      response.status = 200;
      response.content_type = "application/json";
      response.body = AdmissionReviewAnswer(
          *uid, false, 400, absl::StrCat("vellum gate: ", review.status().message()),
          {{"decision", "none"}});
      return respond(std::move(response));
    }
    return respond(ErrorResponse(review.status()));
  }
  auto answer = [respond, uid = review->uid](bool allowed, int code, absl::string_view message,
                                             const std::map<std::string, std::string>& notes) {
    HttpResponse response;
    response.status = 200;
    response.content_type = "application/json";
    response.body = AdmissionReviewAnswer(uid, allowed, code, message, notes);
    respond(std::move(response));
  };
  AdmissionPlan plan = PlanAdmission(options_.admission, *review);
  if (plan.kind == AdmissionPlan::Kind::kAllow) {
    return answer(true, 200, "", {{"decision", "none"}, {"reason", plan.message}});
  }
  if (plan.kind == AdmissionPlan::Kind::kDeny) {
    return answer(false, 403, plan.message, {{"decision", "none"}});
  }
  const GateRequest& what = plan.check.request;
  for (const char* permission : {ledger::identity::kGateCheck, ledger::identity::kGateActFor}) {
    if (permission == ledger::identity::kGateActFor && plan.check.on_behalf_of.empty()) continue;
    if (absl::Status s = options_.check_scope(request, permission, {what.model, what.environment});
        !s.ok()) {
      return answer(false, 403, absl::StrCat("vellum gate: ", s.message()),
                    {{"decision", "none"}});
    }
  }
  const std::string subject =
      absl::StrCat("deploy of ", what.model, " version ", what.version, " to ", what.environment);
  gate_->Decide(
      std::move(plan.check), CallerOf(request),
      [answer, subject](absl::StatusOr<Gate::Checked> checked) {
        if (!checked.ok()) {
          return answer(false, HttpStatusFor(checked.status()),
                        absl::StrCat("vellum gate: ", checked.status().message()),
                        {{"decision", "none"}});
        }
        std::map<std::string, std::string> notes = {
            {"policy-sha256", crypto::Sha256Hex(checked->policy_sha256)}, {"rule", checked->decision.rule}};
        notes["decision"] =
            checked->recorded ? absl::StrCat(checked->index) : std::string("dry-run");
        if (checked->decision.allowed) return answer(true, 200, "", notes);
        std::string where = checked->recorded
                                ? absl::StrCat("; decision at index ", checked->index)
                                : std::string("; dry run, not recorded");
        answer(false, 403,
               absl::StrCat("vellum gate denied the ", subject, ": ",
                            absl::StrJoin(checked->decision.reasons, "; "), where),
               notes);
      });
}

}  // namespace api
}  // namespace vellum
