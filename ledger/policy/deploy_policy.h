#ifndef VELLUM_LEDGER_POLICY_DEPLOY_POLICY_H_
#define VELLUM_LEDGER_POLICY_DEPLOY_POLICY_H_

// A deployment policy set (docs/gate.md, "Policies"), checked and compiled: the rules with their
// actions parsed, durations and time windows read, and the canonical text and SHA-256 that name
// the set on the log (ACTION_POLICY_APPLIED). Immutable and thread-safe once made.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/policy/policy.pb.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace policy {

inline constexpr size_t kMaxRules = 256;
inline constexpr size_t kMaxRuleIdBytes = 64;
// Each list of a rule (actions, models, environments, labels, approver groups, days).
inline constexpr size_t kMaxRuleListItems = 64;
inline constexpr size_t kMaxRuleStringBytes = 256;
inline constexpr uint32_t kMaxApprovals = 16;
// The bound on max_age: a year.
inline constexpr absl::Duration kMaxApprovalAge = absl::Hours(24 * 366);

struct CompiledRule {
  std::string id;
  std::vector<Action> actions;
  std::vector<std::string> models;
  std::vector<std::string> environments;
  std::map<std::string, std::string> labels;
  // Set for allow: true or false; unset for a rule with requirements.
  absl::optional<bool> allow;
  uint32_t approvals = 0;
  std::vector<std::string> approver_groups;
  bool distinct_from_requester = false;
  bool same_digest = false;
  absl::optional<absl::Duration> max_age;
  // The window: days as 0 (Monday) to 6, empty for every day; minutes of the UTC day, start
  // inclusive, end exclusive (end below start wraps past midnight); unset: the whole day.
  // Each (source, state) other systems must show (SourceState).
  std::vector<std::pair<std::string, std::string>> source_states;
  // Other systems whose reviews count toward `approvals`: "github".
  std::vector<std::string> review_sources;
  std::vector<std::string> review_repositories;
  bool has_window = false;
  std::vector<int> days;
  absl::optional<std::pair<int, int>> minutes;
};

class DeployPolicy {
 public:
  // Checks `set` (header comment of policy.proto: unique ids, exactly one of allow and require,
  // known actions, at least one approval for a rule that requires approvals' properties, valid
  // durations and windows, every limit above, a canonical text of at most kMaxConfigTextBytes
  // so that its ACTION_POLICY_APPLIED fits an entry) and compiles it. InvalidArgument naming the rule
  // and field with got/want values.
  static absl::StatusOr<DeployPolicy> Compile(PolicySet set);
  // A set as an ACTION_POLICY_APPLIED records it (its canonical text), compiled. InvalidArgument
  // when the text is not a policy set's canonical text.
  static absl::StatusOr<DeployPolicy> FromCanonicalText(absl::string_view text);
  // The empty set: no rule, so every request is denied.
  static DeployPolicy DenyAll();

  const PolicySet& set() const { return set_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  const std::string& canonical_text() const { return canonical_text_; }
  const crypto::Sha256Digest& sha256() const { return sha256_; }
  // Every group a rule names as approver group, sorted, once each.
  std::vector<std::string> ApproverGroups() const;

 private:
  DeployPolicy() = default;

  PolicySet set_;
  std::vector<CompiledRule> rules_;
  std::string canonical_text_;
  crypto::Sha256Digest sha256_{};
};

// "mon" .. "sun" to 0 .. 6.
absl::optional<int> ParseWeekday(absl::string_view day);

}  // namespace policy
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_POLICY_DEPLOY_POLICY_H_
