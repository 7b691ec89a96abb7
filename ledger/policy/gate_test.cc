// The gate over a real event log: denied until two governance members approve the exact
// digest, then allowed; every step on the log and replayed to the same decisions; a gate
// attached again sees the same state; retries by request_id; dry runs; overrides; and the
// refusals that change nothing.
#include "ledger/policy/gate.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "ledger/events/event_log.h"
#include "ledger/events/test_event_log.h"
#include "ledger/policy/example_policy.h"
#include "ledger/policy/policy.pb.h"
#include "ledger/policy/replay.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kDigest[] = "sha256:1f2e";

DeployPolicy Governance() {
  PolicySet set;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kGovernanceRule, &set));
  absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(set);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *std::move(policy);
}

GateRequest Production(const std::string& digest = kDigest) {
  GateRequest request;
  request.action = ACTION_DEPLOY;
  request.model = "credit-risk";
  request.version = "4";
  request.digest = digest;
  request.environment = "production";
  return request;
}

Gate::Caller Person(const std::string& name, std::vector<std::string> groups = {}) {
  return Gate::Caller{name, "token", std::move(groups)};
}

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = TestEventLog::Open("example.com/gate");
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    gate_ = AttachGate();
    ASSERT_NE(gate_, nullptr);
  }

  std::unique_ptr<Gate> AttachGate() {
    Gate::Options options;
    options.clock = [this] { return now_; };
    absl::StatusOr<std::unique_ptr<Gate>> gate = Gate::Attach(&log_->events(), options);
    EXPECT_TRUE(gate.ok()) << gate.status();
    return gate.ok() ? *std::move(gate) : nullptr;
  }

  absl::StatusOr<Gate::Checked> Check(Gate::Check check, const Gate::Caller& by,
                                      Gate* gate = nullptr) {
    absl::Notification done;
    absl::StatusOr<Gate::Checked> result;
    (gate == nullptr ? gate_.get() : gate)->Decide(std::move(check), by,
                                                   [&](absl::StatusOr<Gate::Checked> r) {
                                                     result = std::move(r);
                                                     done.Notify();
                                                   });
    done.WaitForNotification();
    return result;
  }

  absl::StatusOr<Gate::Checked> CheckProduction(const std::string& request_id = "") {
    Gate::Check check;
    check.request = Production();
    check.on_behalf_of = "dana";
    check.request_id = request_id;
    return Check(std::move(check), Person("ci-deployer"));
  }

  // Replays the whole log; fails the test on an error.
  Replayer::Summary Replay() {
    Replayer replayer;
    uint64_t index = 0;
    for (const AuditEvent& event : log_->Logged()) {
      EXPECT_TRUE(replayer.Add(index++, event).ok());
    }
    return replayer.summary();
  }

  // Later than every logged time of the test (the log stamps with the wall clock), within max_age.
  absl::Time now_ = absl::Now() + absl::Hours(1);
  std::unique_ptr<TestEventLog> log_;
  std::unique_ptr<Gate> gate_;
};

