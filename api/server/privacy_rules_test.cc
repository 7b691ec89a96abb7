#include "api/server/privacy_rules.h"

#include <string>

#include "api/config/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/privacy/event_sealer.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kSources = {"github", "native", "vellum"};

absl::StatusOr<ledger::Custodian::Options> OptionsOf(const std::string& yaml) {
  absl::StatusOr<config::Config> config = config::ParseConfig(yaml, "/etc/vellum");
  if (!config.ok()) return config.status();
  return PrivacyOptionsOf(*config, kSources);
}

TEST(PrivacyRulesTest, WithoutASectionTheDefaultsSeal) {
  auto options = OptionsOf("listen: 127.0.0.1:0\n");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->default_rules.fields, ledger::PrivacyRules::Default().fields);
  EXPECT_TRUE(options->rules.empty());
}

TEST(PrivacyRulesTest, FieldsThenSources) {
  auto options = OptionsOf(
      "privacy:\n"
      "  fields: {outcome.reason: seal, context.labels.ticket: drop, actor.groups: clear}\n"
      "  sources:\n"
      "    github: {fields: {context.user_agent: drop}}\n"
      "  unsealed_read_burst: 5\n");
  ASSERT_TRUE(options.ok()) << options.status();
  const ledger::PrivacyRules& all = options->default_rules;
  EXPECT_EQ(all.RuleFor("outcome.reason"), ledger::FieldRule::kSeal);
  EXPECT_EQ(all.RuleFor("context.labels.ticket"), ledger::FieldRule::kDrop);
  EXPECT_EQ(all.RuleFor("actor.groups"), ledger::FieldRule::kClear);
  EXPECT_EQ(all.RuleFor("actor.subject"), ledger::FieldRule::kSeal);  // the default stays
  ASSERT_EQ(options->rules.count("github"), 1u);
  const ledger::PrivacyRules& github = options->rules.at("github");
  EXPECT_EQ(github.RuleFor("context.user_agent"), ledger::FieldRule::kDrop);
  EXPECT_EQ(github.RuleFor("outcome.reason"), ledger::FieldRule::kSeal);
  EXPECT_EQ(options->read_burst, 5);
}

TEST(PrivacyRulesTest, ErrorsNameTheKey) {
  auto bad_path = OptionsOf("privacy: {fields: {actor.email: seal}}\n");
  ASSERT_FALSE(bad_path.ok());
  EXPECT_THAT(bad_path.status().message(), HasSubstr("privacy.fields.actor.email"));
  auto bad_rule = OptionsOf("privacy: {fields: {actor.subject: hide}}\n");
  ASSERT_FALSE(bad_rule.ok());
  EXPECT_THAT(bad_rule.status().message(), HasSubstr("privacy.fields.actor.subject"));
  EXPECT_THAT(bad_rule.status().message(), HasSubstr("want seal, drop or clear"));
  auto bad_source = OptionsOf("privacy: {sources: {gitlab: {fields: {}}}}\n");
  ASSERT_FALSE(bad_source.ok());
  EXPECT_THAT(bad_source.status().message(), HasSubstr("privacy.sources.gitlab"));
  auto bare_label = OptionsOf("privacy: {fields: {context.labels.: seal}}\n");
  EXPECT_FALSE(bare_label.ok());
  auto bad_rate = OptionsOf("privacy: {unsealed_read_per_second: 0}\n");
  ASSERT_FALSE(bad_rate.ok());
  EXPECT_THAT(bad_rate.status().message(), HasSubstr("privacy.unsealed_read_per_second"));
}

TEST(PrivacyRulesTest, RetentionRules) {
  auto options = OptionsOf(
      "privacy:\n"
      "  retention:\n"
      "    - {name: inference, actions: [ACTION_INFER], keep_days: 30}\n"
      "    - {name: github, adapters: [github], keep_days: 365}\n"
      "  retention_interval_seconds: 600\n");
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_EQ(options->retention.rules_size(), 2);
  EXPECT_EQ(options->retention.rules(0).actions(0), ledger::ACTION_INFER);
  EXPECT_EQ(options->retention.rules(1).adapters(0), "github");
  EXPECT_EQ(options->retention_interval, absl::Seconds(600));
  auto bad_action = OptionsOf("privacy: {retention: [{name: a, actions: [INFER], keep_days: 1}]}");
  ASSERT_FALSE(bad_action.ok());
  EXPECT_THAT(bad_action.status().message(), HasSubstr("privacy.retention[0].actions[0]"));
  auto bad_source =
      OptionsOf("privacy: {retention: [{name: a, adapters: [gitlab], keep_days: 1}]}");
  ASSERT_FALSE(bad_source.ok());
  EXPECT_THAT(bad_source.status().message(), HasSubstr("privacy.retention[0].adapters"));
  auto no_days = OptionsOf("privacy: {retention: [{name: a}]}");
  ASSERT_FALSE(no_days.ok());
  EXPECT_THAT(no_days.status().message(), HasSubstr("privacy.retention[0].keep_days"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
