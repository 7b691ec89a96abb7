#include "api/privacy/privacy_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/message_codec.h"
#include "api/privacy/privacy_api.pb.h"
#include "ledger/privacy/erasure_request.h"
#include "ledger/privacy/hold_scope.h"
#include "ledger/privacy/retention.h"
#include "proof/decimal.h"

namespace vellum {
namespace api {
namespace {

using Requester = ledger::Custodian::Requester;

constexpr absl::string_view kHoldPrefix = "/v1/holds/";
constexpr size_t kMaxHoldIdBytes = 64;

absl::optional<HttpResponse> CheckJson(const HttpRequest& request) {
  if (MediaType(request.Header("content-type")) != "application/json") {
    return ErrorResponse(415, "content type must be application/json");
  }
  return absl::nullopt;
}

}  // namespace

PrivacyService::PrivacyService(ledger::Custodian* custodian, HttpServer::Handler next,
                               Options options)
    : custodian_(custodian), next_(std::move(next)), queue_(1, options.max_queued) {}

void PrivacyService::Handle(HttpRequest request, HttpServer::Respond respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path != "/v1/erasure" && path != "/v1/holds" && path != "/v1/retention" &&
      path != "/v1/prune" && !absl::StartsWith(path, kHoldPrefix)) {
    return next_(std::move(request), std::move(respond));
  }
  absl::Status queued = queue_.Post(
      [this, request = std::move(request), respond] { Serve(request, respond); });
  if (!queued.ok()) respond(ErrorResponse(queued));
}

void PrivacyService::Serve(const HttpRequest& request, const HttpServer::Respond& respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path == "/v1/erasure") {
    if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
    return respond(PostErasure(request));
  }
  if (path == "/v1/prune") {
    if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
    return respond(PostPrune(request));
  }
  if (path == "/v1/retention") {
    if (request.method == "POST") return respond(PostRetention(request));
    if (request.method == "GET") return respond(EncodeMessage(request, custodian_->Retention()));
    return respond(MethodNotAllowedResponse(request.method, "GET, POST"));
  }
  if (path == "/v1/holds") {
    if (request.method == "POST") return respond(PostHold(request));
    if (request.method == "GET") return respond(ListHolds(request));
    return respond(MethodNotAllowedResponse(request.method, "GET, POST"));
  }
  if (request.method != "DELETE") {
    return respond(MethodNotAllowedResponse(request.method, "DELETE"));
  }
  respond(ReleaseHold(request, path.substr(kHoldPrefix.size())));
}

HttpResponse PrivacyService::PostErasure(const HttpRequest& request) {
  if (auto refused = CheckJson(request)) return *std::move(refused);
  absl::StatusOr<ledger::ErasureRequest> parsed = ledger::ParseErasureRequest(request.body);
  if (!parsed.ok()) return ErrorResponse(parsed.status());
  absl::StatusOr<ledger::Custodian::ErasureResult> done = custodian_->Erase(
      std::vector<std::string>(parsed->subject().begin(), parsed->subject().end()),
      std::vector<std::string>(parsed->pseudonym().begin(), parsed->pseudonym().end()),
      Requester::Of(request.caller.get()));
  if (!done.ok()) return ErrorResponse(done.status());
  ErasureResponse answer;
  answer.set_request_id(done->request_id);
  answer.set_requested_index(done->requested_index);
  answer.set_completed_index(done->completed_index);
  for (const std::string& p : done->pseudonyms) answer.add_pseudonyms(p);
  answer.set_values(done->values);
  answer.set_events(done->events);
  for (const std::string& h : done->held_by) answer.add_held_by(h);
  if (done->held_by.empty()) return EncodeMessage(request, answer);
  answer.set_error(absl::StrCat("data under legal hold was kept (holds ",
                                absl::StrJoin(done->held_by, ", "),
                                "); the rest was erased"));
  HttpResponse response = EncodeMessage(request, answer);
  response.status = 409;
  return response;
}

HttpResponse PrivacyService::PostHold(const HttpRequest& request) {
  if (auto refused = CheckJson(request)) return *std::move(refused);
  absl::StatusOr<ledger::Hold> hold = ledger::ParseHoldRequest(request.body);
  if (!hold.ok()) return ErrorResponse(hold.status());
  absl::StatusOr<ledger::Hold> placed =
      custodian_->PlaceHold(*std::move(hold), Requester::Of(request.caller.get()));
  if (!placed.ok()) return ErrorResponse(placed.status());
  return EncodeMessage(request, *placed);
}

HttpResponse PrivacyService::PostRetention(const HttpRequest& request) {
  if (auto refused = CheckJson(request)) return *std::move(refused);
  absl::StatusOr<ledger::RetentionRules> rules = ledger::ParseRetentionRequest(request.body);
  if (!rules.ok()) return ErrorResponse(rules.status());
  if (absl::Status s =
          custodian_->ChangeRetention(*std::move(rules), Requester::Of(request.caller.get()));
      !s.ok()) {
    return ErrorResponse(s);
  }
  return EncodeMessage(request, custodian_->Retention());
}

HttpResponse PrivacyService::PostPrune(const HttpRequest& request) {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(SplitTarget(request.target).second);
  if (!params.ok()) return ErrorResponse(params.status());
  if (absl::Status s = params->CheckAllowed({"below"}); !s.ok()) return ErrorResponse(s);
  const absl::optional<std::string> below = params->Get("below");
  if (!below.has_value()) return ErrorResponse(400, "query parameter \"below\" is required");
  absl::StatusOr<uint64_t> n = ParseDecimal(*below, "below");
  if (!n.ok()) return ErrorResponse(n.status());
  absl::StatusOr<ledger::Custodian::Pruned> pruned =
      custodian_->Prune(*n, Requester::Of(request.caller.get()));
  if (!pruned.ok()) {
    // A prefix that may not go yet is a conflict with the state of the log, not a bad request.
    if (absl::IsFailedPrecondition(pruned.status())) {
      return ErrorResponse(409, pruned.status().message());
    }
    return ErrorResponse(pruned.status());
  }
  PruneResponse answer;
  answer.set_minimum_index(pruned->minimum_index);
  answer.set_pruned_index(pruned->pruned_index);
  for (uint64_t index : pruned->restated) answer.add_restated(index);
  return EncodeMessage(request, answer);
}

HttpResponse PrivacyService::ListHolds(const HttpRequest& request) {
  HoldList answer;
  for (ledger::Hold& hold : custodian_->Holds()) *answer.add_holds() = std::move(hold);
  return EncodeMessage(request, answer);
}

HttpResponse PrivacyService::ReleaseHold(const HttpRequest& request, absl::string_view id) {
  if (id.empty() || id.size() > kMaxHoldIdBytes) {
    return ErrorResponse(404, "no hold has this id");
  }
  if (absl::Status s = custodian_->ReleaseHold(id, Requester::Of(request.caller.get())); !s.ok()) {
    return ErrorResponse(s);
  }
  HoldReleased answer;
  answer.set_id(std::string(id));
  return EncodeMessage(request, answer);
}

}  // namespace api
}  // namespace vellum
