#include "api/witness_service.h"

#include <iostream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "proof/add_checkpoint.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/verify.h"

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

// The 409 answer: the size of the latest cosigned checkpoint (c2sp.org/tlog-witness).
HttpResponse Conflict(uint64_t stored_size) {
  return Text(409, absl::StrCat(stored_size, "\n"), "text/x.tlog.size");
}

}  // namespace

absl::StatusOr<std::unique_ptr<WitnessService>> WitnessService::Create(
    ledger::WitnessStore* store, std::unique_ptr<NoteSigner> cosigner, std::vector<Log> logs,
    std::function<uint64_t()> now) {
  if (cosigner == nullptr || cosigner->type() != kNoteSignatureTypeCosignatureV1) {
    return absl::InvalidArgumentError(
        "the witness key must be a cosigner key (type 0x04; vellum keygen --cosigner)");
  }
  absl::flat_hash_map<std::string, int> seen;
  for (const Log& log : logs) {
    if (log.keys.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("log ", log.origin, " has no key"));
    }
    if (!seen.emplace(log.origin, 0).second) {
      return absl::InvalidArgumentError(absl::StrCat("log ", log.origin, " is listed twice"));
    }
    for (const auto& key : log.keys) {
      if (key->type() != kNoteSignatureTypeEd25519) {
        return absl::InvalidArgumentError(absl::StrCat(
            "log ", log.origin, ": key ", key->name(), " is not a log key (type 0x01)"));
      }
    }
  }
  return std::unique_ptr<WitnessService>(
      new WitnessService(store, std::move(cosigner), std::move(logs), std::move(now)));
}

WitnessService::WitnessService(ledger::WitnessStore* store, std::unique_ptr<NoteSigner> cosigner,
                               std::vector<Log> logs, std::function<uint64_t()> now)
    : store_(store), cosigner_(std::move(cosigner)), logs_(std::move(logs)), now_(std::move(now)) {
  for (const Log& log : logs_) by_origin_[log.origin] = &log;
}

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
  // The origin decides which keys apply, so read it before verifying anything.
  absl::string_view origin = absl::string_view(submission->checkpoint).substr(
      0, submission->checkpoint.find('\n'));
  auto log = by_origin_.find(origin);
  if (log == by_origin_.end()) return ErrorResponse(404, "unknown log origin");
  std::vector<const NoteVerifier*> keys;
  for (const auto& key : log->second->keys) keys.push_back(key.get());
  absl::StatusOr<Note> note = OpenNote(submission->checkpoint, keys);
  if (absl::IsUnauthenticated(note.status())) {
    return ErrorResponse(403, note.status().message());
  }
  if (!note.ok()) return ErrorResponse(400, note.status().message());
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(note->text);
  if (!checkpoint.ok()) return ErrorResponse(400, checkpoint.status().message());
  if (submission->old_size > checkpoint->size) {
    return ErrorResponse(400, absl::StrFormat("old size %d is greater than the checkpoint size %d",
                                              submission->old_size, checkpoint->size));
  }

  // The decision runs under the store's lock; it leaves its answer here when it refuses.
  absl::optional<HttpResponse> refusal;
  // Set when the refused checkpoint may show a log signing another tree than the stored one.
  bool suspect = false;
  absl::optional<NoteSignature> cosignature;
  auto decide = [&](const absl::optional<std::string>& current) -> absl::StatusOr<std::string> {
    uint64_t stored_size = 0;
    Hash stored_root = EmptyRoot();
    if (current.has_value()) {
      absl::StatusOr<Note> stored = OpenNote(*current, keys);
      absl::StatusOr<Checkpoint> latest =
          stored.ok() ? ParseCheckpoint(stored->text) : stored.status();
      if (!latest.ok()) {
        return absl::DataLossError(absl::StrCat("the stored checkpoint of ", origin,
                                                " does not verify: ", latest.status().message()));
      }
      stored_size = latest->size;
      stored_root = latest->root;
    }
    if (submission->old_size != stored_size) {
      refusal = Conflict(stored_size);
      return absl::AbortedError("old size differs from the stored size");
    }
    if (checkpoint->size == stored_size && checkpoint->root != stored_root) {
      refusal = Conflict(stored_size);
      suspect = true;
      return absl::AbortedError("same size, different root");
    }
    absl::Status consistent = VerifyConsistency(stored_size, checkpoint->size, submission->proof,
                                                stored_root, checkpoint->root);
    if (!consistent.ok()) {
      suspect = true;
      refusal = ErrorResponse(422, absl::StrCat("consistency proof from size ", stored_size,
                                                " does not verify: ", consistent.message()));
      return absl::AbortedError("invalid proof");
    }
    absl::StatusOr<NoteSignature> sig = cosigner_->Cosign(note->text, now_());
    if (!sig.ok()) return sig.status();
    cosignature = *sig;
    std::string record = absl::StrCat(note->text, "\n");
    for (const NoteSignature& s : note->verified) record += NoteSignatureLine(s);
    record += NoteSignatureLine(*sig);
    return record;
  };
  absl::StatusOr<std::string> recorded = store_->Update(origin, decide);
  if (refusal.has_value()) {
    if (!suspect) return *std::move(refusal);
    // A signed checkpoint that disagrees with the cosigned one may be evidence of a misbehaving
    // log: keep a trace. (Other refusals, such as a stale old size, are the protocol's normal
    // flow and anyone can replay them, so they are not logged.)
    std::cerr << "witness: refused " << origin << " size " << checkpoint->size << " (old "
              << submission->old_size << "): HTTP " << refusal->status << " "
              << refusal->body;
    if (refusal->body.empty() || refusal->body.back() != '\n') std::cerr << "\n";
    return *std::move(refusal);
  }
  if (!recorded.ok()) return ErrorResponse(recorded.status());
  return Text(200, NoteSignatureLine(*cosignature), "text/plain; charset=utf-8");
}

HttpResponse WitnessService::GetCheckpoint(absl::string_view query) const {
  absl::StatusOr<QueryParams> params = QueryParams::Parse(query);
  if (!params.ok()) return ErrorResponse(params.status());
  if (absl::Status s = params->CheckAllowed({"origin"}); !s.ok()) return ErrorResponse(s);
  absl::optional<std::string> origin = params->Get("origin");
  if (!origin.has_value()) return ErrorResponse(400, "missing parameter origin");
  if (by_origin_.find(*origin) == by_origin_.end()) {
    return ErrorResponse(404, "unknown log origin");
  }
  absl::StatusOr<absl::optional<std::string>> latest = store_->Latest(*origin);
  if (!latest.ok()) return ErrorResponse(latest.status());
  if (!latest->has_value()) return ErrorResponse(404, "no checkpoint cosigned for this origin yet");
  HttpResponse response = Text(200, **std::move(latest), "text/plain; charset=utf-8");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace api
}  // namespace vellum