TEST_F(GateTest, DeniesUntilTwoGovernanceMembersApproveTheDigestThenAllows) {
  ASSERT_TRUE(gate_->Configure(Governance()).ok());
  absl::StatusOr<Gate::Checked> before = CheckProduction();
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(before->decision.allowed);
  EXPECT_TRUE(before->recorded);
  EXPECT_EQ(before->decision.rule, "production-needs-governance");

  absl::StatusOr<ApprovalAsk> ask = gate_->RequestApproval(Production(), Person("dana"));
  ASSERT_TRUE(ask.ok()) << ask.status();
  EXPECT_THAT(ask->id, HasSubstr("apr_"));
  // The requester approving her own request, a member outside the group, and an approval of
  // another digest's request do not count.
  ASSERT_TRUE(gate_->DecideApproval(ask->id, true, "", Person("dana", {"ml-governance"})).ok());
  ASSERT_TRUE(gate_->DecideApproval(ask->id, true, "", Person("eve", {"ml-users"})).ok());
  absl::StatusOr<ApprovalAsk> other = gate_->RequestApproval(Production("sha256:9999"),
                                                             Person("dana"));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(gate_->DecideApproval(other->id, true, "", Person("gus", {"ml-governance"})).ok());
  ASSERT_TRUE(gate_->DecideApproval(ask->id, true, "looks good",
                                    Person("frank", {"ml-governance"})).ok());
  absl::StatusOr<Gate::Checked> one = CheckProduction();
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->decision.allowed);
  EXPECT_THAT(one->decision.reasons, ElementsAre(HasSubstr("has 1")));

  absl::StatusOr<ApprovalVote> second =
      gate_->DecideApproval(ask->id, true, "", Person("grace", {"ml-governance", "sre"}));
  ASSERT_TRUE(second.ok());
  EXPECT_THAT(second->groups, ElementsAre("ml-governance"));
  absl::StatusOr<Gate::Checked> after = CheckProduction();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->decision.allowed) << after->decision.reasons.front();
  EXPECT_THAT(after->decision.approvals, SizeIs(2));
  EXPECT_EQ(after->horizon, second->index + 1);
  EXPECT_GT(after->index, second->index);

  // The log alone gives every decision again.
  Replayer::Summary summary = Replay();
  EXPECT_EQ(summary.policies, 1u);
  EXPECT_EQ(summary.decisions, 3u);
  EXPECT_TRUE(summary.mismatches.empty()) << summary.mismatches.front();

  // So does a gate attached afresh (which takes over the log's observer): same policy, same
  // book.
  std::unique_ptr<Gate> again = AttachGate();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->Policy().index, gate_->Policy().index);
  Gate::Check check;
  check.request = Production();
  check.on_behalf_of = "dana";
  absl::StatusOr<Gate::Checked> restarted = Check(check, Person("ci-deployer"), again.get());
  ASSERT_TRUE(restarted.ok());
  EXPECT_TRUE(restarted->decision.allowed);
  // Its book holds everything logged before it, the last decision included.
  EXPECT_EQ(restarted->horizon, after->index + 1);
}

TEST_F(GateTest, ARejectionVoidsTheRequestAndTheListShowsStates) {
  ASSERT_TRUE(gate_->Configure(Governance()).ok());
  absl::StatusOr<ApprovalAsk> ask = gate_->RequestApproval(Production(), Person("dana"));
  ASSERT_TRUE(ask.ok());
  absl::StatusOr<ApprovalAsk> open = gate_->RequestApproval(Production("sha256:77"),
                                                            Person("dana"));
  ASSERT_TRUE(open.ok());
  for (const char* who : {"frank", "grace"}) {
    ASSERT_TRUE(gate_->DecideApproval(ask->id, true, "", Person(who, {"ml-governance"})).ok());
  }
  std::vector<Gate::ApprovalStatus> approved = gate_->Approvals(Gate::State::kApproved, 10);
  ASSERT_THAT(approved, SizeIs(1));
  EXPECT_EQ(approved[0].request.id, ask->id);
  std::vector<Gate::ApprovalStatus> pending = gate_->Approvals(Gate::State::kPending, 10);
  ASSERT_THAT(pending, SizeIs(1));
  EXPECT_EQ(pending[0].request.id, open->id);

  ASSERT_TRUE(gate_->DecideApproval(ask->id, false, "wrong data", Person("heidi")).ok());
  absl::StatusOr<Gate::Checked> checked = CheckProduction();
  ASSERT_TRUE(checked.ok());
  EXPECT_FALSE(checked->decision.allowed);
  EXPECT_THAT(checked->decision.reasons, ElementsAre(HasSubstr("1 request rejected")));
  EXPECT_THAT(gate_->Approvals(Gate::State::kRejected, 10), SizeIs(1));
  EXPECT_THAT(gate_->Approvals(absl::nullopt, 1), SizeIs(1));
  EXPECT_TRUE(Replay().mismatches.empty());
}

