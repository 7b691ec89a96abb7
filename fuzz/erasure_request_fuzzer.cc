// Fuzzes ParseErasureRequest (ledger/privacy/erasure_request.h), the body of POST /v1/erasure.
//
// Input: the JSON body. Invariants: a refusal is InvalidArgument with a message that names the
// erasure request and does not depend on what the subjects say; an accepted request names 1 to
// kMaxErasureSubjects subjects and pseudonyms that CheckErasureNames accepts, and its JSON form
// parses back to an equal request.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/privacy/erasure_request.h"
#include "proof/utf8.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "erasure_request_fuzzer: %s\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum::ledger;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ErasureRequest> request = ParseErasureRequest(json);
  if (!request.ok()) {
    Check(request.status().code() == absl::StatusCode::kInvalidArgument, "unexpected code");
    Check(absl::StartsWith(request.status().message(), "erasure request: "), "unnamed refusal");
    // The message does not depend on what the subjects say: with each subject replaced by as
    // many 'Z's, the refusal is the same.
    ErasureRequest named;
    if (json.size() <= kMaxErasureRequestBytes && vellum::IsValidUtf8(json) &&
        google::protobuf::util::JsonStringToMessage(std::string(json), &named).ok()) {
      for (std::string& subject : *named.mutable_subject()) {
        if (!vellum::IsValidUtf8(subject)) return 0;
        subject = std::string(subject.size(), 'Z');
      }
      std::string replaced;
      Check(google::protobuf::util::MessageToJsonString(named, &replaced).ok(), "no JSON");
      absl::StatusOr<ErasureRequest> again = ParseErasureRequest(replaced);
      Check(!again.ok() && again.status().message() == request.status().message(),
            "the message depends on a subject's contents");
    }
    return 0;
  }
  const size_t count = request->subject_size() + request->pseudonym_size();
  Check(count >= 1 && count <= kMaxErasureSubjects, "count");
  Check(CheckErasureNames(
            std::vector<std::string>(request->subject().begin(), request->subject().end()),
            std::vector<std::string>(request->pseudonym().begin(), request->pseudonym().end()))
            .ok(),
        "accepted names CheckErasureNames refuses");
  std::string printed;
  Check(google::protobuf::util::MessageToJsonString(*request, &printed).ok(), "does not print");
  absl::StatusOr<ErasureRequest> again = ParseErasureRequest(printed);
  Check(again.ok(), "its JSON form is refused");
  Check(google::protobuf::util::MessageDifferencer::Equals(*request, *again),
        "its JSON form parses to another request");
  return 0;
}
