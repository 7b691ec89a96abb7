#include "api/witness_service.h"

#include <iostream>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/metrics/metrics.h"
#include "proof/add_checkpoint.h"
#include "proof/decimal.h"
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

constexpr absl::string_view kEvidencePath = "/evidence";

// What the stderr line says about the evidence kept of a refusal, or "" for a repeat.
std::string EvidenceNote(const ledger::WitnessStore::EvidenceAdded& kept) {
  switch (kept.outcome) {
    case ledger::WitnessStore::EvidenceOutcome::kStored:
      return absl::StrCat("kept as ", kEvidencePath, "/", kept.index);
    case ledger::WitnessStore::EvidenceOutcome::kRepeated:
      return "";
    case ledger::WitnessStore::EvidenceOutcome::kDropped:
      return "not kept: the evidence records are full";
  }
  return "";
}

}  // namespace

WitnessService::WitnessService(std::unique_ptr<ledger::Witness> witness)
    : witness_(std::move(witness)) {}

HttpResponse WitnessService::Handle(const HttpRequest& request) {
  auto [path, query] = SplitTarget(request.target);
  if (path == "/add-checkpoint") {
    if (request.method != "POST") return MethodNotAllowedResponse(request.method, "POST");
    HttpResponse response = AddCheckpoint(request);
    absl::MutexLock lock(&mu_);
    ++answers_[response.status];
    return response;
  }
  if (path == "/v1/witness/checkpoint") {
    if (request.method != "GET") return MethodNotAllowedResponse(request.method, "GET");
    return GetCheckpoint(query);
  }
  if (path == kEvidencePath || absl::StartsWith(path, absl::StrCat(kEvidencePath, "/"))) {
    if (request.method != "GET") return MethodNotAllowedResponse(request.method, "GET");
    if (path == kEvidencePath) return ListEvidence();
    return GetEvidence(path.substr(kEvidencePath.size() + 1));
  }
  if (path == "/metrics") {
    if (request.method != "GET") return MethodNotAllowedResponse(request.method, "GET");
    return GetMetrics();
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
  HttpResponse response;
  if (!result.ok()) {
    response = ErrorResponse(result.status());
  } else if (!result->refusal.has_value()) {
    response = Text(200, NoteSignatureLine(result->cosignature), "text/plain; charset=utf-8");
  } else {
    response = RefusalResponse(*result);
  }
  std::string note = result.ok() && result->evidence ? EvidenceNote(result->evidence_kept) : "";
  if (!note.empty()) {
    // A signed checkpoint that disagrees with the cosigned one may be evidence of a misbehaving
    // log; the witness kept it (ledger::Witness::AddCheckpoint). Other refusals, such as a
    // stale old size, are the protocol's normal flow and anyone can replay them, so they are
    // not logged, and neither is the same evidence again.
    std::string body = response.body;
    if (!body.empty() && body.back() == '\n') body.pop_back();
    std::cerr << "witness: refused " << result->origin << " size " << result->size << " (old "
              << submission->old_size << "): HTTP " << response.status << " " << body << "; "
              << note << "\n";
  }
  return response;
}

HttpResponse WitnessService::ListEvidence() const {
  absl::StatusOr<ledger::WitnessStore::EvidenceCounts> counts = witness_->CountEvidence();
  if (!counts.ok()) return ErrorResponse(counts.status());
  std::string body = absl::StrCat("{\"stored\":\"", counts->stored, "\",\"dropped\":\"",
                                  counts->dropped, "\",\"limit\":\"",
                                  ledger::kMaxWitnessEvidenceRecords, "\",\"records\":[");
  for (uint64_t i = 0; i < counts->stored; ++i) {
    absl::StrAppend(&body, i == 0 ? "" : ",", "\"", kEvidencePath, "/", i, "\"");
  }
  body += "]}\n";
  HttpResponse response = Text(200, std::move(body), "application/json");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse WitnessService::GetEvidence(absl::string_view index) const {
  absl::StatusOr<uint64_t> n = ParseDecimal(index, "evidence record number");
  if (!n.ok()) return ErrorResponse(n.status());
  absl::StatusOr<std::string> record = witness_->Evidence(*n);
  if (!record.ok()) return ErrorResponse(record.status());
  return Text(200, *std::move(record), "text/plain; charset=utf-8");
}

HttpResponse WitnessService::GetMetrics() const {
  std::string out;
  ledger::RenderMetricHeader("vellum_witness_add_checkpoint_answers_total", "counter",
                             "Answers to POST /add-checkpoint, by HTTP status.", &out);
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [status, count] : answers_) {
      ledger::RenderLabeledSample("vellum_witness_add_checkpoint_answers_total", "status",
                                  absl::StrCat(status), count, &out);
    }
  }
  absl::StatusOr<ledger::WitnessStore::EvidenceCounts> counts = witness_->CountEvidence();
  if (!counts.ok()) return ErrorResponse(counts.status());
  ledger::RenderMetric("vellum_witness_evidence_records", "gauge",
                       "Evidence records kept (GET /evidence).", counts->stored, &out);
  ledger::RenderMetric("vellum_witness_evidence_dropped_total", "counter",
                       "Evidence not kept because the records were full.", counts->dropped,
                       &out);
  return Text(200, std::move(out), "text/plain; version=0.0.4");
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
