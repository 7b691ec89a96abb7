#ifndef VELLUM_PROOF_EVIDENCE_H_
#define VELLUM_PROOF_EVIDENCE_H_

// Split-view evidence: two checkpoints signed by the same log key that cannot both be true,
// checkable offline with nothing but the log's verifier key.
//
//   vellum.dev/split-view-evidence@v1
//   [prefix-root <base64 hash>]           when the two tree sizes differ
//   [consistency <base64 hash>]...        only after prefix-root
//   note <decimal byte count>
//   <signed checkpoint note, verbatim: exactly that many bytes, ending in a newline>
//   note <decimal byte count>
//   <signed checkpoint note, verbatim>
//
// Two checkpoints of the same size prove a split view when their roots differ. For sizes
// m < n, `prefix-root` is R', the root of the larger tree's first m leaves, and the consistency
// lines are the RFC 6962 proof from size m to the larger checkpoint. If that proof verifies from
// R' to the larger root while R' differs from the smaller checkpoint's root, the log signed two
// trees neither of which extends the other: consistency proofs are binding, so no honest proof
// could lead from the smaller root to the larger.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {

inline constexpr absl::string_view kEvidenceHeader = "vellum.dev/split-view-evidence@v1";

// A consistency proof between sizes below 2^64 has at most 2 * 64 hashes.
inline constexpr size_t kMaxEvidenceProofHashes = 128;

// Largest evidence ParseEvidence accepts: two notes of kMaxNoteSize and the other lines.
inline constexpr size_t kMaxEvidenceSize = 2 * kMaxNoteSize + 16 * 1024;

struct SplitViewEvidence {
  std::string first;   // A signed checkpoint note, verbatim.
  std::string second;  // Another signed checkpoint note of the same log, verbatim.
  // For different sizes: the larger tree's root at the smaller size, and the consistency proof
  // from the smaller size to the larger checkpoint. Absent for equal sizes.
  std::optional<Hash> prefix_root;
  std::vector<Hash> consistency;

  friend bool operator==(const SplitViewEvidence& a, const SplitViewEvidence& b) {
    return a.first == b.first && a.second == b.second && a.prefix_root == b.prefix_root &&
           a.consistency == b.consistency;
  }
};

// Returns the evidence's text. Requires both notes to end in a newline and consistency to be
// empty without a prefix root; then ParseEvidence(FormatEvidence(e)) == e within the limits.
std::string FormatEvidence(const SplitViewEvidence& evidence);

// Parses evidence strictly (the format above, canonical decimals and strict base64, each note
// 1 to kMaxNoteSize bytes ending in a newline, nothing after the second note). Signatures are
// not checked. Errors are InvalidArgument.
absl::StatusOr<SplitViewEvidence> ParseEvidence(absl::string_view text);

// What verified evidence proves.
struct SplitView {
  Checkpoint smaller;  // The checkpoint of the smaller size (the first one, for equal sizes).
  Checkpoint larger;
  // One line for people, e.g. "size 5 root X and size 9 (whose root at size 5 is Y) ...".
  std::string description;
};

// Checks that `evidence` proves a split view of the log of `log_verifier`: both notes open with
// it (OpenCheckpoint; Unauthenticated or InvalidArgument otherwise), and either the sizes are
// equal and the roots differ, or the consistency proof leads from the prefix root to the larger
// root (InvalidArgument with VerifyConsistency's message otherwise) and the prefix root differs
// from the smaller root. Well-formed evidence of two consistent checkpoints is
// FailedPrecondition ("the checkpoints are consistent"). A prefix root with equal sizes, or none
// with different sizes, is InvalidArgument. Thread-safe.
absl::StatusOr<SplitView> VerifyEvidence(const SplitViewEvidence& evidence,
                                         const NoteVerifier& log_verifier);

}  // namespace vellum

#endif  // VELLUM_PROOF_EVIDENCE_H_
