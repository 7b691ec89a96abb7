#ifndef VELLUM_API_CONFIG_POLICY_LOADER_H_
#define VELLUM_API_CONFIG_POLICY_LOADER_H_

// The deployment policy file (docs/gate.md, "Policies"): YAML mapped onto
// ledger/policy/policy.proto (unknown keys and wrong types are errors naming the key path and
// line), then checked and compiled (ledger::policy::DeployPolicy::Compile). Nothing takes effect
// unless all of it is good.

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/policy/deploy_policy.h"

namespace vellum {
namespace api {
namespace config {

inline constexpr size_t kMaxPolicyBytes = 256 * 1024;

absl::StatusOr<ledger::policy::DeployPolicy> ParsePolicy(absl::string_view yaml);
// Reads at most kMaxPolicyBytes from `path`, then ParsePolicy.
absl::StatusOr<ledger::policy::DeployPolicy> LoadPolicyFile(absl::string_view path);

}  // namespace config
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CONFIG_POLICY_LOADER_H_
