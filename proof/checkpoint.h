#ifndef VELLUM_PROOF_CHECKPOINT_H_
#define VELLUM_PROOF_CHECKPOINT_H_

// Checkpoints (c2sp.org/tlog-checkpoint): the signed-note text
//
//   <origin>
//   <tree size, decimal>
//   <base64 root hash>
//   [<extension line>]...
//
// every line ending in a newline. Malformed checkpoints are InvalidArgument; see note.h for the
// codes of signature failures.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {

struct Checkpoint {
  std::string origin;                   // Non-empty; by c2sp convention the log key's name.
  uint64_t size = 0;                    // Number of leaves.
  Hash root{};                          // RFC 6962 root of the first `size` leaves.
  std::vector<std::string> extensions;  // Opaque non-empty lines, without their newlines.

  friend bool operator==(const Checkpoint& a, const Checkpoint& b) {
    return a.origin == b.origin && a.size == b.size && a.root == b.root &&
           a.extensions == b.extensions;
  }
  friend bool operator!=(const Checkpoint& a, const Checkpoint& b) { return !(a == b); }
};

// Returns the checkpoint's note text. Requires a well-formed checkpoint: non-empty origin and
// extension lines, none containing a newline, and the signed-note character rules (see
// CheckNoteText); then ParseCheckpoint(FormatCheckpoint(c)) == c.
std::string FormatCheckpoint(const Checkpoint& checkpoint);

// Parses checkpoint note text strictly: CheckNoteText must pass (newline at the end, UTF-8,
// no control characters, size limit); the origin must be non-empty; the size canonical decimal
// (no sign, no leading zero but in "0") within uint64; the root strict padded base64 of 32
// bytes; extension lines non-empty.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text);

// Returns the checkpoint signed by the log: SignNote(FormatCheckpoint(checkpoint)). Requires a
// well-formed checkpoint (InvalidArgument otherwise) whose origin is `log_signer.name()`
// (FailedPrecondition otherwise). Thread-safe.
absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                           const NoteSigner& log_signer);

// Opens signed note `signed_note`, which needs a valid signature by `log_verifier`, a log key
// (type 0x01; InvalidArgument for a witness's cosigner key), other signatures being ignored, and
// parses its text as a checkpoint whose origin must equal the log key's name (InvalidArgument
// otherwise). Errors as OpenNote and ParseCheckpoint.
// Thread-safe.
absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view signed_note,
                                          const NoteVerifier& log_verifier);

}  // namespace vellum

#endif  // VELLUM_PROOF_CHECKPOINT_H_
