#ifndef VELLUM_LEDGER_WITNESS_WITNESS_H_
#define VELLUM_LEDGER_WITNESS_WITNESS_H_

// A witness's policy (c2sp.org/tlog-witness, docs/witness.md): it cosigns a log's checkpoint
// only if a configured key of that log signed it and it is consistent with the last checkpoint
// it cosigned for that log, which it then records. Its state is bound to its cosigner key, and
// it keeps evidence of logs that sign contradicting checkpoints. api/witness_service.h serves it
// over HTTP.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "ledger/witness/witness_store.h"
#include "proof/add_checkpoint.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

// The most evidence records a witness keeps. Each holds at most two notes of kMaxNoteSize and an
// add-checkpoint body, so they take at most about 26 MiB; later ones are only counted, so a
// holder of a log's key cannot fill the disk.
inline constexpr uint64_t kMaxWitnessEvidenceRecords = 100;
// A record of a proof that does not verify is kept only while fewer than this many records are
// stored. The log signs its checkpoints, not its proofs: anyone who has a checkpoint of the log
// newer than the witness's can send it with a bad proof. So such records can never crowd out
// those of a checkpoint of the held size with another root, which only the log's key can make.
inline constexpr uint64_t kMaxWitnessBadProofRecords = kMaxWitnessEvidenceRecords / 2;

// The id a witness state records for cosigner key `signer`: "<name>+<8 hex key id>", the start
// of its verifier key (proof/note.h, NoteKeyId).
std::string WitnessKeyId(const NoteSigner& signer);

// Why Witness::AddCheckpoint refused a checkpoint. The spec gives each its own status code.
enum class WitnessRefusal {
  kMalformed,             // The note, or the checkpoint in it, does not parse.
  kUnknownOrigin,         // The checkpoint's origin is not a configured log.
  kNoKnownSignature,      // No signature by a key configured for the origin verifies.
  kOldSizeTooLarge,       // The old size is greater than the checkpoint's size.
  kStoredSizeDiffers,     // The old size is not the stored size, or the sizes are equal and
                          // the roots differ.
  kBadConsistencyProof,   // The proof from the stored checkpoint does not verify.
};

// What Witness::AddCheckpoint decided.
struct AddCheckpointResult {
  // Unset when the checkpoint was cosigned and recorded.
  absl::optional<WitnessRefusal> refusal;
  std::string message;       // Why, when refused.
  uint64_t stored_size = 0;  // For kStoredSizeDiffers: the size of the stored checkpoint.
  // For a refused checkpoint that a key of the log signed and that contradicts the stored one
  // (same size and another root, or a larger one whose proof from the stored one does not
  // verify):
  // it may be evidence of a misbehaving log, and was kept as evidence_kept says.
  bool evidence = false;
  WitnessStore::EvidenceAdded evidence_kept;
  std::string origin;  // The checkpoint's first line.
  uint64_t size = 0;   // The checkpoint's size, once it parsed.
  // When cosigned: the witness's cosignature of the checkpoint. For the checkpoint it holds,
  // submitted again with its own size as the old size, the one it made then.
  NoteSignature cosignature;
};

// Thread-safe: the check against the stored state and the update are one atomic step of the
// WitnessStore, so two concurrent requests are never both cosigned against one stored state.
class Witness {
 public:
  // A log the witness follows: its origin and the keys its checkpoints may be signed with.
  struct Log {
    std::string origin;
    std::vector<std::unique_ptr<NoteVerifier>> keys;
  };

  // `cosigner` must be a cosigner key (type 0x04) and every log key a log key (type 0x01); each
  // origin appears once, with at least one key. `now` returns the POSIX time in seconds for
  // cosignature timestamps and evidence. `store` must outlive the witness.
  //
  // The store must be bound to `cosigner` (FailedPrecondition with both key ids otherwise), or
  // record no key: then it is adopted (adopted() says so) and bound to `cosigner`, provided
  // every checkpoint it holds for a configured log carries a valid cosignature of `cosigner`
  // (FailedPrecondition naming the origin and the signers otherwise).
  static absl::StatusOr<std::unique_ptr<Witness>> Create(WitnessStore* store,
                                                        std::unique_ptr<NoteSigner> cosigner,
                                                        std::vector<Log> logs,
                                                        std::function<uint64_t()> now);

