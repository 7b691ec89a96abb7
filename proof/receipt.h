#ifndef VELLUM_PROOF_RECEIPT_H_
#define VELLUM_PROOF_RECEIPT_H_

// Receipts: offline proofs that an entry is in the log (c2sp.org/tlog-proof@v1).
//
//   c2sp.org/tlog-proof@v1
//   [extra <base64 opaque data>]
//   index <decimal>
//   [<base64 proof hash>]...        (leaf's sibling first, up to the root's child)
//   <blank line>
//   <signed checkpoint, verbatim>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {

inline constexpr absl::string_view kReceiptHeader = "c2sp.org/tlog-proof@v1";

// A tree of at most 2^64 - 1 leaves has inclusion proofs of at most 64 hashes.
inline constexpr size_t kMaxReceiptProofHashes = 64;

// Largest decoded `extra` data ParseReceipt accepts: ample for context or a VRF proof.
inline constexpr size_t kMaxReceiptExtraSize = 16 * 1024;

// Largest receipt ParseReceipt accepts: a checkpoint note of kMaxNoteSize plus room for the
// header, the largest extra line, the index and kMaxReceiptProofHashes hash lines.
inline constexpr size_t kMaxReceiptSize = kMaxNoteSize + 32 * 1024;

struct Receipt {
  std::optional<std::string> extra;  // Decoded opaque bytes; unauthenticated.
  uint64_t index = 0;
  std::vector<Hash> proof;
  std::string checkpoint;  // The signed checkpoint note, verbatim.

  friend bool operator==(const Receipt& a, const Receipt& b) {
    return a.extra == b.extra && a.index == b.index && a.proof == b.proof &&
           a.checkpoint == b.checkpoint;
  }
  friend bool operator!=(const Receipt& a, const Receipt& b) { return !(a == b); }
};

// Returns the receipt's text. Requires `receipt.checkpoint` to be a signed note (so it ends in
// a newline); then ParseReceipt(FormatReceipt(r)) == r within the size limits.
std::string FormatReceipt(const Receipt& receipt);

// Parses a receipt strictly: the exact header line; an optional `extra ` line of strict padded
// base64 (at most kMaxReceiptExtraSize bytes decoded); `index ` and a canonical decimal; at
// most kMaxReceiptProofHashes lines of strict base64 32-byte hashes; a blank line; then a
// non-empty checkpoint that passes CheckNoteText. Its signatures are not checked. Errors are
// InvalidArgument; the whole text may be at most kMaxReceiptSize bytes.
absl::StatusOr<Receipt> ParseReceipt(absl::string_view text);

// Checks that `entry` is in the log: opens the receipt's checkpoint with the log's key (see
// OpenCheckpoint) and verifies the inclusion proof of HashLeaf(entry) at `receipt.index`
// against the checkpoint's size and root (see VerifyInclusion in proof/verify.h). Returns the
// first failure with its code: Unauthenticated or InvalidArgument for the checkpoint,
// VerifyInclusion's codes for the proof. Ignores `extra`. Thread-safe.
absl::Status VerifyReceipt(const Receipt& receipt, absl::string_view entry,
                           const NoteVerifier& log_verifier);

}  // namespace vellum

#endif  // VELLUM_PROOF_RECEIPT_H_
