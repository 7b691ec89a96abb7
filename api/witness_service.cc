#include "api/witness_service.h"

#include <iostream>
#include <string>
#include <utility>

#include "proof/add_checkpoint.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace {

HttpResponse Text(int status, std::string body, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

// The answer to a refusal, with the status code c2sp.org/tlog-witness gives it.
HttpResponse RefusalResponse(const ledger::AddCheckpointResult& result) {
  switch (*result.refusal) {
    case ledger::WitnessRefusal::kMalformed:
    case ledger::WitnessRefusal::kOldSizeTooLarge:
      return ErrorResponse(400, result.message);
    case ledger::WitnessRefusal::kUnknownOrigin:
      return ErrorResponse(404, result.message);
    case ledger::WitnessRefusal::kNoKnownSignature:
      return ErrorResponse(403, result.message);
    case ledger::WitnessRefusal::kStoredSizeDiffers:
      // The body is the size of the latest cosigned checkpoint.
      return Text(409, FormatTlogSize(result.stored_size), "text/x.tlog.size");
    case ledger::WitnessRefusal::kBadConsistencyProof:
      return ErrorResponse(422, result.message);
  }
  return ErrorResponse(500, result.message);
}

}  // namespace

WitnessService::WitnessService(std::unique_ptr<ledger::Witness> witness)
    : witness_(std::move(witness)) {}

HttpResponse WitnessService::Handle(const HttpRequest& request) {
  auto [path, query] = SplitTarget(request.target);
  if (path == "/add-checkpoint") {
    if (request.method != "POST") return MethodNotAllowedResponse(request.method, "POST");
    return AddCheckpoint(request);
  }
  if (path == "/v1/witness/checkpoint") {
    if (request.method != "GET") return MethodNotAllowedResponse(request.method, "GET");
    return GetCheckpoint(query);
  }
  if (path == "/healthz") {
    if (request.method != "GET") return MethodNotAllowedResponse(request.method, "GET");
    return Text(200, "ok\n", "text/plain; charset=utf-8");
  }
  return ErrorResponse(404, "no such endpoint");
}

HttpResponse WitnessService::AddCheckpoint(const HttpRequest& request) {
  absl::StatusOr<AddCheckpointRequest> submission = ParseAddCheckpoint(request.body);
  if (!submission.ok()) return ErrorResponse(400, submission.status().message());
  absl::StatusOr<ledger::AddCheckpointResult> result = witness_->AddCheckpoint(*submission);
  if (!result.ok()) return ErrorResponse(result.status());
  if (!result->refusal.has_value()) {
    return Text(200, NoteSignatureLine(result->cosignature), "text/plain; charset=utf-8");
  }
  HttpResponse refusal = RefusalResponse(*result);
  if (result->evidence) {
    // A signed checkpoint that disagrees with the cosigned one may be evidence of a misbehaving
    // log: keep a trace. (Other refusals, such as a stale old size, are the protocol's normal
    // flow and anyone can replay them, so they are not logged.)
    std::cerr << "witness: refused " << result->origin << " size " << result->size << " (old "
              << submission->old_size << "): HTTP " << refusal.status << " " << refusal.body;
    if (refusal.body.empty() || refusal.body.back() != '\n') std::cerr << "\n";
  }
  return refusal;
}

HttpResponse WitnessService::GetCheckpoint(absl::string_view query) const {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(query);
  if (!params.ok()) return ErrorResponse(params.status());
  if (absl::Status s = params->CheckAllowed({"origin"}); !s.ok()) return ErrorResponse(s);
  absl::optional<std::string> origin = params->Get("origin");
  if (!origin.has_value()) return ErrorResponse(400, "missing parameter origin");
  absl::StatusOr<std::string> latest = witness_->Latest(*origin);
  if (!latest.ok()) return ErrorResponse(latest.status());
  HttpResponse response = Text(200, *std::move(latest), "text/plain; charset=utf-8");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace api
}  // namespace vellum