  // As Create(), over a LevelDbWitnessStore in `dir` that the witness owns: the one way to open
  // a witness's state on disk. With `init`, the state must not exist (AlreadyExists) and is
  // created bound to `cosigner`; without, it must exist (NotFound), so that a wrong path or a
  // lost volume never makes a witness cosign from an empty state. Fails with
  // FailedPrecondition when another process holds the directory. The arguments are checked
  // before anything is created.
  static absl::StatusOr<std::unique_ptr<Witness>> Open(absl::string_view dir,
                                                      std::unique_ptr<NoteSigner> cosigner,
                                                      std::vector<Log> logs,
                                                      std::function<uint64_t()> now, bool init);

  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  // Decides on `request` (its origin, then the log's signature, then the sizes and the proof
  // against the stored checkpoint). On success the new checkpoint, with the log's signatures
  // and the cosignature, is durably recorded before this returns; the checkpoint it holds,
  // submitted again with the same text and its size as the old size, is answered with the
  // stored cosignature and writes nothing. A refusal changes nothing, except that a refusal
  // with `evidence` is durably added to the evidence records first (WitnessStore::AddEvidence,
  // at most kMaxWitnessEvidenceRecords and kMaxWitnessBadProofRecords, one per held and
  // submitted checkpoint text). Fails
  // (rather than refusing) when the store fails, or with DataLoss when the stored checkpoint no
  // longer verifies with the configured keys.
  absl::StatusOr<AddCheckpointResult> AddCheckpoint(const AddCheckpointRequest& request);

  // The latest checkpoint cosigned for `origin`: the signed note with the log's signatures and
  // the cosignature. NotFound for an origin that is not configured or has none yet.
  absl::StatusOr<std::string> Latest(absl::string_view origin) const;

  // Evidence record `index` (ledger/witness/witness_evidence.h); NotFound past the last one.
  absl::StatusOr<std::string> Evidence(uint64_t index) const;
  absl::StatusOr<WitnessStore::EvidenceCounts> CountEvidence() const;

  // The cosigner key id the state is bound to (WitnessKeyId).
  const std::string& key_id() const { return key_id_; }
  // True when Create() adopted a state that recorded no key, and bound it.
  bool adopted() const { return adopted_; }

 private:
  Witness(WitnessStore* store, std::unique_ptr<NoteSigner> cosigner,
          std::unique_ptr<NoteVerifier> own_key, std::vector<Log> logs,
          std::function<uint64_t()> now);

  // Checks Create()'s arguments.
  static absl::Status CheckConfig(const NoteSigner* cosigner, const std::vector<Log>& logs);
  // Creates the witness for checked arguments and binds the store (Create()'s second part).
  static absl::StatusOr<std::unique_ptr<Witness>> CreateChecked(
      WitnessStore* store, std::unique_ptr<NoteSigner> cosigner, std::vector<Log> logs,
      std::function<uint64_t()> now);
  // Checks that the store is bound to this key, or adopts and binds it.
  absl::Status BindState();
  // Keeps the refusal in `result` of `request`, whose checkpoint has verified text `text`, as
  // evidence against `held`.
  absl::Status KeepEvidence(const AddCheckpointRequest& request, const std::string& held,
                            absl::string_view text, AddCheckpointResult* result);

  std::unique_ptr<WitnessStore> owned_store_;  // Set by Open().
  WitnessStore* const store_;
  const std::unique_ptr<NoteSigner> cosigner_;
  const std::unique_ptr<NoteVerifier> own_key_;  // The cosigner's verifier.
  const std::string key_id_;
  bool adopted_ = false;  // Set by BindState(), before the witness is shared.
  const std::vector<Log> logs_;
  absl::flat_hash_map<std::string, const Log*> by_origin_;
  const std::function<uint64_t()> now_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_WITNESS_H_
