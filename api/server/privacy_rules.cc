#include "api/server/privacy_rules.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/privacy/retention.h"

namespace vellum {
namespace api {
namespace {

absl::Status Apply(const google::protobuf::Map<std::string, std::string>& fields,
                   const std::string& path, ledger::PrivacyRules* rules) {
  // In key order, so that the first error is the same on every run.
  const std::map<std::string, std::string> sorted(fields.begin(), fields.end());
  for (const auto& [field, rule] : sorted) {
    const std::string key = absl::StrCat(path, ".", field);
    if (!ledger::IsPersonalFieldPath(field)) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ": not a personal field; want actor.subject, actor.groups, outcome.reason, "
               "context.source_ip, context.user_agent, context.labels.<key>, "
               "provenance.principal, config_applied.principal, hold.reason or "
               "retention.reason"));
    }
    if (rule == "seal") {
      rules->fields[field] = ledger::FieldRule::kSeal;
    } else if (rule == "drop") {
      rules->fields[field] = ledger::FieldRule::kDrop;
    } else if (rule == "clear") {
      rules->fields[field] = ledger::FieldRule::kClear;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": got \"", rule, "\", want seal, drop or clear"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ledger::Custodian::Options> PrivacyOptionsOf(
    const config::Config& config, const std::vector<std::string>& sources) {
  const config::Privacy& privacy = config.privacy();
  ledger::Custodian::Options options;
  if (absl::Status s = Apply(privacy.fields(), "privacy.fields", &options.default_rules);
      !s.ok()) {
    return s;
  }
  const std::map<std::string, config::PrivacyFields> by_source(privacy.sources().begin(),
                                                               privacy.sources().end());
  for (const auto& [source, fields] : by_source) {
    const std::string path = absl::StrCat("privacy.sources.", source);
    if (std::find(sources.begin(), sources.end(), source) == sources.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": no such source; want one of ", absl::StrJoin(sources, ", ")));
    }
    ledger::PrivacyRules rules = source == "vellum"
                                     ? ledger::PrivacyRules::ForServerEvents(options.default_rules)
                                     : options.default_rules;
    if (absl::Status s = Apply(fields.fields(), absl::StrCat(path, ".fields"), &rules); !s.ok()) {
      return s;
    }
    options.rules[source] = std::move(rules);
  }
  if (privacy.has_unsealed_read_burst()) options.read_burst = privacy.unsealed_read_burst();
  if (privacy.has_unsealed_read_per_second()) {
    if (!(privacy.unsealed_read_per_second() > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "privacy.unsealed_read_per_second: got ", privacy.unsealed_read_per_second(),
          ", want more than 0"));
    }
    options.read_per_second = privacy.unsealed_read_per_second();
  }
  for (int i = 0; i < privacy.retention_size(); ++i) {
    const config::RetentionRule& in = privacy.retention(i);
    if (!in.has_keep_days()) {
      return absl::InvalidArgumentError(
          absl::StrCat("privacy.retention[", i, "].keep_days: missing; want the days to keep"));
    }
    ledger::RetentionRule* out = options.retention.add_rules();
    out->set_name(in.name());
    out->set_keep_days(in.keep_days());
    for (int j = 0; j < in.actions_size(); ++j) {
      ledger::Action action;
      if (!ledger::Action_Parse(in.actions(j), &action) ||
          action == ledger::ACTION_UNSPECIFIED) {
        return absl::InvalidArgumentError(absl::StrCat("privacy.retention[", i, "].actions[", j,
                                                       "]: got \"", in.actions(j),
                                                       "\", want an action name (ACTION_INFER)"));
      }
      out->add_actions(action);
    }
    for (const std::string& adapter : in.adapters()) {
      if (std::find(sources.begin(), sources.end(), adapter) == sources.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "privacy.retention[", i, "].adapters: no source \"", adapter, "\"; want one of ",
            absl::StrJoin(sources, ", ")));
      }
      out->add_adapters(adapter);
    }
  }
  if (absl::Status s = ledger::CheckRetentionRules(options.retention, "privacy.retention");
      !s.ok()) {
    return s;
  }
  if (privacy.has_retention_interval_seconds()) {
    options.retention_interval = absl::Seconds(privacy.retention_interval_seconds());
  }
  if (config.audit().has_summary_interval_seconds()) {
    options.summary_interval = absl::Seconds(config.audit().summary_interval_seconds());
  }
  return options;
}

}  // namespace api
}  // namespace vellum
