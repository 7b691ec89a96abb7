#ifndef VELLUM_LEDGER_WITNESS_WITNESS_H_
#define VELLUM_LEDGER_WITNESS_WITNESS_H_

// A witness's policy (c2sp.org/tlog-witness, docs/witness.md): it cosigns a log's checkpoint
// only if a configured key of that log signed it and it is consistent with the last checkpoint
// it cosigned for that log, which it then records. api/witness_service.h serves it over HTTP.

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
  // (same size and another root, or a proof from the stored checkpoint that does not verify):
  // it may be evidence of a misbehaving log, worth keeping a trace of.
  bool evidence = false;
  std::string origin;  // The checkpoint's first line.
  uint64_t size = 0;   // The checkpoint's size, once it parsed.
  NoteSignature cosignature;  // When cosigned: the witness's cosignature of the checkpoint.
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
  // cosignature timestamps. `store` must outlive the witness.
  static absl::StatusOr<std::unique_ptr<Witness>> Create(WitnessStore* store,
                                                        std::unique_ptr<NoteSigner> cosigner,
                                                        std::vector<Log> logs,
                                                        std::function<uint64_t()> now);

  // As Create(), over a LevelDbWitnessStore in `dir` (created if missing) that the witness owns:
  // the one way to open a witness's state on disk. Fails with FailedPrecondition when another
  // process holds the directory.
  static absl::StatusOr<std::unique_ptr<Witness>> Open(absl::string_view dir,
                                                      std::unique_ptr<NoteSigner> cosigner,
                                                      std::vector<Log> logs,
                                                      std::function<uint64_t()> now);

  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  // Decides on `request` (its origin, then the log's signature, then the sizes and the proof
  // against the stored checkpoint). On success the new checkpoint, with the log's signatures
  // and the cosignature, is durably recorded before this returns. A refusal changes nothing.
  // Fails (rather than refusing) when the store fails, or with DataLoss when the stored
  // checkpoint no longer verifies with the configured keys.
  absl::StatusOr<AddCheckpointResult> AddCheckpoint(const AddCheckpointRequest& request);

  // The latest checkpoint cosigned for `origin`: the signed note with the log's signatures and
  // the cosignature. NotFound for an origin that is not configured or has none yet.
  absl::StatusOr<std::string> Latest(absl::string_view origin) const;

 private:
  Witness(WitnessStore* store, std::unique_ptr<NoteSigner> cosigner, std::vector<Log> logs,
          std::function<uint64_t()> now);

  std::unique_ptr<WitnessStore> owned_store_;  // Set by Open().
  WitnessStore* const store_;
  const std::unique_ptr<NoteSigner> cosigner_;
  const std::vector<Log> logs_;
  absl::flat_hash_map<std::string, const Log*> by_origin_;
  const std::function<uint64_t()> now_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_WITNESS_H_
