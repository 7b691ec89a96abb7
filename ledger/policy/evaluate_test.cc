#include "ledger/policy/evaluate.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/server_event.h"
#include "ledger/policy/approval_book.h"
#include "ledger/policy/deploy_policy.h"
#include "ledger/policy/example_policy.h"
#include "ledger/policy/policy.pb.h"
#include "ledger/policy/replay.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 12, 2, 12, 0, 0), absl::UTCTimeZone());

constexpr char kDigest[] = "sha256:aaaa";

const std::string kPolicy = std::string(kGovernanceRule) + R"pb(
  rules {
    id: "production-freeze"
    match { environments: "production" }
    allow: false
  }
  rules {
    id: "staging-open"
    match { actions: "deploy" environments: "staging" }
    allow: true
  }
  rules {
    id: "canary-office-hours"
    match { environments: "canary" labels { key: "tier" value: "web" } }
    require { window { days: "mon" days: "tue" days: "wed" days: "thu" days: "fri" start: "09:00" end: "17:00" } }
  }
)pb";

DeployPolicy Compile(const std::string& text) {
  PolicySet set;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &set));
  absl::StatusOr<DeployPolicy> policy = DeployPolicy::Compile(set);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *std::move(policy);
}

void SetLogged(absl::Time t, AuditEvent* event) {
  *event->mutable_logged_time() = ToProtoTime(t);
}

AuditEvent Ask(const std::string& id, const std::string& requester, const std::string& digest,
               const std::string& environment = "production", absl::Time logged = kNow) {
  AuditEvent event = NewServerEvent(ACTION_REQUEST_APPROVAL, logged);
  event.mutable_observer()->set_adapter(std::string(kServerSource));
  event.mutable_actor()->set_pseudonym(requester);
  event.mutable_target()->set_model_name("credit-risk");
  event.mutable_target()->set_model_version("4");
  event.mutable_target()->set_model_digest(digest);
  event.mutable_target()->set_environment(environment);
  event.mutable_approval()->set_id(id);
  event.mutable_approval()->set_action(ACTION_DEPLOY);
  SetLogged(logged, &event);
  return event;
}

AuditEvent Vote(const std::string& id, const std::string& decider, bool approve,
                absl::Time logged = kNow, std::vector<std::string> groups = {"ml-governance"}) {
  AuditEvent event = NewServerEvent(approve ? ACTION_APPROVE : ACTION_REJECT, logged);
  event.mutable_observer()->set_adapter(std::string(kServerSource));
  event.mutable_actor()->set_pseudonym(decider);
  event.mutable_approval()->set_id(id);
  for (const std::string& g : groups) event.mutable_approval()->add_approver_groups(g);
  SetLogged(logged, &event);
  return event;
}

GateRequest Deploy(const std::string& environment = "production",
                   const std::string& digest = kDigest) {
  GateRequest request;
  request.action = ACTION_DEPLOY;
  request.model = "credit-risk";
  request.version = "4";
  request.digest = digest;
  request.environment = environment;
  request.requester = "ps1_dana";
  return request;
}

struct Case {
  const char* name;
  std::vector<AuditEvent> events;  // At indices 0, 1, ...
  GateRequest request;
  bool allowed;
  const char* rule;
  std::vector<uint64_t> approvals;
  absl::Time at = kNow + absl::Hours(1);
};

