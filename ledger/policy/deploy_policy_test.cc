#include "ledger/policy/deploy_policy.h"

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "ledger/policy/example_policy.h"
#include "ledger/policy/policy.pb.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

PolicySet Parse(const std::string& text) {
  PolicySet set;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &set)) << text;
  return set;
}

// The example of docs/gate.md (and of the issue), as the YAML loader maps it.
const std::string kExample = std::string(kGovernanceRule) + R"pb(
  rules {
    id: "staging-open"
    match { actions: "deploy" environments: "staging" }
    allow: true
  }
)pb";

TEST(DeployPolicyTest, CompilesTheExample) {
  absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(Parse(kExample));
  ASSERT_TRUE(policy.ok()) << policy.status();
  ASSERT_EQ(policy->rules().size(), 2u);
  const CompiledRule& first = policy->rules()[0];
  EXPECT_EQ(first.actions, (std::vector<Action>{ACTION_DEPLOY, ACTION_PROMOTE}));
  EXPECT_EQ(first.approvals, 2u);
  EXPECT_EQ(first.max_age, absl::Hours(72));
  EXPECT_FALSE(first.allow.has_value());
  EXPECT_EQ(policy->rules()[1].allow, true);
  EXPECT_EQ(policy->ApproverGroups(), std::vector<std::string>{"ml-governance"});
}

TEST(DeployPolicyTest, CanonicalTextRoundTripsAndNamesTheSet) {
  absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(Parse(kExample));
  ASSERT_TRUE(policy.ok());
  absl::StatusOr<DeployPolicy> again = DeployPolicy::FromCanonicalText(policy->canonical_text());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->sha256(), policy->sha256());
  EXPECT_EQ(again->canonical_text(), policy->canonical_text());
  // `allow: false` is kept (proto3 optional), so a deny rule does not read back as no rule.
  absl::StatusOr<DeployPolicy> deny =
      DeployPolicy::Compile(Parse(R"pb(rules { id: "no" allow: false })pb"));
  ASSERT_TRUE(deny.ok()) << deny.status();
  absl::StatusOr<DeployPolicy> deny_again = DeployPolicy::FromCanonicalText(deny->canonical_text());
  ASSERT_TRUE(deny_again.ok()) << deny_again.status() << " " << deny->canonical_text();
  EXPECT_EQ(deny_again->rules()[0].allow, false);
  // Another spelling of the same set is not its canonical text.
  std::string spaced = " " + policy->canonical_text();
  EXPECT_EQ(DeployPolicy::FromCanonicalText(spaced).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DeployPolicy::FromCanonicalText("not json").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DeployPolicyTest, EmptySetDeniesAll) {
  EXPECT_TRUE(DeployPolicy::DenyAll().rules().empty());
}

TEST(DeployPolicyTest, RefusesBadRulesNamingThem) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{R"pb(rules { id: "a" })pb", "rules[0]: want exactly one of allow"},
           Case{R"pb(rules { id: "a" allow: true require { approvals: 1 } })pb",
                "rules[0]: want exactly one of allow"},
           Case{R"pb(rules { id: "" allow: true })pb", "rules[0].id"},
           Case{R"pb(rules { id: "a b" allow: true })pb", "rules[0].id"},
           Case{R"pb(rules { id: "a" allow: true } rules { id: "a" allow: false })pb",
                "rules[1].id: got \"a\" twice"},
           Case{R"pb(rules { id: "a" match { actions: "launch" } allow: true })pb",
                "rules[0].match.actions: got \"launch\""},
           Case{R"pb(rules { id: "a" require { approvals: 17 } })pb",
                "rules[0].require.approvals: got 17, want at most 16"},
           Case{R"pb(rules { id: "a" require { approvals: 1 max_age: "3 days" } })pb",
                "rules[0].require.max_age: got \"3 days\""},
           Case{R"pb(rules { id: "a" require { approvals: 1 max_age: "-1h" } })pb",
                "rules[0].require.max_age"},
           Case{R"pb(rules { id: "a" require { same_digest: true } })pb",
                "want approvals of at least 1"},
           Case{R"pb(rules { id: "a" require {} })pb", "requires nothing"},
           Case{R"pb(rules { id: "a" require { source_states { source: "jenkins" state: "ok" } } })pb",
                "source_states[0].source: got \"jenkins\", want sagemaker, mlflow or databricks"},
           Case{R"pb(rules { id: "a" require { approvals: 1 review_sources: "github" } })pb",
                "want review_sources and review_repositories together"},
           Case{R"pb(rules { id: "a" require { approvals: 1 review_sources: "gitlab" } })pb",
                "review_sources[0]: got \"gitlab\", want github"},
           Case{R"pb(rules { id: "a" require { approvals: 1 same_digest: true review_sources: "github" } })pb",
                "github reviews evidence no digest"},
           Case{R"pb(rules { id: "a" require { review_sources: "github" review_repositories: "a/b" } })pb",
                "want approvals of at least 1"},
           Case{R"pb(rules { id: "a" require { source_states { source: "mlflow" } } })pb",
                "source_states[0].state: got 0 bytes"},
           Case{R"pb(rules { id: "a" require { source_states { source: "sagemaker" state: "Approved" } } })pb",
                "want approved (SageMaker's only approval state)"},
           Case{R"pb(rules { id: "a" require { window { days: "monday" } } })pb",
                "rules[0].require.window.days: got \"monday\""},
           Case{R"pb(rules { id: "a" require { window { start: "09:00" } } })pb",
                "want both start and end"},
           Case{R"pb(rules { id: "a" require { window { start: "24:00" end: "08:00" } } })pb",
                "want two different times"},
           Case{R"pb(rules { id: "a" match { models: "" } allow: true })pb",
                "rules[0].match.models: got an item of 0 bytes"},
       }) {
    absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(Parse(c.text));
    ASSERT_FALSE(policy.ok()) << c.text;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(policy.status().message().find(c.message), std::string::npos)
        << policy.status() << " want " << c.message;
  }
}

TEST(DeployPolicyTest, RefusesTooManyRules) {
  PolicySet set;
  for (size_t i = 0; i <= kMaxRules; ++i) {
    Rule* rule = set.add_rules();
    rule->set_id("r" + std::to_string(i));
    rule->set_allow(true);
  }
  absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(set);
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  set.mutable_rules()->RemoveLast();
  EXPECT_TRUE(DeployPolicy::Compile(set).ok());
}

TEST(DeployPolicyTest, RefusesASetTooLargeForItsRecord) {
  // 200 rules of 64 models of 200 bytes: within every list limit, far past what one entry holds.
  PolicySet set;
  for (int i = 0; i < 200; ++i) {
    Rule* rule = set.add_rules();
    rule->set_id("r" + std::to_string(i));
    rule->set_allow(true);
    for (int j = 0; j < 64; ++j) rule->mutable_match()->add_models(std::string(200, 'm'));
  }
  absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(set);
  ASSERT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(policy.status().message().find("want at most 49152"), std::string::npos)
      << policy.status();
}

}  // namespace
}  // namespace policy
}  // namespace ledger
}  // namespace vellum
