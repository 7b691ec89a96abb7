#include "proof/receipt.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "proof/base64.h"
#include "proof/checkpoint.h"
#include "proof/decimal.h"
#include "proof/text_lines.h"
#include "proof/verify.h"

namespace vellum {
namespace {

constexpr absl::string_view kExtraPrefix = "extra ";
constexpr absl::string_view kIndexPrefix = "index ";

}  // namespace

std::string FormatReceipt(const Receipt& receipt) {
  std::string out = absl::StrCat(kReceiptHeader, "\n");
  if (receipt.extra.has_value()) {
    absl::StrAppend(&out, kExtraPrefix, absl::Base64Escape(*receipt.extra), "\n");
  }
  absl::StrAppend(&out, kIndexPrefix, receipt.index, "\n");
  for (const Hash& hash : receipt.proof) absl::StrAppend(&out, HashToBase64(hash), "\n");
  absl::StrAppend(&out, "\n", receipt.checkpoint);
  return out;
}

absl::StatusOr<Receipt> ParseReceipt(absl::string_view text) {
  if (text.size() > kMaxReceiptSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("receipt is %d bytes, want at most %d", text.size(), kMaxReceiptSize));
  }
  absl::string_view rest = text;
  absl::string_view line;
  if (!NextLine(&rest, &line) || line != kReceiptHeader) {
    return absl::InvalidArgumentError(
        absl::StrFormat("receipt starts with %s, want the line \"%s\"",
                        Quote(text.substr(0, kReceiptHeader.size() + 1)), kReceiptHeader));
  }
  Receipt receipt;
  if (!NextLine(&rest, &line)) {
    return absl::InvalidArgumentError("receipt ends after the header, want an index line");
  }
  if (absl::ConsumePrefix(&line, kExtraPrefix)) {
    absl::StatusOr<std::string> extra = Base64DecodeStrict(line);
    if (!extra.ok()) return Annotate(extra.status(), "receipt extra data: ");
    if (extra->size() > kMaxReceiptExtraSize) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "receipt extra data is %d bytes, want at most %d", extra->size(), kMaxReceiptExtraSize));
    }
    receipt.extra = *std::move(extra);
    if (!NextLine(&rest, &line)) {
      return absl::InvalidArgumentError("receipt ends after the extra line, want an index line");
    }
  }
  if (!absl::ConsumePrefix(&line, kIndexPrefix)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("receipt line %s, want \"index <n>\"%s", Quote(line),
                        receipt.extra.has_value() ? "" : " or \"extra <base64>\""));
  }
  absl::StatusOr<uint64_t> index = ParseDecimal(line, "receipt index");
  if (!index.ok()) return index.status();
  receipt.index = *index;
  for (;;) {
    if (!NextLine(&rest, &line)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("receipt ends after %d proof hashes, want a blank line and a checkpoint",
                          receipt.proof.size()));
    }
    if (line.empty()) break;
    if (receipt.proof.size() == kMaxReceiptProofHashes) {
      return absl::InvalidArgumentError(
          absl::StrFormat("receipt has more than %d proof hashes", kMaxReceiptProofHashes));
    }
    absl::StatusOr<Hash> hash = HashFromBase64(line);
    if (!hash.ok()) {
      return Annotate(hash.status(),
                      absl::StrFormat("receipt proof hash %d: ", receipt.proof.size()));
    }
    receipt.proof.push_back(*hash);
  }
  if (rest.empty()) {
    return absl::InvalidArgumentError("receipt has no checkpoint after the blank line");
  }
  if (absl::Status s = CheckNoteText(rest); !s.ok()) {
    return Annotate(s, "receipt checkpoint: ");
  }
  receipt.checkpoint = std::string(rest);
  return receipt;
}

absl::Status VerifyReceipt(const Receipt& receipt, absl::string_view entry,
                           const NoteVerifier& log_verifier) {
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(receipt.checkpoint, log_verifier);
  if (!checkpoint.ok()) return Annotate(checkpoint.status(), "receipt: ");
  absl::Status status = VerifyInclusion(receipt.index, checkpoint->size, HashLeaf(entry),
                                        receipt.proof, checkpoint->root);
  if (!status.ok()) return Annotate(status, "receipt inclusion proof: ");
  return absl::OkStatus();
}

}  // namespace vellum
