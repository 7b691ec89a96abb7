#include "ledger/witness/witness.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ledger/witness/leveldb_witness_store.h"
#include "ledger/witness/witness_evidence.h"
#include "proof/checkpoint.h"
#include "proof/crypto.h"
#include "proof/hash.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
namespace {

std::string KeyId(absl::string_view name, uint32_t key_id) {
  return absl::StrFormat("%s+%08x", name, key_id);
}

// The keys of every signature line of signed note `note`, for an error message.
std::string SignersOf(absl::string_view note, absl::Span<const NoteVerifier* const> keys) {
  absl::StatusOr<Note> opened = OpenNote(note, keys);
  if (!opened.ok()) return std::string(opened.status().message());
  std::vector<std::string> signers;
  for (const auto* list : {&opened->verified, &opened->unverified}) {
    for (const NoteSignature& s : *list) signers.push_back(KeyId(s.name, s.key_id));
  }
  return absl::StrCat("signed by ", absl::StrJoin(signers, ", "));
}

}  // namespace

std::string WitnessKeyId(const NoteSigner& signer) {
  return KeyId(signer.name(), signer.key_id());
}

absl::Status Witness::CheckConfig(const NoteSigner* cosigner, const std::vector<Log>& logs) {
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
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Witness>> Witness::Create(WitnessStore* store,
                                                         std::unique_ptr<NoteSigner> cosigner,
                                                         std::vector<Log> logs,
                                                         std::function<uint64_t()> now) {
  if (absl::Status s = CheckConfig(cosigner.get(), logs); !s.ok()) return s;
  return CreateChecked(store, std::move(cosigner), std::move(logs), std::move(now));
}

absl::StatusOr<std::unique_ptr<Witness>> Witness::CreateChecked(
    WitnessStore* store, std::unique_ptr<NoteSigner> cosigner, std::vector<Log> logs,
    std::function<uint64_t()> now) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> own_key =
      NoteVerifier::Create(cosigner->VerifierKey());
  if (!own_key.ok()) return own_key.status();
  std::unique_ptr<Witness> witness(new Witness(store, std::move(cosigner), *std::move(own_key),
                                               std::move(logs), std::move(now)));
  if (absl::Status s = witness->BindState(); !s.ok()) return s;
  return witness;
}

