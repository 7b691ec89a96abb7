// Fuzzes ParseHoldRequest (ledger/privacy/hold_scope.h), the body of POST /v1/holds.
//
// Input: the JSON body. Invariants: a refusal is InvalidArgument with a message that does not
// quote the input; an accepted hold has no id and respects every documented limit, its JSON form
// parses back to an equal hold, and it covers an item inside its own window.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/privacy/hold_scope.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "hold_scope_fuzzer: %s\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum::ledger;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Hold> hold = ParseHoldRequest(json);
  if (!hold.ok()) {
    Check(hold.status().code() == absl::StatusCode::kInvalidArgument, "unexpected error code");
    Check(absl::StartsWith(hold.status().message(), "hold request: "), "unnamed refusal");
    return 0;
  }
  Check(hold->id().empty(), "accepted an id");
  Check(!hold->matter().empty() && hold->matter().size() <= kMaxHoldMatterBytes, "matter");
  Check(!hold->reason().empty() && hold->reason().size() <= kMaxHoldReasonBytes, "reason");
  const HoldScope& scope = hold->scope();
  Check(static_cast<size_t>(scope.models_size()) <= kMaxHoldModels, "models");
  Check(static_cast<size_t>(scope.subjects_size()) <= kMaxHoldSubjects, "subjects");
  for (const std::string& m : scope.models()) {
    Check(!m.empty() && m.size() <= kMaxHoldModelBytes, "a model glob");
  }
  for (const std::string& s : scope.subjects()) {
    Check(!s.empty() && s.size() <= kMaxHoldSubjectBytes, "a subject");
  }
  std::string printed;
  Check(google::protobuf::util::MessageToJsonString(*hold, &printed).ok(), "does not print");
  absl::StatusOr<Hold> again = ParseHoldRequest(printed);
  Check(again.ok(), "its JSON form is refused");
  Check(google::protobuf::util::MessageDifferencer::Equals(*hold, *again),
        "its JSON form parses to another hold");
  if (scope.has_since() && scope.models_size() == 0 && scope.subjects_size() == 0) {
    const absl::Time since =
        absl::FromUnixSeconds(scope.since().seconds()) + absl::Nanoseconds(scope.since().nanos());
    Check(HoldCovers(scope, HeldItem{"m", "", since}), "does not cover its own start");
  }
  return 0;
}