TEST_F(GateTest, ARetryWithTheSameRequestIdGetsTheFirstDecisionBack) {
  ASSERT_TRUE(gate_->Configure(Governance()).ok());
  absl::StatusOr<Gate::Checked> first = CheckProduction("deploy-42");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->decision.allowed);
  const size_t logged = log_->Logged().size();

  // Approvals arrive meanwhile: the retry still answers the decision made, not a new one.
  absl::StatusOr<ApprovalAsk> ask = gate_->RequestApproval(Production(), Person("dana"));
  ASSERT_TRUE(ask.ok());
  for (const char* who : {"frank", "grace"}) {
    ASSERT_TRUE(gate_->DecideApproval(ask->id, true, "", Person(who, {"ml-governance"})).ok());
  }
  absl::StatusOr<Gate::Checked> retry = CheckProduction("deploy-42");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->index, first->index);
  EXPECT_FALSE(retry->decision.allowed);
  EXPECT_EQ(retry->decision.reasons, first->decision.reasons);
  EXPECT_EQ(retry->horizon, first->horizon);
  EXPECT_EQ(retry->evaluated, first->evaluated);
  EXPECT_EQ(log_->Logged().size(), logged + 3);

  // The same id for another check is refused, and appends nothing.
  Gate::Check other;
  other.request = Production("sha256:other");
  other.on_behalf_of = "dana";
  other.request_id = "deploy-42";
  absl::StatusOr<Gate::Checked> reused = Check(other, Person("ci-deployer"));
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(log_->Logged().size(), logged + 3);
  // Another caller's id is its own.
  other.request = Production();
  EXPECT_FALSE(Check(other, Person("other-pipeline")).value().duplicate);
}

TEST_F(GateTest, DryRunsAreNotRecordedAndOverridesAre) {
  ASSERT_TRUE(gate_->Configure(Governance()).ok());
  const size_t logged = log_->Logged().size();
  Gate::Check dry;
  dry.request = Production();
  dry.dry_run = true;
  absl::StatusOr<Gate::Checked> evaluated = Check(dry, Person("ci-deployer"));
  ASSERT_TRUE(evaluated.ok());
  EXPECT_FALSE(evaluated->recorded);
  EXPECT_FALSE(evaluated->decision.allowed);
  EXPECT_EQ(log_->Logged().size(), logged);

  Gate::Check glass;
  glass.request = Production();
  glass.override = true;
  EXPECT_EQ(Check(glass, Person("oncall")).status().code(), absl::StatusCode::kInvalidArgument);
  glass.override_reason = "incident 7: roll forward the fix";
  absl::StatusOr<Gate::Checked> forced = Check(glass, Person("oncall"));
  ASSERT_TRUE(forced.ok());
  EXPECT_TRUE(forced->decision.allowed);
  EXPECT_TRUE(forced->override);
  const AuditEvent recorded = log_->Logged().back();
  EXPECT_TRUE(recorded.gate().override());
  EXPECT_TRUE(recorded.gate().approvals().empty());
  Replayer::Summary summary = Replay();
  EXPECT_EQ(summary.overrides, 1u);
  EXPECT_EQ(summary.decisions, 0u);
}

