#include "ledger/privacy/retention.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

RetentionRules Rules(uint32_t infer_days, uint32_t github_days) {
  RetentionRules rules;
  RetentionRule* infer = rules.add_rules();
  infer->set_name("inference");
  infer->add_actions(ACTION_INFER);
  infer->set_keep_days(infer_days);
  RetentionRule* github = rules.add_rules();
  github->set_name("github");
  github->add_adapters("github");
  github->set_keep_days(github_days);
  return rules;
}

TEST(RetentionTest, TheFirstMatchingRuleGoverns) {
  const RetentionRules rules = Rules(30, 365);
  AuditEvent event;
  event.set_action(ACTION_INFER);
  event.mutable_observer()->set_adapter("github");
  ASSERT_NE(GoverningRule(rules, event), nullptr);
  EXPECT_EQ(GoverningRule(rules, event)->name(), "inference");
  event.set_action(ACTION_DEPLOY);
  EXPECT_EQ(GoverningRule(rules, event)->name(), "github");
  event.mutable_observer()->set_adapter("mlflow");
  EXPECT_EQ(GoverningRule(rules, event), nullptr);
}

TEST(RetentionTest, OnlyLongerRetentionPassesWithoutAnOverride) {
  EXPECT_TRUE(CheckLengthensOnly(Rules(30, 365), Rules(60, 365)).ok());
  EXPECT_TRUE(CheckLengthensOnly(Rules(30, 365), RetentionRules()).ok());  // kept until erased
  absl::Status shorter = CheckLengthensOnly(Rules(30, 365), Rules(29, 365));
  EXPECT_TRUE(absl::IsFailedPrecondition(shorter));
  EXPECT_THAT(shorter.message(), HasSubstr("privacy.retention[0].keep_days: got 29"));
  RetentionRules reordered = Rules(30, 365);
  reordered.mutable_rules()->SwapElements(0, 1);
  EXPECT_FALSE(CheckLengthensOnly(Rules(30, 365), reordered).ok());
  RetentionRules wider = Rules(30, 365);
  wider.mutable_rules(0)->clear_actions();  // now every event's class
  EXPECT_FALSE(CheckLengthensOnly(Rules(30, 365), wider).ok());
  RetentionRules more = Rules(30, 365);
  more.add_rules()->set_name("extra");
  EXPECT_FALSE(CheckLengthensOnly(Rules(30, 365), more).ok());
}

TEST(RetentionTest, RulesAndRequestsAreChecked) {
  EXPECT_TRUE(CheckRetentionRules(Rules(30, 365), "r").ok());
  RetentionRules twice = Rules(30, 365);
  twice.mutable_rules(1)->set_name("inference");
  EXPECT_THAT(CheckRetentionRules(twice, "r").message(), HasSubstr("r[1].name"));
  EXPECT_TRUE(CheckRetentionRules(Rules(0, 365), "r").ok());  // purged at the next run
  EXPECT_FALSE(CheckRetentionRules(Rules(kMaxRetentionDays + 1, 365), "r").ok());

  auto parsed = ParseRetentionRequest(
      R"({"rules": [{"name": "inference", "actions": ["ACTION_INFER"], "keepDays": 7}],)"
      R"( "reason": "board decision 2026-12"})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->rules(0).keep_days(), 7u);
  for (const char* bad : {R"({"rules": []})", R"({"rules": [], "reason": "r", "x": 1})",
                          R"({"rules": [{"name": "a", "keepDays": 36501}], "reason": "r"})",
                          R"({"rules": [], "reason": "r", "adminOverride": true})",
                          R"({"rules": [{"name": "a", "actions": ["NOPE"], "keepDays": 1}],)"
                          R"( "reason": "r"})",
                          "not json"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseRetentionRequest(bad).status())) << bad;
  }
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
