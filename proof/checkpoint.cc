#include "proof/checkpoint.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "proof/decimal.h"
#include "proof/text_lines.h"

namespace vellum {
std::string FormatCheckpoint(const Checkpoint& checkpoint) {
  std::string out = absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                                 HashToBase64(checkpoint.root), "\n");
  for (const std::string& extension : checkpoint.extensions) {
    absl::StrAppend(&out, extension, "\n");
  }
  return out;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text) {
  if (absl::Status s = CheckNoteText(text); !s.ok()) return Annotate(s, "checkpoint: ");
  text.remove_suffix(1);  // The final newline; every line now ends at a '\n' or at the end.
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "checkpoint has %d lines, want at least 3 (origin, tree size, root hash)", lines.size()));
  }
  Checkpoint checkpoint;
  if (lines[0].empty()) return absl::InvalidArgumentError("checkpoint origin line is empty");
  checkpoint.origin = std::string(lines[0]);
  absl::StatusOr<uint64_t> size = ParseDecimal(lines[1], "checkpoint tree size");
  if (!size.ok()) return size.status();
  checkpoint.size = *size;
  absl::StatusOr<Hash> root = HashFromBase64(lines[2]);
  if (!root.ok()) {
    return Annotate(root.status(), absl::StrCat("checkpoint root hash ", Quote(lines[2]), ": "));
  }
  checkpoint.root = *root;
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("checkpoint line %d (extension) is empty, want non-empty", i + 1));
    }
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

absl::StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                           const NoteSigner& log_signer) {
  if (absl::StrContains(checkpoint.origin, '\n')) {
    return absl::InvalidArgumentError("checkpoint origin contains a newline");
  }
  for (size_t i = 0; i < checkpoint.extensions.size(); ++i) {
    if (absl::StrContains(checkpoint.extensions[i], '\n')) {
      return absl::InvalidArgumentError(
          absl::StrFormat("checkpoint extension %d contains a newline", i));
    }
  }
  // With one field per line, parsing the text checks everything else.
  std::string text = FormatCheckpoint(checkpoint);
  if (absl::Status s = ParseCheckpoint(text).status(); !s.ok()) return s;
  if (checkpoint.origin != log_signer.name()) {
    return absl::FailedPreconditionError(
        absl::StrFormat("checkpoint origin %s, want the log key's name %s",
                        Quote(checkpoint.origin), Quote(log_signer.name())));
  }
  const NoteSigner* signers[] = {&log_signer};
  return SignNote(text, signers);
}

absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view signed_note,
                                          const NoteVerifier& log_verifier) {
  if (log_verifier.type() != kNoteSignatureTypeEd25519) {
    // A witness's cosignature must never pass for the log's own signature.
    return absl::InvalidArgumentError(absl::StrFormat(
        "checkpoint: key %s is a witness's cosigner key (type 0x%02x), want the log's key",
        Quote(log_verifier.name()), log_verifier.type()));
  }
  const NoteVerifier* verifiers[] = {&log_verifier};
  absl::StatusOr<Note> note = OpenNote(signed_note, verifiers);
  if (!note.ok()) return Annotate(note.status(), "checkpoint: ");
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(note->text);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->origin != log_verifier.name()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("checkpoint origin %s, want the log key's name %s",
                        Quote(checkpoint->origin), Quote(log_verifier.name())));
  }
  return checkpoint;
}

}  // namespace vellum
