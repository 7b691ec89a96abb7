// Fuzzes api::config::ParsePolicy, the deployment policy file's loader (YAML onto
// ledger/policy/policy.proto, then DeployPolicy::Compile).
//
// Input: the YAML text. Invariants: the loader never crashes; it fails only with InvalidArgument
// and a message; a policy it accepts reads back from its canonical text (what the log records)
// to the same canonical text and SHA-256, and has as many compiled rules as rules.

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/config/policy_loader.h"
#include "ledger/policy/deploy_policy.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "policy_loader_fuzzer: %s\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vellum::ledger::policy::DeployPolicy;
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<DeployPolicy> policy = vellum::api::config::ParsePolicy(yaml);
  if (!policy.ok()) {
    Check(policy.status().code() == absl::StatusCode::kInvalidArgument, "unexpected error code");
    Check(!policy.status().message().empty(), "empty error message");
    return 0;
  }
  Check(static_cast<int>(policy->rules().size()) == policy->set().rules_size(),
        "a rule was lost in compiling");
  absl::StatusOr<DeployPolicy> again = DeployPolicy::FromCanonicalText(policy->canonical_text());
  Check(again.ok(), "canonical text does not read back");
  Check(again->canonical_text() == policy->canonical_text(), "canonical text is not stable");
  Check(again->sha256() == policy->sha256(), "SHA-256 differs after a round trip");
  return 0;
}
