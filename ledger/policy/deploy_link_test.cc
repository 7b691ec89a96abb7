// Deploys observed later, linked to the gate decision that allowed them: over a real event log,
// decisions made by the gate and deploys posted as a source system would.
#include "ledger/policy/deploy_link.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "ledger/events/test_event_log.h"
#include "ledger/policy/gate.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

constexpr char kOpenPolicy[] = "{\"rules\":[{\"id\":\"staging-open\",\"match\":{\"environments\":"
                               "[\"staging\"]},\"allow\":true}]}";

AuditEvent Observed(int n, const std::string& version, const std::string& environment,
                    Action action = ACTION_DEPLOY) {
  AuditEvent event;
  event.mutable_id()->set_source("github");
  event.mutable_id()->set_source_id(absl::StrCat("deployment-", n));
  event.mutable_event_time()->set_seconds(1796000000 + n);
  event.mutable_observer()->set_adapter("native");
  event.set_action(action);
  event.mutable_target()->set_model_name("credit-risk");
  event.mutable_target()->set_model_version(version);
  event.mutable_target()->set_environment(environment);
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  return event;
}

class DeployLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = TestEventLog::Open("example.com/deploy-link");
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto gate = Gate::Attach(&log_->events(), Gate::Options());
    ASSERT_TRUE(gate.ok()) << gate.status();
    gate_ = *std::move(gate);
    auto policy = DeployPolicy::FromCanonicalText(kOpenPolicy);
    ASSERT_TRUE(policy.ok()) << policy.status();
    ASSERT_TRUE(gate_->Configure(*std::move(policy)).ok());
  }

  uint64_t Decide(const std::string& version, const std::string& environment) {
    Gate::Check check;
    check.request.action = ACTION_DEPLOY;
    check.request.model = "credit-risk";
    check.request.version = version;
    check.request.environment = environment;
    absl::Notification done;
    uint64_t index = 0;
    gate_->Decide(check, Gate::Caller{"ci", "token", {}}, [&](absl::StatusOr<Gate::Checked> c) {
      EXPECT_TRUE(c.ok()) << c.status();
      if (c.ok()) index = c->index;
      done.Notify();
    });
    done.WaitForNotification();
    return index;
  }

  // Appends `event`; returns its index.
  uint64_t Append(AuditEvent event) {
    EXPECT_TRUE(log_->Append({event}).ok());
    return log_->Logged().size() - 1;
  }

  absl::optional<uint64_t> Link(const AuditEvent& deploy, uint64_t index) {
    absl::StatusOr<absl::optional<uint64_t>> found =
        FindAllowingDecision(log_->events(), deploy, index);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : absl::nullopt;
  }

  std::unique_ptr<TestEventLog> log_;
  std::unique_ptr<Gate> gate_;
};

TEST_F(DeployLinkTest, ADeployLinksToTheLatestDecisionThatAllowedIt) {
  const uint64_t denied = Decide("4", "production");  // No rule: denied.
  const uint64_t first = Decide("4", "staging");
  const uint64_t second = Decide("4", "staging");
  ASSERT_LT(denied, first);

  const AuditEvent staged = Observed(1, "4", "staging");
  ASSERT_TRUE(IsObservedDeploy(staged));
  const uint64_t at = Append(staged);
  EXPECT_EQ(Link(staged, at), second);
  // Looked up as of an earlier point, the earlier decision.
  EXPECT_EQ(Link(staged, second), first);
  // Not allowed in production, nor for another version; a decision after the deploy does not
  // count.
  const AuditEvent prod = Observed(2, "4", "production");
  EXPECT_EQ(Link(prod, Append(prod)), absl::nullopt);
  const AuditEvent other = Observed(3, "5", "staging");
  const uint64_t other_at = Append(other);
  Decide("5", "staging");
  EXPECT_EQ(Link(other, other_at), absl::nullopt);
  // A source that names no version or environment (an MLflow alias) links by what it names.
  AuditEvent alias = Observed(4, "4", "", ACTION_PROMOTE);
  alias.mutable_target()->set_stage("champion");
  EXPECT_EQ(Link(alias, Append(alias)), second);
}

TEST_F(DeployLinkTest, WhatIsAnObservedDeploy) {
  EXPECT_TRUE(IsObservedDeploy(Observed(1, "4", "staging", ACTION_PROMOTE)));
  EXPECT_FALSE(IsObservedDeploy(Observed(1, "4", "staging", ACTION_APPROVE)));
  AuditEvent failed = Observed(1, "4", "staging");
  failed.mutable_outcome()->set_result(Outcome::RESULT_FAILURE);
  EXPECT_FALSE(IsObservedDeploy(failed));
  AuditEvent nameless = Observed(1, "4", "staging");
  nameless.mutable_target()->clear_model_name();
  EXPECT_FALSE(IsObservedDeploy(nameless));
  AuditEvent own = Observed(1, "4", "staging");
  own.mutable_observer()->set_adapter("vellum");
  EXPECT_FALSE(IsObservedDeploy(own));
}

}  // namespace
}  // namespace policy
}  // namespace ledger
}  // namespace vellum
