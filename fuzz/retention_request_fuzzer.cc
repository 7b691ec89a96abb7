// Fuzzes ParseRetentionRequest (ledger/privacy/retention.h), the body of POST /v1/retention.
//
// Input: the JSON body. Invariants: a refusal is InvalidArgument; accepted rules pass
// CheckRetentionRules, carry a reason within its limit and no override flag, and their JSON form
// parses back to equal rules.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/privacy/retention.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "retention_request_fuzzer: %s\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum::ledger;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<RetentionRules> rules = ParseRetentionRequest(json);
  if (!rules.ok()) {
    Check(rules.status().code() == absl::StatusCode::kInvalidArgument, "unexpected code");
    return 0;
  }
  Check(CheckRetentionRules(*rules, "rules").ok(), "accepted rules CheckRetentionRules refuses");
  Check(!rules->admin_override(), "accepted an override flag");
  Check(!rules->reason().empty() && rules->reason().size() <= kMaxRetentionReasonBytes, "reason");
  std::string printed;
  Check(google::protobuf::util::MessageToJsonString(*rules, &printed).ok(), "does not print");
  absl::StatusOr<RetentionRules> again = ParseRetentionRequest(printed);
  Check(again.ok(), "its JSON form is refused");
  Check(google::protobuf::util::MessageDifferencer::Equals(*rules, *again),
        "its JSON form parses to other rules");
  return 0;
}
