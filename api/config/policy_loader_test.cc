#include "api/config/policy_loader.h"

#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/file_io.h"
#include "ledger/policy/deploy_policy.h"

namespace vellum {
namespace api {
namespace config {
namespace {

// The first ```yaml block of docs/gate.md: the example must work as written.
std::string GateDocExample() {
  absl::StatusOr<std::string> page = ledger::ReadInput("docs/gate.md", 1 << 20);
  EXPECT_TRUE(page.ok()) << page.status();
  if (!page.ok()) return "";
  const size_t start = page->find("```yaml\n");
  EXPECT_NE(start, std::string::npos);
  const size_t body = start + 8;
  return page->substr(body, page->find("```", body) - body);
}

// Every policy of docs/gate.md (its ```yaml blocks that start with "rules:") compiles as written.
TEST(PolicyLoaderTest, EveryPolicyOfTheDocsWorksAsWritten) {
  absl::StatusOr<std::string> page = ledger::ReadInput("docs/gate.md", 1 << 20);
  ASSERT_TRUE(page.ok()) << page.status();
  int policies = 0;
  for (size_t at = page->find("```yaml\n"); at != std::string::npos;
       at = page->find("```yaml\n", at + 1)) {
    const size_t body = at + 8;
    const std::string block = page->substr(body, page->find("```", body) - body);
    if (block.rfind("rules:", 0) != 0) continue;
    ++policies;
    absl::StatusOr<ledger::policy::DeployPolicy> policy = ParsePolicy(block);
    EXPECT_TRUE(policy.ok()) << policy.status() << "\n" << block;
  }
  EXPECT_GE(policies, 2);
}

TEST(PolicyLoaderTest, TheExampleOfTheDocsWorksAsWritten) {
  absl::StatusOr<ledger::policy::DeployPolicy> policy = ParsePolicy(GateDocExample());
  ASSERT_TRUE(policy.ok()) << policy.status();
  ASSERT_EQ(policy->rules().size(), 2u);
  const ledger::policy::CompiledRule& governance = policy->rules()[0];
  EXPECT_EQ(governance.id, "production-needs-governance");
  EXPECT_EQ(governance.actions,
            (std::vector<ledger::Action>{ledger::ACTION_DEPLOY, ledger::ACTION_PROMOTE}));
  EXPECT_EQ(governance.environments, std::vector<std::string>{"production"});
  EXPECT_EQ(governance.approvals, 2u);
  EXPECT_EQ(governance.approver_groups, std::vector<std::string>{"ml-governance"});
  EXPECT_TRUE(governance.distinct_from_requester);
  EXPECT_TRUE(governance.same_digest);
  EXPECT_EQ(governance.max_age, absl::Hours(72));
  EXPECT_EQ(policy->rules()[1].allow, true);
}

TEST(PolicyLoaderTest, ErrorsNameTheKeyAndLine) {
  struct Case {
    const char* yaml;
    const char* want;
  };
  for (const Case& c : {
           Case{"rule: []\n", "rule (line 1): unknown key; want one of rules"},
           Case{"rules:\n  - id: a\n    allow: \"true\"\n",
                "rules[0].allow (line 3): want true or false, got the string \"true\""},
           Case{"rules:\n  - id: a\n    require: {approvals: 1, max_age: forever}\n",
                "rules[0].require.max_age (line 3): got \"forever\""},
           Case{"rules:\n  - id: a\n    allow: true\n  - id: a\n    allow: false\n",
                "rules[1].id (line 4): got \"a\" twice"},
           Case{"rules:\n  - id: a\n    match: {actions: [launch]}\n    allow: true\n",
                "rules[0].match.actions (line 3): got \"launch\""},
           Case{"rules: &a [*a]\n", "line 1"},
           Case{"- just a list\n", "the policy (line 1): want a map"},
       }) {
    absl::StatusOr<ledger::policy::DeployPolicy> policy = ParsePolicy(c.yaml);
    ASSERT_FALSE(policy.ok()) << c.yaml;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(policy.status().message().find(c.want), std::string::npos)
        << policy.status() << "\nwant: " << c.want;
  }
}

TEST(PolicyLoaderTest, FilesPastTheLimitAreRefused) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string big = dir + "/big.yaml";
  ASSERT_TRUE(
      ledger::WriteNewFile(big, "rules: []\n#" + std::string(kMaxPolicyBytes, 'x'), 0600).ok());
  absl::StatusOr<ledger::policy::DeployPolicy> refused = LoadPolicyFile(big);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(big), std::string::npos) << refused.status();
  const std::string path = dir + "/small.yaml";
  ASSERT_TRUE(ledger::WriteNewFile(path, "rules: []\n", 0600).ok());
  absl::StatusOr<ledger::policy::DeployPolicy> policy = LoadPolicyFile(path);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->rules().empty());
  EXPECT_FALSE(LoadPolicyFile(dir + "/missing.yaml").ok());
}

}  // namespace
}  // namespace config
}  // namespace api
}  // namespace vellum