TEST(EvaluateTest, Semantics) {
  const DeployPolicy policy = Compile(kPolicy);
  const absl::Time old = kNow - absl::Hours(80);
  std::vector<Case> cases = {
      {"two governance approvals allow",
       {Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_erin", true), Vote("a", "ps1_finn", true)},
       Deploy(), true, "production-needs-governance", {1, 2}},
      {"no approvals deny", {}, Deploy(), false, "production-needs-governance", {}},
      {"self-approval does not count",
       {Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_dana", true), Vote("a", "ps1_erin", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"the approval's asker does not count either",
       {Ask("a", "ps1_gail", kDigest), Vote("a", "ps1_gail", true), Vote("a", "ps1_erin", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"the caller's own approval does not count (a pipeline acting for dana)",
       {Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_ci", true), Vote("a", "ps1_erin", true)},
       [] { GateRequest r = Deploy(); r.caller = "ps1_ci"; return r; }(), false,
       "production-needs-governance", {}},
      {"the same approver twice counts once",
       {Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_erin", true), Vote("a", "ps1_erin", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"the same approver on two requests counts once",
       {Ask("a", "ps1_dana", kDigest), Ask("b", "ps1_dana", kDigest), Vote("a", "ps1_erin", true),
        Vote("b", "ps1_erin", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"approvals across two requests add up",
       {Ask("a", "ps1_dana", kDigest), Ask("b", "ps1_dana", kDigest), Vote("a", "ps1_erin", true),
        Vote("b", "ps1_finn", true)},
       Deploy(), true, "production-needs-governance", {2, 3}},
      {"an approval for another digest does not count",
       {Ask("a", "ps1_dana", "sha256:bbbb"), Vote("a", "ps1_erin", true),
        Vote("a", "ps1_finn", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"an approval for another environment does not count",
       {Ask("a", "ps1_dana", kDigest, "staging"), Vote("a", "ps1_erin", true),
        Vote("a", "ps1_finn", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"a request without a digest is denied under same_digest",
       {Ask("a", "ps1_dana", ""), Vote("a", "ps1_erin", true), Vote("a", "ps1_finn", true)},
       Deploy("production", ""), false, "production-needs-governance", {}},
      {"an expired approval does not count",
       {Ask("a", "ps1_dana", kDigest, "production", old), Vote("a", "ps1_erin", true, old),
        Vote("a", "ps1_finn", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"a rejection after an approval voids the request",
       {Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_erin", true), Vote("a", "ps1_finn", true),
        Vote("a", "ps1_hana", false)},
       Deploy(), false, "production-needs-governance", {}},
      {"approvals from outside the group do not count",
       {Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_erin", true, kNow, {"data-science"}),
        Vote("a", "ps1_finn", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"an approver the entry does not name does not count",
       {Ask("a", "ps1_dana", kDigest), Vote("a", "", true), Vote("a", "ps1_finn", true)},
       Deploy(), false, "production-needs-governance", {}},
      {"overlapping rules: the first that matches decides (promote needs approvals)",
       {}, [] { GateRequest r = Deploy(); r.action = ACTION_PROMOTE; return r; }(), false,
       "production-needs-governance", {}},
      {"overlapping rules: undeploy in production meets the freeze",
       {}, [] { GateRequest r = Deploy(); r.action = ACTION_UNDEPLOY; return r; }(), false,
       "production-freeze", {}},
      {"staging is open", {}, Deploy("staging"), true, "staging-open", {}},
      {"no rule: denied by default", {}, Deploy("qa"), false, "", {}},
      {"label match and window: inside office hours",
       {}, [] { GateRequest r = Deploy("canary"); r.labels["tier"] = "web"; return r; }(), true,
       "canary-office-hours", {}, absl::FromCivil(absl::CivilMinute(2026, 12, 2, 10, 0),
                                                  absl::UTCTimeZone())},
      {"label match and window: a Saturday",
       {}, [] { GateRequest r = Deploy("canary"); r.labels["tier"] = "web"; return r; }(), false,
       "canary-office-hours", {}, absl::FromCivil(absl::CivilMinute(2026, 12, 5, 10, 0),
                                                  absl::UTCTimeZone())},
      {"a label that differs: no rule", {},
       [] { GateRequest r = Deploy("canary"); r.labels["tier"] = "batch"; return r; }(), false,
       "", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ApprovalBook book;
    for (size_t i = 0; i < c.events.size(); ++i) {
      absl::StatusOr<bool> added = book.Add(i, c.events[i]);
      ASSERT_TRUE(added.ok()) << added.status();
      ASSERT_TRUE(*added);
    }
    const Decision decision = Evaluate(policy, c.request, book, c.events.size(), c.at);
    EXPECT_EQ(decision.allowed, c.allowed);
    EXPECT_EQ(decision.rule, c.rule);
    EXPECT_EQ(decision.approvals, c.approvals);
    EXPECT_FALSE(decision.reasons.empty());
    // Below a horizon that leaves the last event out, a case that needed it no longer allows.
    if (c.allowed && !c.approvals.empty()) {
      EXPECT_FALSE(Evaluate(policy, c.request, book, c.approvals.back(), c.at).allowed);
    }
  }
}

// A record of another system about credit-risk `version`.
AuditEvent Record(const std::string& adapter, Action action, const std::string& version,
                  const std::string& stage = "") {
  AuditEvent event;
  event.mutable_id()->set_source(adapter);
  event.mutable_id()->set_source_id(absl::StrCat(adapter, "-", version, "-", stage, "-", action));
  event.mutable_observer()->set_adapter(adapter);
  event.set_action(action);
  event.mutable_target()->set_model_name("credit-risk");
  event.mutable_target()->set_model_version(version);
  event.mutable_target()->set_stage(stage);
  SetLogged(kNow, &event);
  return event;
}

TEST(EvaluateTest, SourceStates) {
  const DeployPolicy policy = Compile(R"pb(
    rules {
      id: "sagemaker-approved"
      match { environments: "sm" }
      require { source_states { source: "sagemaker" state: "approved" } }
    }
    rules {
      id: "mlflow-champion"
      match { environments: "ml" }
      require { source_states { source: "mlflow" state: "champion" } }
    }
    rules {
      id: "databricks-production"
      match { environments: "db" }
      require { source_states { source: "databricks" state: "Production" } }
    }
    rules {
      id: "both"
      match { environments: "both" }
      require {
        source_states { source: "sagemaker" state: "approved" }
        source_states { source: "mlflow" state: "champion" }
      }
    }
  )pb");
  struct StateCase {
    const char* name;
    std::vector<AuditEvent> events;
    const char* environment;
    bool allowed;
  };
  const std::vector<StateCase> cases = {
      {"sagemaker approved", {Record("sagemaker", ACTION_APPROVE, "4")}, "sm", true},
      {"sagemaker: another version approved", {Record("sagemaker", ACTION_APPROVE, "3")}, "sm",
       false},
      {"sagemaker: approved, then rejected",
       {Record("sagemaker", ACTION_APPROVE, "4"), Record("sagemaker", ACTION_REJECT, "4")}, "sm",
       false},
      {"sagemaker: pending again after approval",
       {Record("sagemaker", ACTION_APPROVE, "4"),
        Record("sagemaker", ACTION_REQUEST_APPROVAL, "4")},
       "sm", false},
      {"sagemaker: an approval posted by anyone else does not count",
       {Record("native", ACTION_APPROVE, "4")}, "sm", false},
      {"mlflow alias on the version", {Record("mlflow", ACTION_PROMOTE, "4", "champion")}, "ml",
       true},
      {"mlflow alias moved to another version",
       {Record("mlflow", ACTION_PROMOTE, "4", "champion"),
        Record("mlflow", ACTION_PROMOTE, "5", "champion")},
       "ml", false},
      {"mlflow alias removed",
       {Record("mlflow", ACTION_PROMOTE, "4", "champion"),
        Record("mlflow", ACTION_DEMOTE, "4", "champion")},
       "ml", false},
      {"mlflow: another alias", {Record("mlflow", ACTION_PROMOTE, "4", "challenger")}, "ml",
       false},
      {"databricks stage", {Record("databricks", ACTION_PROMOTE, "4", "Production")}, "db", true},
      {"databricks: archived since",
       {Record("databricks", ACTION_PROMOTE, "4", "Production"),
        Record("databricks", ACTION_DEMOTE, "4", "Archived")},
       "db", false},
      {"databricks: another version in the stage",
       {Record("databricks", ACTION_PROMOTE, "5", "Production")}, "db", false},
      {"both needed, one shown", {Record("sagemaker", ACTION_APPROVE, "4")}, "both", false},
      {"both shown",
       {Record("sagemaker", ACTION_APPROVE, "4"), Record("mlflow", ACTION_PROMOTE, "4", "champion")},
       "both", true},
  };
  for (const StateCase& c : cases) {
    SCOPED_TRACE(c.name);
    ApprovalBook book;
    for (size_t i = 0; i < c.events.size(); ++i) ASSERT_TRUE(book.Add(i, c.events[i]).ok());
    const Decision decision = Evaluate(policy, Deploy(c.environment), book, c.events.size(), kNow);
    EXPECT_EQ(decision.allowed, c.allowed);
    if (!c.allowed) {
      EXPECT_THAT(decision.reasons.front(), ::testing::HasSubstr("needs "));
    }
    // Below the horizon of the last record, the state is what it was before it.
    if (c.allowed) {
      EXPECT_FALSE(Evaluate(policy, Deploy(c.environment), book, c.events.size() - 1, kNow)
                       .allowed);
    }
  }
}

// A GitHub deployment review of workflow run `run`, as the adapter records it.
AuditEvent Review(const std::string& run, const std::string& reviewer, bool approve,
                  std::vector<std::string> groups = {"ml-governance"},
                  const std::string& environment = "production") {
  AuditEvent event;
  event.mutable_id()->set_source("github");
  event.mutable_id()->set_source_id(absl::StrCat("deployment_review/", run, "/", reviewer));
  event.mutable_observer()->set_adapter("github");
  event.set_action(approve ? ACTION_APPROVE : ACTION_REJECT);
  event.mutable_actor()->set_pseudonym(reviewer);
  event.mutable_target()->set_model_name("example/risk-models");
  event.mutable_target()->set_namespace_("example/risk-models");
  event.mutable_target()->set_environment(environment);
  (*event.mutable_context()->mutable_labels())["github.workflow_run_id"] = run;
  // A reviewer the configuration names: the adapter sets `approval`, with their groups.
  Approval* approval = event.mutable_approval();
  for (const std::string& g : groups) approval->add_approver_groups(g);
  *event.mutable_event_time() = ToProtoTime(kNow);
  SetLogged(kNow, &event);
  return event;
}

TEST(EvaluateTest, GithubReviewsCountForTheRunTheCheckNames) {
  const DeployPolicy policy = Compile(R"pb(
    rules {
      id: "production-needs-two"
      match { environments: "production" }
      require {
        approvals: 2
        approver_groups: "ml-governance"
        distinct_from_requester: true
        max_age: "72h"
        review_sources: "github"
        review_repositories: "example/risk-models"
      }
    }
  )pb");
  GateRequest request = Deploy();
  request.labels["github.workflow_run_id"] = "77";
  request.caller = "ps1_ci";
  struct ReviewCase {
    const char* name;
    std::vector<AuditEvent> events;
    bool allowed;
  };
  const std::vector<ReviewCase> cases = {
      {"a GitHub review and a Vellum approval",
       {Review("77", "ps1_lee", true), Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_erin", true)},
       true},
      {"two GitHub reviewers", {Review("77", "ps1_lee", true), Review("77", "ps1_mo", true)},
       true},
      {"a review of another run", {Review("78", "ps1_lee", true), Review("77", "ps1_mo", true)},
       false},
      {"a review for another environment",
       {Review("77", "ps1_lee", true, {"ml-governance"}, "staging"),
        Review("77", "ps1_mo", true)},
       false},
      {"a reviewer outside the group", {Review("77", "ps1_lee", true, {}), Review("77", "ps1_mo", true)},
       false},
      {"the requester reviewing", {Review("77", "ps1_dana", true), Review("77", "ps1_mo", true)},
       false},
      {"the pipeline's own identity reviewing",
       {Review("77", "ps1_ci", true), Review("77", "ps1_mo", true)}, false},
      {"a rejection of the run voids its reviews",
       {Review("77", "ps1_lee", true), Review("77", "ps1_mo", true),
        Review("77", "ps1_nia", false)},
       false},
      {"a review in a repository the rule does not name",
       {[] {
          AuditEvent e = Review("77", "ps1_lee", true);
          e.mutable_target()->set_namespace_("example/other");
          return e;
        }(),
        Review("77", "ps1_mo", true)},
       false},
      {"a review redelivered days later is as old as it is",
       {[] {
          AuditEvent e = Review("77", "ps1_lee", true);
          *e.mutable_event_time() = ToProtoTime(kNow - absl::Hours(100));
          return e;
        }(),
        Review("77", "ps1_mo", true)},
       false},
      {"the same person on GitHub and in Vellum counts once",
       {Review("77", "ps1_erin", true), Ask("a", "ps1_dana", kDigest), Vote("a", "ps1_erin", true)},
       false},
  };
  for (const ReviewCase& c : cases) {
    SCOPED_TRACE(c.name);
    ApprovalBook book;
    for (size_t i = 0; i < c.events.size(); ++i) {
      absl::StatusOr<bool> added = book.Add(i, c.events[i]);
      ASSERT_TRUE(added.ok() && *added) << added.status();
    }
    EXPECT_EQ(Evaluate(policy, request, book, c.events.size(), kNow).allowed, c.allowed);
  }
  // A reviewer the configuration does not name (no `approval` on the review) is not taken.
  {
    ApprovalBook unmapped;
    AuditEvent review = Review("77", "subject:lee-chen", true);
    review.clear_approval();
    absl::StatusOr<bool> added = unmapped.Add(0, review);
    ASSERT_TRUE(added.ok());
    EXPECT_FALSE(*added);
  }
  // A check that names no run gets no GitHub review.
  ApprovalBook book;
  ASSERT_TRUE(book.Add(0, Review("77", "ps1_lee", true)).ok());
  ASSERT_TRUE(book.Add(1, Review("77", "ps1_mo", true)).ok());
  EXPECT_FALSE(Evaluate(policy, Deploy(), book, 2, kNow).allowed);
  EXPECT_TRUE(Evaluate(policy, request, book, 2, kNow).allowed);
}

TEST(EvaluateTest, ReasonsFitAnEvent) {
  const DeployPolicy policy = Compile(R"pb(
    rules {
      id: "anywhere-needs-governance"
      require { approvals: 2 approver_groups: "ml-governance" same_digest: true max_age: "72h" }
    }
  )pb");
  // All four names at their longest.
  GateRequest request = Deploy(std::string(256, 'e'), std::string(256, 'd'));
  request.model = std::string(256, 'm');
  request.version = std::string(256, 'v');
  ApprovalBook book;
  const Decision decision = Evaluate(policy, request, book, 0, kNow);
  ASSERT_FALSE(decision.allowed);
  ASSERT_EQ(decision.reasons.size(), 1u);
  EXPECT_EQ(decision.reasons[0].size(), kMaxEventStringBytes);
}

TEST(EvaluateTest, EmptyPolicyDeniesEverything) {
  ApprovalBook book;
  const Decision decision = Evaluate(DeployPolicy::DenyAll(), Deploy("staging"), book, 0, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.rule, "");
  EXPECT_EQ(decision.reasons, std::vector<std::string>{"no rule matches: denied by default"});
}

TEST(ApprovalBookTest, RefusesWhatTheLogCannotHold) {
  ApprovalBook book;
  EXPECT_EQ(book.Add(0, Vote("a", "ps1_erin", true)).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(book.Add(1, Ask("a", "ps1_dana", kDigest)).ok());
  EXPECT_EQ(book.Add(2, Ask("a", "ps1_dana", kDigest)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(book.Add(1, Vote("a", "ps1_erin", true)).status().code(),
            absl::StatusCode::kInvalidArgument);
  // An approval posted by a producer (not the gate's) is not the book's.
  AuditEvent native = Vote("a", "ps1_erin", true);
  native.mutable_observer()->set_adapter("native");
  absl::StatusOr<bool> added = book.Add(5, native);
  ASSERT_TRUE(added.ok());
  EXPECT_FALSE(*added);
}

// A log of a policy, approvals and decisions as the gate records them.
std::vector<AuditEvent> RecordedLog(const DeployPolicy& policy) {
  std::vector<AuditEvent> log;
  AuditEvent applied = NewServerEvent(ACTION_POLICY_APPLIED, kNow);
  applied.mutable_policy_applied()->set_canonical_text(policy.canonical_text());
  applied.mutable_policy_applied()->set_sha256(
      std::string(policy.sha256().begin(), policy.sha256().end()));
  log.push_back(applied);
  ApprovalBook book;
  auto decide = [&](GateRequest request) {
    AuditEvent event = NewServerEvent(ACTION_GATE_DECISION, kNow);
    event.mutable_actor()->set_pseudonym(request.requester);
    event.mutable_target()->set_model_name(request.model);
    event.mutable_target()->set_model_version(request.version);
    event.mutable_target()->set_model_digest(request.digest);
    event.mutable_target()->set_environment(request.environment);
    event.mutable_gate()->set_action(request.action);
    event.mutable_gate()->set_policy_sha256(
        std::string(policy.sha256().begin(), policy.sha256().end()));
    event.mutable_gate()->set_horizon(log.size());
    *event.mutable_gate()->mutable_evaluated_time() = ToProtoTime(kNow);
    RecordDecision(Evaluate(policy, request, book, log.size(), kNow), &event);
    log.push_back(event);
  };
  auto add = [&](AuditEvent event) {
    ASSERT_TRUE(book.Add(log.size(), event).ok());
    log.push_back(std::move(event));
  };
  decide(Deploy());
  add(Ask("a", "ps1_dana", kDigest));
  add(Vote("a", "ps1_erin", true));
  decide(Deploy());
  add(Vote("a", "ps1_finn", true));
  decide(Deploy());
  decide(Deploy("staging"));
  return log;
}

TEST(ReplayTest, AgreesWithEveryRecordedDecision) {
  const DeployPolicy policy = Compile(kPolicy);
  std::vector<AuditEvent> log = RecordedLog(policy);
  ASSERT_TRUE(log[6].gate().allowed());  // The last production deploy, after two approvals.
  Replayer replayer;
  for (size_t i = 0; i < log.size(); ++i) ASSERT_TRUE(replayer.Add(i, log[i]).ok());
  EXPECT_EQ(replayer.summary().decisions, 4u);
  EXPECT_EQ(replayer.summary().policies, 1u);
  EXPECT_EQ(replayer.summary().approval_events, 3u);
  EXPECT_TRUE(replayer.summary().mismatches.empty()) << replayer.summary().mismatches[0];
}

TEST(ReplayTest, FindsAnAlteredDecision) {
  const DeployPolicy policy = Compile(kPolicy);
  struct Alteration {
    const char* name;
    void (*alter)(AuditEvent&);
    const char* want;
  };
  for (const Alteration& a : {
           Alteration{"allowed flipped",
                      [](AuditEvent& e) {
                        e.mutable_gate()->set_allowed(true);
                        e.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
                      },
                      "allowed: recorded 1, evaluates to 0"},
           Alteration{"rule renamed", [](AuditEvent& e) { e.mutable_gate()->set_rule("x"); },
                      "rule: recorded \"x\""},
           Alteration{"horizon moved past the approvals",
                      [](AuditEvent& e) { e.mutable_gate()->set_horizon(9); }, "horizon 9"},
           Alteration{"horizon before an approval of the gate's",
                      [](AuditEvent& e) { e.mutable_gate()->set_horizon(3); },
                      "the gate's event at index 3 lies between its horizon 3 and itself"},
           Alteration{"another policy", [](AuditEvent& e) {
                        e.mutable_gate()->set_policy_sha256(std::string(32, 'x'));
                      }, "no policy with its SHA-256"},
       }) {
    SCOPED_TRACE(a.name);
    std::vector<AuditEvent> log = RecordedLog(policy);
    a.alter(log[4]);  // The denied production deploy with one approval.
    Replayer replayer;
    for (size_t i = 0; i < log.size(); ++i) ASSERT_TRUE(replayer.Add(i, log[i]).ok());
    ASSERT_EQ(replayer.summary().mismatches.size(), 1u);
    EXPECT_NE(replayer.summary().mismatches[0].find("decision at index 4"), std::string::npos);
    EXPECT_NE(replayer.summary().mismatches[0].find(a.want), std::string::npos)
        << replayer.summary().mismatches[0];
  }
}

}  // namespace
}  // namespace policy
}  // namespace ledger
}  // namespace vellum
