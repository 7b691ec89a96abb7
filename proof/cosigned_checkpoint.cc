#include "proof/cosigned_checkpoint.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace vellum {

absl::StatusOr<CosignedCheckpoint> OpenCosignedCheckpoint(
    absl::string_view signed_note, const NoteVerifier& log_verifier,
    absl::Span<const NoteVerifier* const> witness_verifiers, size_t min_witnesses) {
  if (min_witnesses > witness_verifiers.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the policy wants ", min_witnesses,
                                                   " cosignatures from ",
                                                   witness_verifiers.size(), " witness keys"));
  }
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(signed_note, log_verifier);
  if (!checkpoint.ok()) return checkpoint.status();
  CosignedCheckpoint result{*std::move(checkpoint), {}};
  if (witness_verifiers.empty()) return result;
  std::vector<const NoteVerifier*> verifiers = {&log_verifier};
  verifiers.insert(verifiers.end(), witness_verifiers.begin(), witness_verifiers.end());
  absl::StatusOr<Note> note = OpenNote(signed_note, verifiers);
  if (!note.ok()) {
    return absl::Status(note.status().code(),
                        absl::StrCat("cosignatures: ", note.status().message()));
  }
  for (const NoteSignature& signature : note->verified) {
    for (const NoteVerifier* witness : witness_verifiers) {
      if (witness->name() == signature.name && witness->key_id() == signature.key_id) {
        result.witnesses.push_back(signature.name);
        break;
      }
    }
  }
  if (result.witnesses.size() < min_witnesses) {
    return absl::UnauthenticatedError(absl::StrCat(
        "got valid cosignatures from ", result.witnesses.size(), " configured witnesses",
        result.witnesses.empty() ? "" : absl::StrCat(" (", absl::StrJoin(result.witnesses, ", "), ")"),
        ", want at least ", min_witnesses));
  }
  return result;
}

}  // namespace vellum