absl::StatusOr<std::unique_ptr<Witness>> Witness::Open(absl::string_view dir,
                                                       std::unique_ptr<NoteSigner> cosigner,
                                                       std::vector<Log> logs,
                                                       std::function<uint64_t()> now,
                                                       bool init) {
  if (absl::Status s = CheckConfig(cosigner.get(), logs); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> store =
      LevelDbWitnessStore::Open(dir, /*create=*/init);
  if (!store.ok()) return store.status();
  if (init) {
    if (absl::Status s = (*store)->SetCosignerKey(WitnessKeyId(*cosigner)); !s.ok()) return s;
  }
  absl::StatusOr<std::unique_ptr<Witness>> witness =
      CreateChecked(store->get(), std::move(cosigner), std::move(logs), std::move(now));
  if (!witness.ok()) return witness.status();
  (*witness)->owned_store_ = *std::move(store);
  return witness;
}

Witness::Witness(WitnessStore* store, std::unique_ptr<NoteSigner> cosigner,
                 std::unique_ptr<NoteVerifier> own_key, std::vector<Log> logs,
                 std::function<uint64_t()> now)
    : store_(store),
      cosigner_(std::move(cosigner)),
      own_key_(std::move(own_key)),
      key_id_(WitnessKeyId(*cosigner_)),
      logs_(std::move(logs)),
      now_(std::move(now)) {
  for (const Log& log : logs_) by_origin_[log.origin] = &log;
}

absl::Status Witness::BindState() {
  absl::StatusOr<absl::optional<std::string>> bound = store_->CosignerKey();
  if (!bound.ok()) return bound.status();
  if (bound->has_value()) {
    if (**bound == key_id_) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "the witness state was made for cosigner key ", **bound, ", got key ", key_id_,
        ": start it with the key it was made with, or give this key its own state"));
  }
  // A state made before states recorded their key: adopt it only if what it holds was cosigned
  // with this key.
  const NoteVerifier* own[] = {own_key_.get()};
  for (const Log& log : logs_) {
    absl::StatusOr<absl::optional<std::string>> held = store_->Latest(log.origin);
    if (!held.ok()) return held.status();
    if (!held->has_value() || OpenNote(**held, own).ok()) continue;
    std::vector<const NoteVerifier*> keys = {own_key_.get()};
    for (const auto& key : log.keys) keys.push_back(key.get());
    return absl::FailedPreconditionError(absl::StrCat(
        "the witness state records no cosigner key, and its checkpoint of ", log.origin,
        " carries no valid cosignature of key ", key_id_, " (", SignersOf(**held, keys),
        "): start it with the key it was made with"));
  }
  if (absl::Status s = store_->SetCosignerKey(key_id_); !s.ok()) return s;
  adopted_ = true;
  return absl::OkStatus();
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

  // The stored checkpoint must carry the log's signature, and the witness's cosignature, if
  // present, must verify.
  std::vector<const NoteVerifier*> stored_keys = keys;
  stored_keys.push_back(own_key_.get());
  std::string held;  // The stored record, for evidence.
  // The decision runs under the store's lock; it leaves its refusal in `result` and returns
  // Aborted so that the store records nothing.
  auto decide = [&](const absl::optional<std::string>& current) -> absl::StatusOr<std::string> {
    uint64_t stored_size = 0;
    Hash stored_root = EmptyRoot();
    absl::optional<Note> stored_note;
    if (current.has_value()) {
      absl::StatusOr<Note> stored = OpenNote(*current, stored_keys);
      absl::StatusOr<Checkpoint> latest =
          stored.ok() ? ParseCheckpoint(stored->text) : stored.status();
      if (!latest.ok()) {
        return absl::DataLossError(absl::StrCat("the stored checkpoint of ", origin,
                                                " does not verify: ", latest.status().message()));
      }
      stored_size = latest->size;
      stored_root = latest->root;
      stored_note = *std::move(stored);
      held = *current;
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
      // At the stored size the roots are equal here: a bad proof then contradicts nothing.
      result.evidence = current.has_value() && checkpoint->size > stored_size;
      refuse(WitnessRefusal::kBadConsistencyProof,
             absl::StrCat("consistency proof from size ", stored_size, " does not verify: ",
                          consistent.message()));
      return absl::AbortedError(result.message);
    }
    if (stored_note.has_value() && stored_note->text == note->text) {
      // The checkpoint it holds: the cosignature it made then answers, with nothing to write.
      for (const NoteSignature& s : stored_note->verified) {
        if (s.name == own_key_->name() && s.key_id == own_key_->key_id()) {
          result.cosignature = s;
          return *current;
        }
      }
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
  if (result.refusal.has_value()) {
    if (result.evidence) {
      if (absl::Status s = KeepEvidence(request, held, note->text, &result); !s.ok()) return s;
    }
    return result;
  }
  if (!recorded.ok()) return recorded.status();
  return result;
}

absl::Status Witness::KeepEvidence(const AddCheckpointRequest& request, const std::string& held,
                                   absl::string_view text, AddCheckpointResult* result) {
  WitnessEvidence evidence;
  evidence.witness = key_id_;
  evidence.time = now_();
  evidence.reason = result->message;
  evidence.held = held;
  evidence.submitted = FormatAddCheckpoint(request.old_size, request.proof, request.checkpoint);
  // One record per held and submitted checkpoint text: neither another proof (which the log
  // does not sign: anyone holding a newer checkpoint can send a bad one) nor other unknown
  // signature lines make a new one.
  crypto::Sha256Digest digest = crypto::Sha256({absl::StrCat(held.size()), "\n", held, text});
  absl::StatusOr<WitnessStore::EvidenceAdded> added = store_->AddEvidence(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()),
      FormatWitnessEvidence(evidence),
      *result->refusal == WitnessRefusal::kBadConsistencyProof ? kMaxWitnessBadProofRecords
                                                                : kMaxWitnessEvidenceRecords);
  if (!added.ok()) return added.status();
  result->evidence_kept = *added;
  return absl::OkStatus();
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

absl::StatusOr<std::string> Witness::Evidence(uint64_t index) const {
  absl::StatusOr<absl::optional<std::string>> record = store_->Evidence(index);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    absl::StatusOr<WitnessStore::EvidenceCounts> counts = store_->CountEvidence();
    if (!counts.ok()) return counts.status();
    return absl::NotFoundError(absl::StrFormat("no evidence record %d (the witness holds %d)",
                                               index, counts->stored));
  }
  return **std::move(record);
}

absl::StatusOr<WitnessStore::EvidenceCounts> Witness::CountEvidence() const {
  return store_->CountEvidence();
}

}  // namespace ledger
}  // namespace vellum
