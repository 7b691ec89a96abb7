#include "ledger/policy/deploy_policy.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/canonical_json.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

absl::Status Bad(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// "HH:MM" as minutes of the day.
absl::optional<int> ParseClock(absl::string_view text) {
  if (text.size() != 5 || text[2] != ':') return absl::nullopt;
  int hours = 0;
  int minutes = 0;
  if (!absl::ascii_isdigit(static_cast<unsigned char>(text[0])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(text[1])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(text[3])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(text[4])) ||
      !absl::SimpleAtoi(text.substr(0, 2), &hours) || !absl::SimpleAtoi(text.substr(3), &minutes) ||
      hours > 23 || minutes > 59) {
    return absl::nullopt;
  }
  return hours * 60 + minutes;
}

absl::Status CheckList(const std::string& where,
                       const google::protobuf::RepeatedPtrField<std::string>& list) {
  if (list.size() > static_cast<int>(kMaxRuleListItems)) {
    return Bad(where, absl::StrCat("got ", list.size(), " items, want at most ",
                                   kMaxRuleListItems));
  }
  for (const std::string& item : list) {
    if (item.empty() || item.size() > kMaxRuleStringBytes) {
      return Bad(where, absl::StrCat("got an item of ", item.size(), " bytes, want 1..",
                                     kMaxRuleStringBytes));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CompiledRule> CompileRule(const Rule& rule, const std::string& where) {
  CompiledRule out;
  out.id = rule.id();
  if (rule.id().empty() || rule.id().size() > kMaxRuleIdBytes ||
      !std::all_of(rule.id().begin(), rule.id().end(), IsIdChar)) {
    return Bad(absl::StrCat(where, ".id"),
               absl::StrCat("got \"", rule.id().substr(0, kMaxRuleIdBytes),
                            "\", want 1 to 64 letters, digits, '-', '_' or '.'"));
  }
  const Match& match = rule.match();
  for (const auto& [name, list] :
       {std::pair<const char*, const google::protobuf::RepeatedPtrField<std::string>*>{
            "match.actions", &match.actions()},
        {"match.models", &match.models()},
        {"match.environments", &match.environments()},
        {"require.approver_groups", &rule.require().approver_groups()},
        {"require.window.days", &rule.require().window().days()}}) {
    if (absl::Status s = CheckList(absl::StrCat(where, ".", name), *list); !s.ok()) return s;
  }
  for (const std::string& action : match.actions()) {
    absl::optional<Action> parsed = ParseActionName(action);
    if (!parsed.has_value()) {
      return Bad(absl::StrCat(where, ".match.actions"),
                 absl::StrCat("got \"", action, "\", want an action like deploy or promote"));
    }
    out.actions.push_back(*parsed);
  }
  out.models.assign(match.models().begin(), match.models().end());
  out.environments.assign(match.environments().begin(), match.environments().end());
  if (match.labels_size() > static_cast<int>(kMaxRuleListItems)) {
    return Bad(absl::StrCat(where, ".match.labels"),
               absl::StrCat("got ", match.labels_size(), " labels, want at most ",
                            kMaxRuleListItems));
  }
  for (const auto& [key, value] : match.labels()) {
    if (key.empty() || key.size() > kMaxRuleStringBytes || value.size() > kMaxRuleStringBytes) {
      return Bad(absl::StrCat(where, ".match.labels"),
                 absl::StrCat("got a key of ", key.size(), " and a value of ", value.size(),
                              " bytes, want a key of 1..", kMaxRuleStringBytes,
                              " and a value of at most ", kMaxRuleStringBytes));
    }
    out.labels.emplace(key, value);
  }
  const bool has_require = rule.has_require();
  if (rule.has_allow() == has_require) {
    return Bad(where, "want exactly one of allow (true or false) and require");
  }
  if (rule.has_allow()) {
    out.allow = rule.allow();
    return out;
  }
  const Requirements& require = rule.require();
  if (require.approvals() > kMaxApprovals) {
    return Bad(absl::StrCat(where, ".require.approvals"),
               absl::StrCat("got ", require.approvals(), ", want at most ", kMaxApprovals));
  }
  out.approvals = require.approvals();
  out.approver_groups.assign(require.approver_groups().begin(), require.approver_groups().end());
  out.distinct_from_requester = require.distinct_from_requester();
  out.same_digest = require.same_digest();
  const bool about_approvals = !require.approver_groups().empty() ||
                               require.distinct_from_requester() || require.same_digest() ||
                               !require.max_age().empty() || require.review_sources_size() > 0;
  for (int i = 0; i < require.review_sources_size(); ++i) {
    const std::string& source = require.review_sources(i);
    const std::string at = absl::StrCat(where, ".require.review_sources[", i, "]");
    if (source != "github") {
      return Bad(at, absl::StrCat("got \"", source.substr(0, 32), "\", want github"));
    }
    if (require.same_digest()) {
      return Bad(at, "github reviews evidence no digest: want same_digest off, or no github");
    }
    out.review_sources.push_back(source);
  }
  if (absl::Status s = CheckList(absl::StrCat(where, ".require.review_repositories"),
                                 require.review_repositories());
      !s.ok()) {
    return s;
  }
  out.review_repositories.assign(require.review_repositories().begin(),
                                 require.review_repositories().end());
  if (out.review_sources.empty() != out.review_repositories.empty()) {
    return Bad(absl::StrCat(where, ".require"),
               "want review_sources and review_repositories together: a GitHub review counts "
               "only for the repositories the rule names");
  }
  if (about_approvals && require.approvals() == 0) {
    return Bad(absl::StrCat(where, ".require"),
               "approver_groups, distinct_from_requester, same_digest and max_age qualify "
               "approvals: want approvals of at least 1 with them");
  }
  if (!require.max_age().empty()) {
    absl::Duration age;
    if (!absl::ParseDuration(require.max_age(), &age) || age <= absl::ZeroDuration() ||
        age > kMaxApprovalAge) {
      return Bad(absl::StrCat(where, ".require.max_age"),
                 absl::StrCat("got \"", require.max_age().substr(0, 32),
                              "\", want a duration like 72h or 30m, more than 0, at most 8784h"));
    }
    out.max_age = age;
  }
  if (require.has_window()) {
    out.has_window = true;
    for (const std::string& day : require.window().days()) {
      absl::optional<int> parsed = ParseWeekday(day);
      if (!parsed.has_value()) {
        return Bad(absl::StrCat(where, ".require.window.days"),
                   absl::StrCat("got \"", day, "\", want mon, tue, wed, thu, fri, sat or sun"));
      }
      out.days.push_back(*parsed);
    }
    const std::string& start = require.window().start();
    const std::string& end = require.window().end();
    if (start.empty() != end.empty()) {
      return Bad(absl::StrCat(where, ".require.window"), "want both start and end, or neither");
    }
    if (!start.empty()) {
      absl::optional<int> from = ParseClock(start);
      absl::optional<int> to = ParseClock(end);
      if (!from.has_value() || !to.has_value() || *from == *to) {
        return Bad(absl::StrCat(where, ".require.window"),
                   absl::StrCat("got start \"", start.substr(0, 8), "\" and end \"",
                                end.substr(0, 8), "\", want two different times HH:MM (UTC)"));
      }
      out.minutes = std::make_pair(*from, *to);
    }
  }
  if (require.source_states_size() > static_cast<int>(kMaxRuleListItems)) {
    return Bad(absl::StrCat(where, ".require.source_states"),
               absl::StrCat("got ", require.source_states_size(), ", want at most ",
                            kMaxRuleListItems));
  }
  for (int i = 0; i < require.source_states_size(); ++i) {
    const SourceState& state = require.source_states(i);
    const std::string at = absl::StrCat(where, ".require.source_states[", i, "]");
    if (state.source() != "sagemaker" && state.source() != "mlflow" &&
        state.source() != "databricks") {
      return Bad(absl::StrCat(at, ".source"),
                 absl::StrCat("got \"", state.source().substr(0, 32),
                              "\", want sagemaker, mlflow or databricks"));
    }
    if (state.state().empty() || state.state().size() > kMaxRuleStringBytes) {
      return Bad(absl::StrCat(at, ".state"),
                 absl::StrCat("got ", state.state().size(), " bytes, want 1 to ",
                              kMaxRuleStringBytes));
    }
    if (state.source() == "sagemaker" && state.state() != "approved") {
      return Bad(absl::StrCat(at, ".state"),
                 absl::StrCat("got \"", state.state().substr(0, 32),
                              "\", want approved (SageMaker's only approval state)"));
    }
    out.source_states.emplace_back(state.source(), state.state());
  }
  if (!require.has_window() && require.approvals() == 0 && out.source_states.empty()) {
    return Bad(absl::StrCat(where, ".require"),
               "requires nothing: want approvals, source_states or a window (or allow: true)");
  }
  return out;
}

}  // namespace

absl::optional<int> ParseWeekday(absl::string_view day) {
  static constexpr const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (int i = 0; i < 7; ++i) {
    if (day == kDays[i]) return i;
  }
  return absl::nullopt;
}

absl::StatusOr<DeployPolicy> DeployPolicy::Compile(PolicySet set) {
  if (set.rules_size() > static_cast<int>(kMaxRules)) {
    return Bad("rules", absl::StrCat("got ", set.rules_size(), " rules, want at most ", kMaxRules));
  }
  DeployPolicy policy;
  std::set<std::string> ids;
  for (int i = 0; i < set.rules_size(); ++i) {
    const std::string where = absl::StrCat("rules[", i, "]");
    absl::StatusOr<CompiledRule> rule = CompileRule(set.rules(i), where);
    if (!rule.ok()) return rule.status();
    if (!ids.insert(rule->id).second) {
      return Bad(absl::StrCat(where, ".id"),
                 absl::StrCat("got \"", rule->id, "\" twice, want each id once"));
    }
    policy.rules_.push_back(*std::move(rule));
  }
  policy.canonical_text_ = CanonicalJson(set);
  if (policy.canonical_text_.size() > kMaxConfigTextBytes) {
    return Bad("rules", absl::StrCat("got a canonical text of ", policy.canonical_text_.size(),
                                     " bytes, want at most ", kMaxConfigTextBytes,
                                     " (what one ACTION_POLICY_APPLIED can hold)"));
  }
  policy.sha256_ = crypto::Sha256({policy.canonical_text_});
  policy.set_ = std::move(set);
  return policy;
}

absl::StatusOr<DeployPolicy> DeployPolicy::FromCanonicalText(absl::string_view text) {
  PolicySet set;
  google::protobuf::util::JsonParseOptions options;
  const auto status = google::protobuf::util::JsonStringToMessage(
      std::string(text), &set, options);
  if (!status.ok()) {
    return Bad("policy_applied.canonical_text", "not a policy set in proto3 JSON");
  }
  absl::StatusOr<DeployPolicy> policy = Compile(std::move(set));
  if (!policy.ok()) return policy.status();
  if (policy->canonical_text() != text) {
    return Bad("policy_applied.canonical_text", "not in canonical form");
  }
  return policy;
}

DeployPolicy DeployPolicy::DenyAll() {
  absl::StatusOr<DeployPolicy> empty = Compile(PolicySet());
  return *std::move(empty);  // An empty set always compiles.
}

std::vector<std::string> DeployPolicy::ApproverGroups() const {
  std::set<std::string> groups;
  for (const CompiledRule& rule : rules_) {
    groups.insert(rule.approver_groups.begin(), rule.approver_groups.end());
  }
  return std::vector<std::string>(groups.begin(), groups.end());
}

}  // namespace policy
}  // namespace ledger
}  // namespace vellum
