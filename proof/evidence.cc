#include "proof/evidence.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "proof/decimal.h"
#include "proof/text_lines.h"
#include "proof/verify.h"

namespace vellum {
namespace {

constexpr absl::string_view kPrefixRoot = "prefix-root ";
constexpr absl::string_view kConsistency = "consistency ";
constexpr absl::string_view kNote = "note ";

// Reads "note <n>" and the n bytes after it from `*rest`. `which` names the note in errors.
absl::StatusOr<std::string> ReadNote(absl::string_view* rest, absl::string_view which) {
  absl::string_view line;
  if (!NextLine(rest, &line) || !absl::ConsumePrefix(&line, kNote)) {
    return absl::InvalidArgumentError(
        absl::StrCat("evidence: want a \"note <bytes>\" line before the ", which, " note"));
  }
  absl::StatusOr<uint64_t> size = ParseDecimal(line, absl::StrCat("evidence ", which, " note size"));
  if (!size.ok()) return size.status();
  if (*size == 0 || *size > kMaxNoteSize) {
    return absl::InvalidArgumentError(absl::StrCat("evidence: the ", which, " note is ", *size,
                                                   " bytes, want 1 to ", kMaxNoteSize));
  }
  if (*size > rest->size()) {
    return absl::InvalidArgumentError(absl::StrCat("evidence: the ", which, " note is ", *size,
                                                   " bytes, but only ", rest->size(),
                                                   " bytes follow"));
  }
  std::string note(rest->substr(0, *size));
  rest->remove_prefix(*size);
  if (note.back() != '\n') {
    return absl::InvalidArgumentError(
        absl::StrCat("evidence: the ", which, " note does not end in a newline"));
  }
  return note;
}

}  // namespace

std::string FormatEvidence(const SplitViewEvidence& evidence) {
  std::string out = absl::StrCat(kEvidenceHeader, "\n");
  if (evidence.prefix_root.has_value()) {
    absl::StrAppend(&out, kPrefixRoot, HashToBase64(*evidence.prefix_root), "\n");
    for (const Hash& hash : evidence.consistency) {
      absl::StrAppend(&out, kConsistency, HashToBase64(hash), "\n");
    }
  }
  absl::StrAppend(&out, kNote, evidence.first.size(), "\n", evidence.first);
  absl::StrAppend(&out, kNote, evidence.second.size(), "\n", evidence.second);
  return out;
}

absl::StatusOr<SplitViewEvidence> ParseEvidence(absl::string_view text) {
  if (text.size() > kMaxEvidenceSize) {
    return absl::InvalidArgumentError(absl::StrCat("evidence is ", text.size(),
                                                   " bytes, want at most ", kMaxEvidenceSize));
  }
  absl::string_view rest = text;
  absl::string_view line;
  if (!NextLine(&rest, &line) || line != kEvidenceHeader) {
    return absl::InvalidArgumentError(
        absl::StrCat("evidence: want the first line \"", kEvidenceHeader, "\""));
  }
  SplitViewEvidence evidence;
  absl::string_view peek = rest;
  if (NextLine(&peek, &line) && absl::ConsumePrefix(&line, kPrefixRoot)) {
    absl::StatusOr<Hash> root = HashFromBase64(line);
    if (!root.ok()) return Annotate(root.status(), "evidence prefix-root: ");
    evidence.prefix_root = *root;
    rest = peek;
    while (NextLine(&peek, &line) && absl::ConsumePrefix(&line, kConsistency)) {
      if (evidence.consistency.size() == kMaxEvidenceProofHashes) {
        return absl::InvalidArgumentError(absl::StrCat(
            "evidence has more than ", kMaxEvidenceProofHashes, " consistency proof hashes"));
      }
      absl::StatusOr<Hash> hash = HashFromBase64(line);
      if (!hash.ok()) {
        return Annotate(hash.status(), absl::StrCat("evidence consistency proof hash ",
                                                    evidence.consistency.size(), ": "));
      }
      evidence.consistency.push_back(*hash);
      rest = peek;
    }
  }
  absl::StatusOr<std::string> first = ReadNote(&rest, "first");
  if (!first.ok()) return first.status();
  absl::StatusOr<std::string> second = ReadNote(&rest, "second");
  if (!second.ok()) return second.status();
  if (!rest.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("evidence: ", rest.size(), " bytes after the second note, want none"));
  }
  evidence.first = *std::move(first);
  evidence.second = *std::move(second);
  return evidence;
}

absl::StatusOr<SplitView> VerifyEvidence(const SplitViewEvidence& evidence,
                                         const NoteVerifier& log_verifier) {
  absl::StatusOr<Checkpoint> first = OpenCheckpoint(evidence.first, log_verifier);
  if (!first.ok()) return Annotate(first.status(), "evidence first note: ");
  absl::StatusOr<Checkpoint> second = OpenCheckpoint(evidence.second, log_verifier);
  if (!second.ok()) return Annotate(second.status(), "evidence second note: ");
  SplitView view;
  view.smaller = *std::move(first);
  view.larger = *std::move(second);
  if (view.smaller.size > view.larger.size) std::swap(view.smaller, view.larger);
  const Checkpoint& m = view.smaller;
  const Checkpoint& n = view.larger;
  if (m.size == n.size) {
    if (evidence.prefix_root.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "evidence: both checkpoints have size ", m.size, ", want no prefix-root line"));
    }
    if (m.root == n.root) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the checkpoints are consistent: both have size ", m.size, " and root ",
          HashToBase64(m.root)));
    }
    view.description = absl::StrCat("two checkpoints of size ", m.size, " with roots ",
                                    HashToBase64(m.root), " and ", HashToBase64(n.root));
    return view;
  }
  if (!evidence.prefix_root.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("evidence: the checkpoints have sizes ",
                                                   m.size, " and ", n.size,
                                                   ", want a prefix-root line"));
  }
  const Hash& prefix = *evidence.prefix_root;
  absl::Status proof = VerifyConsistency(m.size, n.size, evidence.consistency, prefix, n.root);
  if (!proof.ok()) {
    return Annotate(proof, absl::StrCat("evidence consistency proof from size ", m.size,
                                        " (prefix-root) to size ", n.size, ": "));
  }
  if (prefix == m.root) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the checkpoints are consistent: the tree of size ", n.size, " extends the tree of size ",
        m.size, " (root ", HashToBase64(m.root), ")"));
  }
  view.description = absl::StrCat(
      "the checkpoint of size ", m.size, " has root ", HashToBase64(m.root),
      ", but the checkpoint of size ", n.size, " proves its own tree's root at size ", m.size,
      " is ", HashToBase64(prefix));
  return view;
}

}  // namespace vellum
