#include "api/config/policy_loader.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/config/yaml_document.h"
#include "api/config/yaml_message.h"
#include "ledger/file_io.h"
#include "ledger/policy/policy.pb.h"

namespace vellum {
namespace api {
namespace config {

absl::StatusOr<ledger::policy::DeployPolicy> ParsePolicy(absl::string_view yaml) {
  absl::StatusOr<YamlNode> root = ParseYamlDocument(yaml, YamlLimits{kMaxPolicyBytes});
  if (!root.ok()) return root.status();
  ledger::policy::PolicySet set;
  YamlLines lines;
  if (absl::Status s = FillMessageFromYaml(*root, "the policy", &lines, &set); !s.ok()) return s;
  absl::StatusOr<ledger::policy::DeployPolicy> policy =
      ledger::policy::DeployPolicy::Compile(std::move(set));
  if (!policy.ok()) {
    // The compiler names the field ("rules[1].require.max_age"); the file's line follows it.
    const std::string message(policy.status().message());
    const std::string path = message.substr(0, message.find(':'));
    auto line = lines.find(path);
    if (line == lines.end()) return policy.status();
    return absl::InvalidArgumentError(absl::StrCat(path, " (line ", line->second, ")",
                                                   message.substr(path.size())));
  }
  return policy;
}

absl::StatusOr<ledger::policy::DeployPolicy> LoadPolicyFile(absl::string_view path) {
  absl::StatusOr<std::string> text = ledger::ReadInput(std::string(path), kMaxPolicyBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<ledger::policy::DeployPolicy> policy = ParsePolicy(*text);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy file ", path, ": ", policy.status().message()));
  }
  return policy;
}

}  // namespace config
}  // namespace api
}  // namespace vellum
