#include "ledger/witness/witness.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/witness/leveldb_witness_store.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
absl::StatusOr<std::unique_ptr<Witness>> Witness::Create(WitnessStore* store,
                                                         std::unique_ptr<NoteSigner> cosigner,
                                                         std::vector<Log> logs,
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
  return std::unique_ptr<Witness>(
      new Witness(store, std::move(cosigner), std::move(logs), std::move(now)));
}

absl::StatusOr<std::unique_ptr<Witness>> Witness::Open(absl::string_view dir,
                                                       std::unique_ptr<NoteSigner> cosigner,
                                                       std::vector<Log> logs,
                                                       std::function<uint64_t()> now) {
  absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> store = LevelDbWitnessStore::Open(dir);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::unique_ptr<Witness>> witness =
      Create(store->get(), std::move(cosigner), std::move(logs), std::move(now));
  if (!witness.ok()) return witness.status();
  (*witness)->owned_store_ = *std::move(store);
  return witness;
}

Witness::Witness(WitnessStore* store, std::unique_ptr<NoteSigner> cosigner, std::vector<Log> logs,
                 std::function<uint64_t()> now)
    : store_(store), cosigner_(std::move(cosigner)), logs_(std::move(logs)), now_(std::move(now)) {
  for (const Log& log : logs_) by_origin_[log.origin] = &log;
}

absl::StatusOr<AddCheckpointResult> Witness::AddCheckpoint(const AddCheckpointRequest& request) {
  AddCheckpointResult result;
  auto refuse = [&result](WitnessRefusal refusal, absl::string_view message) {
    result.refusal = refusal;
    result.message = std::string(message);
  };
  // The origin decides which keys apply, so read it before verifying anything.
  absl::string_view origin =
      absl::string_view(request.checkpoint).substr(0, request.checkpoint.find('\n'));
  result.origin = std::string(origin);
  auto log = by_origin_.find(origin);
  if (log == by_origin_.end()) {
    refuse(WitnessRefusal::kUnknownOrigin, "unknown log origin");
    return result;
  }
  std::vector<const NoteVerifier*> keys;
  for (const auto& key : log->second->keys) keys.push_back(key.get());
  absl::StatusOr<Note> note = OpenNote(request.checkpoint, keys);
  if (absl::IsUnauthenticated(note.status())) {
    refuse(WitnessRefusal::kNoKnownSignature, note.status().message());
    return result;
  }
  if (!note.ok()) {
    refuse(WitnessRefusal::kMalformed, note.status().message());
    return result;
  }
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(note->text);
  if (!checkpoint.ok()) {
    refuse(WitnessRefusal::kMalformed, checkpoint.status().message());
    return result;
  }
  result.size = checkpoint->size;
  if (request.old_size > checkpoint->size) {
    refuse(WitnessRefusal::kOldSizeTooLarge,
           absl::StrFormat("old size %d is greater than the checkpoint size %d", request.old_size,
                           checkpoint->size));
    return result;
  }

  // The decision runs under the store's lock; it leaves its refusal in `result` and returns
  // Aborted so that the store records nothing.
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
    if (request.old_size != stored_size) {
      result.stored_size = stored_size;
      refuse(WitnessRefusal::kStoredSizeDiffers,
             absl::StrFormat("old size %d differs from the stored size %d", request.old_size,
                             stored_size));
      return absl::AbortedError(result.message);
    }
    if (checkpoint->size == stored_size && checkpoint->root != stored_root) {
      result.stored_size = stored_size;
      result.evidence = true;
      refuse(WitnessRefusal::kStoredSizeDiffers,
             absl::StrFormat("the checkpoint of size %d has another root than the stored one",
                             checkpoint->size));
      return absl::AbortedError(result.message);
    }
    absl::Status consistent = VerifyConsistency(stored_size, checkpoint->size, request.proof,
                                                stored_root, checkpoint->root);
    if (!consistent.ok()) {
      result.evidence = true;
      refuse(WitnessRefusal::kBadConsistencyProof,
             absl::StrCat("consistency proof from size ", stored_size, " does not verify: ",
                          consistent.message()));
      return absl::AbortedError(result.message);
    }
    absl::StatusOr<NoteSignature> cosignature = cosigner_->Cosign(note->text, now_());
    if (!cosignature.ok()) return cosignature.status();
    result.cosignature = *cosignature;
    std::string record = absl::StrCat(note->text, "\n");
    for (const NoteSignature& s : note->verified) record += NoteSignatureLine(s);
    record += NoteSignatureLine(*cosignature);
    return record;
  };
  absl::StatusOr<std::string> recorded = store_->Update(origin, decide);
  if (result.refusal.has_value()) return result;
  if (!recorded.ok()) return recorded.status();
  return result;
}

absl::StatusOr<std::string> Witness::Latest(absl::string_view origin) const {
  if (by_origin_.find(origin) == by_origin_.end()) {
    return absl::NotFoundError("unknown log origin");
  }
  absl::StatusOr<absl::optional<std::string>> latest = store_->Latest(origin);
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) {
    return absl::NotFoundError("no checkpoint cosigned for this origin yet");
  }
  return **std::move(latest);
}

}  // namespace ledger
}  // namespace vellum
