#ifndef VELLUM_PROOF_COSIGNED_CHECKPOINT_H_
#define VELLUM_PROOF_COSIGNED_CHECKPOINT_H_

// Checkpoints cosigned by witnesses (c2sp.org/tlog-cosignature): the log's own signature plus a
// policy of at least k valid cosignatures from n configured witness keys.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proof/checkpoint.h"
#include "proof/note.h"

namespace vellum {

// A checkpoint whose log signature and witness cosignatures were checked.
struct CosignedCheckpoint {
  Checkpoint checkpoint;
  // The names of the configured witnesses whose cosignature verified, in note order.
  std::vector<std::string> witnesses;
};

// Opens `signed_note` as OpenCheckpoint does with `log_verifier`, then checks its cosignatures
// against `witness_verifiers` (non-null): every cosignature line from a configured witness must
// verify (Unauthenticated otherwise, as OpenNote), and at least `min_witnesses` distinct
// configured witnesses must have cosigned (Unauthenticated otherwise, naming got and want).
// Signatures by other keys are ignored. InvalidArgument if min_witnesses exceeds the number of
// witness keys. With no witness keys and min_witnesses 0 it is OpenCheckpoint. Thread-safe.
absl::StatusOr<CosignedCheckpoint> OpenCosignedCheckpoint(
    absl::string_view signed_note, const NoteVerifier& log_verifier,
    absl::Span<const NoteVerifier* const> witness_verifiers, size_t min_witnesses);

}  // namespace vellum

#endif  // VELLUM_PROOF_COSIGNED_CHECKPOINT_H_
