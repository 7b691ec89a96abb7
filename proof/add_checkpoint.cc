#include "proof/add_checkpoint.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "proof/decimal.h"
#include "proof/text_lines.h"

namespace vellum {

absl::StatusOr<AddCheckpointRequest> ParseAddCheckpoint(absl::string_view body) {
  if (body.size() > kMaxAddCheckpointBytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "body is %d bytes, want at most %d", body.size(), kMaxAddCheckpointBytes));
  }
  AddCheckpointRequest request;
  absl::string_view line;
  if (!NextLine(&body, &line)) return absl::InvalidArgumentError("no old size line");
  if (!absl::ConsumePrefix(&line, "old ")) {
    return absl::InvalidArgumentError("the first line is not \"old <size>\"");
  }
  absl::StatusOr<uint64_t> old_size = ParseDecimal(line, "old size");
  if (!old_size.ok()) return old_size.status();
  request.old_size = *old_size;
  while (true) {
    if (!NextLine(&body, &line)) {
      return absl::InvalidArgumentError("no empty line between the proof and the checkpoint");
    }
    if (line.empty()) break;
    if (request.proof.size() == kMaxAddCheckpointProofLines) {
      return absl::InvalidArgumentError(absl::StrFormat("more than %d consistency proof lines",
                                                        kMaxAddCheckpointProofLines));
    }
    absl::StatusOr<Hash> hash = HashFromBase64(line);
    if (!hash.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "consistency proof line %d: %s", request.proof.size() + 1, hash.status().message()));
    }
    request.proof.push_back(*hash);
  }
  request.checkpoint = std::string(body);
  return request;
}

std::string FormatAddCheckpoint(uint64_t old_size, absl::Span<const Hash> proof,
                                absl::string_view checkpoint) {
  std::string body = absl::StrCat("old ", old_size, "\n");
  for (const Hash& hash : proof) absl::StrAppend(&body, HashToBase64(hash), "\n");
  absl::StrAppend(&body, "\n", checkpoint);
  return body;
}

std::string FormatTlogSize(uint64_t size) { return absl::StrCat(size, "\n"); }

absl::StatusOr<uint64_t> ParseTlogSize(absl::string_view body) {
  return ParseDecimal(absl::StripSuffix(body, "\n"), "witness size");
}

}  // namespace vellum