TEST_F(GateTest, PoliciesAreOnRecordOnceAndDenyAllWithoutOne) {
  // No policy: nothing on record until the first decision, which puts the empty set there.
  ASSERT_TRUE(gate_->Configure(absl::nullopt).ok());
  EXPECT_EQ(gate_->Policy().policy, nullptr);
  EXPECT_TRUE(log_->Logged().empty());
  absl::StatusOr<Gate::Checked> denied = CheckProduction();
  ASSERT_TRUE(denied.ok());
  EXPECT_FALSE(denied->decision.allowed);
  EXPECT_THAT(denied->decision.reasons, ElementsAre(HasSubstr("denied by default")));
  const Gate::PolicyInForce deny_all = gate_->Policy();
  ASSERT_NE(deny_all.policy, nullptr);
  EXPECT_TRUE(deny_all.policy->rules().empty());
  EXPECT_EQ(log_->Logged()[deny_all.index].policy_applied().applied_by(), "default");

  absl::StatusOr<Gate::PolicyInForce> applied =
      gate_->Apply(Governance(), "api", Person("board-admin"));
  ASSERT_TRUE(applied.ok());
  EXPECT_TRUE(applied->applied);
  absl::StatusOr<Gate::PolicyInForce> again =
      gate_->Apply(Governance(), "api", Person("board-admin"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->applied);
  EXPECT_EQ(again->index, applied->index);
  // Without a configured policy a restart keeps the one on record.
  std::unique_ptr<Gate> restarted = AttachGate();
  ASSERT_TRUE(restarted->Configure(absl::nullopt).ok());
  EXPECT_EQ(restarted->Policy().index, applied->index);
  const AuditEvent event = log_->Logged()[applied->index];
  EXPECT_EQ(event.policy_applied().applied_by(), "api");
  EXPECT_EQ(event.actor().subject(), "board-admin");
  EXPECT_EQ(Replay().policies, 2u);
}

TEST_F(GateTest, OtherSystemsRecordsReachTheGateAsTheyAreLogged) {
  PolicySet set;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    rules {
      id: "sagemaker-approved"
      match { environments: "production" }
      require { source_states { source: "sagemaker" state: "approved" } }
    }
  )pb", &set));
  absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(set);
  ASSERT_TRUE(policy.ok()) << policy.status();
  ASSERT_TRUE(gate_->Configure(*std::move(policy)).ok());
  absl::StatusOr<Gate::Checked> before = CheckProduction();
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->decision.allowed);
  EXPECT_THAT(before->decision.reasons,
              ElementsAre(HasSubstr("needs sagemaker to show credit-risk 4 approved")));

  // SageMaker's approval arrives through the event log, as its adapter's delivery would.
  AuditEvent approved;
  approved.mutable_id()->set_source("sagemaker");
  approved.mutable_id()->set_source_id("package-state-1");
  approved.mutable_event_time()->set_seconds(1796000000);
  approved.mutable_observer()->set_adapter("sagemaker");
  approved.set_action(ACTION_APPROVE);
  approved.mutable_target()->set_model_name("credit-risk");
  approved.mutable_target()->set_model_version("4");
  approved.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  ASSERT_TRUE(log_->Append({approved}).ok());
  const uint64_t record = log_->Logged().size() - 1;
  absl::StatusOr<Gate::Checked> after = CheckProduction();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->decision.allowed) << after->decision.reasons.front();
  EXPECT_GT(after->horizon, record);

  Replayer::Summary summary = Replay();
  EXPECT_EQ(summary.source_records, 1u);
  EXPECT_EQ(summary.decisions, 2u);
  EXPECT_TRUE(summary.mismatches.empty()) << summary.mismatches.front();
  // A gate attached afresh finds the record on the log.
  std::unique_ptr<Gate> again = AttachGate();
  Gate::Check check;
  check.request = Production();
  check.on_behalf_of = "dana";
  absl::StatusOr<Gate::Checked> restarted = Check(check, Person("ci-deployer"), again.get());
  ASSERT_TRUE(restarted.ok());
  EXPECT_TRUE(restarted->decision.allowed);
}

TEST_F(GateTest, BadRequestsAreRefusedAndChangeNothing) {
  ASSERT_TRUE(gate_->Configure(Governance()).ok());
  const size_t logged = log_->Logged().size();
  GateRequest bad = Production();
  bad.action = ACTION_REGISTER;
  EXPECT_THAT(CheckGateRequest(bad).message(), HasSubstr("want deploy or promote"));
  bad = Production();
  bad.model = "";
  EXPECT_THAT(CheckGateRequest(bad).message(), HasSubstr("model"));
  bad = Production();
  bad.environment = std::string(kMaxNameBytes + 1, 'p');
  EXPECT_THAT(CheckGateRequest(bad).message(), HasSubstr("want at most 256"));
  bad = Production();
  bad.version = "4 5";
  EXPECT_THAT(CheckGateRequest(bad).message(), HasSubstr("without spaces"));
  for (int i = 0; i <= static_cast<int>(kMaxGateLabels); ++i) {
    bad.labels[absl::StrCat("k", i)] = "v";
  }
  bad.version = "4";
  EXPECT_THAT(CheckGateRequest(bad).message(), HasSubstr("labels"));
  EXPECT_FALSE(gate_->RequestApproval(bad, Person("dana")).ok());
  Gate::Check check;
  check.request = bad;
  EXPECT_EQ(Check(check, Person("ci")).status().code(), absl::StatusCode::kInvalidArgument);
  check.request = Production();
  check.request_id = std::string(kMaxRequestIdBytes + 1, 'r');
  EXPECT_EQ(Check(check, Person("ci")).status().code(), absl::StatusCode::kInvalidArgument);
  check.request_id = "fine";
  EXPECT_EQ(Check(check, Gate::Caller()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(gate_->DecideApproval("apr_none", true, "", Person("frank")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(log_->Logged().size(), logged);
}

}  // namespace
}  // namespace policy
}  // namespace ledger
}  // namespace vellum
