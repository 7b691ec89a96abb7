#include "ledger/privacy/retention.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace {

absl::Status Invalid(absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", why));
}

bool SameClass(const RetentionRule& a, const RetentionRule& b) {
  return std::equal(a.actions().begin(), a.actions().end(), b.actions().begin(),
                    b.actions().end()) &&
         std::equal(a.adapters().begin(), a.adapters().end(), b.adapters().begin(),
                    b.adapters().end());
}

}  // namespace

absl::Status CheckRetentionRules(const RetentionRules& rules, absl::string_view path) {
  if (static_cast<size_t>(rules.rules_size()) > kMaxRetentionRules) {
    return Invalid(path, absl::StrCat(rules.rules_size(), " rules, want at most ",
                                      kMaxRetentionRules));
  }
  std::set<std::string> names;
  for (int i = 0; i < rules.rules_size(); ++i) {
    const RetentionRule& rule = rules.rules(i);
    const std::string at = absl::StrCat(path, "[", i, "]");
    if (rule.name().empty() || rule.name().size() > kMaxRetentionRuleNameBytes ||
        !std::all_of(rule.name().begin(), rule.name().end(),
                     [](char c) { return c >= 0x21 && c <= 0x7e; })) {
      return Invalid(absl::StrCat(at, ".name"),
                     absl::StrCat(rule.name().size(), " bytes, want 1 to ",
                                  kMaxRetentionRuleNameBytes, " of printable ASCII, no space"));
    }
    if (!names.insert(rule.name()).second) {
      return Invalid(absl::StrCat(at, ".name"), absl::StrCat("\"", rule.name(), "\" twice"));
    }
    if (rule.keep_days() > kMaxRetentionDays) {
      return Invalid(absl::StrCat(at, ".keep_days"),
                     absl::StrCat("got ", rule.keep_days(), ", want 0 to ", kMaxRetentionDays));
    }
    if (rule.actions_size() > 64 || rule.adapters_size() > 64) {
      return Invalid(at, "want at most 64 actions and 64 adapters");
    }
    for (int a : rule.actions()) {
      if (a == ACTION_UNSPECIFIED || !Action_IsValid(a)) {
        return Invalid(absl::StrCat(at, ".actions"), absl::StrCat("got action ", a));
      }
    }
    for (const std::string& adapter : rule.adapters()) {
      if (adapter.empty() || adapter.size() > 64 || !IsValidUtf8(adapter)) {
        return Invalid(absl::StrCat(at, ".adapters"), "want names of 1 to 64 bytes");
      }
    }
  }
  return absl::OkStatus();
}

const RetentionRule* GoverningRule(const RetentionRules& rules, const AuditEvent& event) {
  for (const RetentionRule& rule : rules.rules()) {
    const bool action = rule.actions().empty() ||
                        std::find(rule.actions().begin(), rule.actions().end(),
                                  event.action()) != rule.actions().end();
    const bool adapter = rule.adapters().empty() ||
                         std::find(rule.adapters().begin(), rule.adapters().end(),
                                   event.observer().adapter()) != rule.adapters().end();
    if (action && adapter) return &rule;
  }
  return nullptr;
}

absl::Status CheckLengthensOnly(const RetentionRules& in_force, const RetentionRules& next) {
  if (next.rules_size() == 0) return absl::OkStatus();
  const std::string how =
      "retention is only lengthened by configuration (the same rules, in the same order, with "
      "keep_days no shorter); a retention.admin principal changes it otherwise with "
      "POST /v1/retention";
  if (next.rules_size() != in_force.rules_size()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "privacy.retention: ", next.rules_size(), " rules, ", in_force.rules_size(),
        " in force: ", how));
  }
  for (int i = 0; i < next.rules_size(); ++i) {
    const RetentionRule& a = in_force.rules(i);
    const RetentionRule& b = next.rules(i);
    if (a.name() != b.name() || !SameClass(a, b)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "privacy.retention[", i, "]: rule \"", b.name(), "\" differs from the rule \"",
          a.name(), "\" in force in its name or class: ", how));
    }
    if (b.keep_days() < a.keep_days()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "privacy.retention[", i, "].keep_days: got ", b.keep_days(), ", shorter than the ",
          a.keep_days(), " in force: ", how));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RetentionRules> ParseRetentionRequest(absl::string_view json) {
  if (json.size() > kMaxRetentionRequestBytes) {
    return Invalid("retention request", absl::StrCat(json.size(), " bytes, want at most ",
                                                     kMaxRetentionRequestBytes));
  }
  if (!IsValidUtf8(json)) return Invalid("retention request", "not valid UTF-8");
  RetentionRules rules;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &rules, options).ok()) {
    return Invalid("retention request",
                   "want a JSON object with the keys rules (each with name, actions, adapters "
                   "and keepDays) and reason, and values of their types");
  }
  if (rules.admin_override()) {
    return Invalid("retention request: adminOverride", "set by the server");
  }
  if (rules.reason().empty() || rules.reason().size() > kMaxRetentionReasonBytes) {
    return Invalid("retention request: reason",
                   absl::StrCat(rules.reason().size(), " bytes, want 1 to ",
                                kMaxRetentionReasonBytes));
  }
  if (absl::Status s = CheckRetentionRules(rules, "retention request: rules"); !s.ok()) return s;
  return rules;
}

}  // namespace ledger
}  // namespace vellum
