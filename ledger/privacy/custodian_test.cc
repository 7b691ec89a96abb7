// The custodian over a real event log: holds on record and rebuilt from it, erasure with and
// without holds, a requested erasure finished after a restart, unsealed reads on record, and no
// personal value in clear in any entry it writes.

#include "ledger/privacy/custodian.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_log.h"
#include "ledger/events/server_event.h"
#include "ledger/events/test_event_log.h"
#include "ledger/privacy/erasure_request.h"
#include "ledger/privacy/hold_audit.h"
#include "ledger/privacy/hold_scope.h"
#include "ledger/testing/file_bytes.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

AuditEvent Deploy(int n, const std::string& actor, const std::string& model) {
  AuditEvent event;
  event.mutable_id()->set_source("deployer");
  event.mutable_id()->set_source_id(absl::StrCat("d-", n));
  event.mutable_event_time()->set_seconds(1790000000 + n);
  event.mutable_observer()->set_adapter("native");
  event.mutable_actor()->set_subject(actor);
  event.set_action(ACTION_DEPLOY);
  event.mutable_target()->set_model_name(model);
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  event.mutable_context()->set_source_ip("203.0.113.77");
  return event;
}

RetentionRules DeployRule(uint32_t keep_days) {
  RetentionRules rules;
  RetentionRule* rule = rules.add_rules();
  rule->set_name("deploys");
  rule->add_actions(ACTION_DEPLOY);
  rule->set_keep_days(keep_days);
  return rules;
}

// One rule for every event, which keeps nothing past the day it is logged.
RetentionRules KeepNothing() {
  RetentionRules rules;
  RetentionRule* all = rules.add_rules();
  all->set_name("everything");
  all->set_keep_days(0);
  return rules;
}

class CustodianTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sealed_dir_ = absl::StrCat(::testing::TempDir(), "/custodian-",
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    OpenCustodian();
    EventLog::Options options;
    options.seal = [this](std::vector<AuditEvent>& events, absl::Time now) {
      return custodian_->Seal(events, now);
    };
    auto log = TestEventLog::Open("example.com/custodian", std::move(options));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    ASSERT_TRUE(custodian_->Attach(&log_->events()).ok());
  }

  void TearDown() override { custodian_.reset(); }

  void OpenCustodian() {
    Custodian::Options options = options_;
    options.read_burst = 2;
    options.read_per_second = 0.001;
    options.retention_interval = absl::ZeroDuration();
    auto custodian = Custodian::Open(sealed_dir_, std::string(32, 'L'), options);
    ASSERT_TRUE(custodian.ok()) << custodian.status();
    custodian_ = *std::move(custodian);
  }

  // A restart of the custodian over the same log and store.
  void Restart() {
    custodian_.reset();
    OpenCustodian();
    ASSERT_TRUE(custodian_->Attach(&log_->events()).ok());
  }

  absl::Status Append(std::vector<AuditEvent> events) { return log_->Append(std::move(events)); }

  // The log as `vellum holds verify` reads it: every event, with the values that are gone.
  std::vector<AuditedEvent> Audited() const {
    std::vector<AuditedEvent> out;
    uint64_t index = 0;
    for (AuditEvent& e : log_->Logged()) {
      AuditedEvent audited;
      audited.index = index++;
      auto unsealed = custodian_->Unseal(e);
      EXPECT_TRUE(unsealed.ok()) << unsealed.status();
      if (unsealed.ok()) audited.gone = unsealed->gone;
      audited.event = std::move(e);
      out.push_back(std::move(audited));
    }
    return out;
  }

  std::vector<AuditEvent> Logged(Action action) const {
    std::vector<AuditEvent> out;
    for (AuditEvent& e : log_->Logged()) {
      if (e.action() == action) out.push_back(std::move(e));
    }
    return out;
  }

  const Custodian::Requester kAdmin{"carol@example.com", "token"};
  Custodian::Options options_;
  std::string sealed_dir_;
  std::unique_ptr<Custodian> custodian_;
  std::unique_ptr<TestEventLog> log_;
};

TEST_F(CustodianTest, HoldsAreOnRecordAndRebuiltFromTheLog) {
  auto request = ParseHoldRequest(
      R"({"matter":"case-2027-014","reason":"litigation with alice@example.com",)"
      R"("scope":{"models":["fraud-*"],"subjects":["alice@example.com"]}})");
  ASSERT_TRUE(request.ok()) << request.status();
  auto placed = custodian_->PlaceHold(*request, kAdmin);
  ASSERT_TRUE(placed.ok()) << placed.status();
  EXPECT_FALSE(placed->id().empty());
  auto alice = custodian_->FindPseudonym("alice@example.com");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_THAT(placed->scope().subjects(), ElementsAre(*alice));
  auto second = custodian_->PlaceHold(*ParseHoldRequest(R"({"matter":"m2","reason":"r"})"),
                                      kAdmin);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(custodian_->ReleaseHold(second->id(), kAdmin).ok());
  EXPECT_TRUE(absl::IsNotFound(custodian_->ReleaseHold(second->id(), kAdmin)));
  EXPECT_TRUE(absl::IsNotFound(custodian_->ReleaseHold("no-such-hold", kAdmin)));

  ASSERT_EQ(Logged(ACTION_HOLD_PLACED).size(), 2u);
  ASSERT_EQ(Logged(ACTION_HOLD_RELEASED).size(), 1u);
  // The reason, the subject and the admin are not in any entry in clear.
  for (const std::string& entry : log_->Entries()) {
    for (const char* personal : {"alice@example.com", "litigation", "carol"}) {
      EXPECT_THAT(entry, Not(HasSubstr(personal))) << personal;
    }
  }
  Restart();
  std::vector<Hold> holds = custodian_->Holds();
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0].id(), placed->id());
  EXPECT_EQ(holds[0].matter(), "case-2027-014");
  EXPECT_THAT(holds[0].scope().subjects(), ElementsAre(*alice));
}

TEST_F(CustodianTest, ErasureDeletesEveryValueAndIsOnRecord) {
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a"),
                      Deploy(2, "bob@example.com", "fraud-a"),
                      Deploy(3, "alice@example.com", "churn")})
                  .ok());
  auto alice = custodian_->FindPseudonym("alice@example.com");
  ASSERT_TRUE(alice.ok());
  auto erased = custodian_->Erase({"alice@example.com"}, {}, kAdmin);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_THAT(erased->pseudonyms, ElementsAre(*alice));
  EXPECT_EQ(erased->values, 4u);  // subject and address of two events
  EXPECT_EQ(erased->events, 2u);
  EXPECT_THAT(erased->held_by, IsEmpty());
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("alice@example.com").status()));
  EXPECT_EQ(custodian_->ErasedAt(*alice), erased->completed_index);

  std::vector<AuditEvent> requested = Logged(ACTION_ERASURE_REQUESTED);
  std::vector<AuditEvent> completed = Logged(ACTION_ERASURE_COMPLETED);
  ASSERT_EQ(requested.size(), 1u);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(requested[0].erasure().request_id(), erased->request_id);
  EXPECT_EQ(completed[0].erasure().values(), 4u);
  EXPECT_THAT(completed[0].erasure().pseudonyms(), ElementsAre(*alice));
  // Nothing of hers opens, nor is anywhere in the store's files; bob's still opens.
  for (const AuditEvent& event : log_->Logged()) {
    if (event.action() != ACTION_DEPLOY) continue;
    auto unsealed = custodian_->Unseal(event);
    ASSERT_TRUE(unsealed.ok()) << unsealed.status();
    if (event.actor().pseudonym() == *alice) {
      EXPECT_THAT(unsealed->opened, IsEmpty());
    } else {
      EXPECT_EQ(unsealed->event.actor().subject(), "bob@example.com");
    }
  }
  EXPECT_THAT(AllFileBytes(sealed_dir_), Not(HasSubstr("alice@example.com")));
  // An unknown subject is a request with nothing to erase, still on record.
  auto nobody = custodian_->Erase({"nobody@example.com"}, {}, kAdmin);
  ASSERT_TRUE(nobody.ok());
  EXPECT_THAT(nobody->pseudonyms, IsEmpty());
  EXPECT_EQ(Logged(ACTION_ERASURE_COMPLETED).size(), 2u);
}

TEST_F(CustodianTest, HeldValuesStayAndTheRestGo) {
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a"),
                      Deploy(2, "alice@example.com", "churn")})
                  .ok());
  auto hold = custodian_->PlaceHold(
      *ParseHoldRequest(R"({"matter":"case-1","reason":"r","scope":{"models":["fraud-*"]}})"),
      kAdmin);
  ASSERT_TRUE(hold.ok());
  auto erased = custodian_->Erase({"alice@example.com"}, {}, kAdmin);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_THAT(erased->held_by, ElementsAre(hold->id()));
  EXPECT_EQ(erased->values, 2u);  // the churn event's subject and address
  EXPECT_EQ(erased->events, 1u);
  std::vector<AuditEvent> completed = Logged(ACTION_ERASURE_COMPLETED);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].outcome().result(), Outcome::RESULT_DENIED);
  EXPECT_THAT(completed[0].erasure().held_by(), ElementsAre(hold->id()));
  for (const AuditEvent& event : log_->Logged()) {
    if (event.action() != ACTION_DEPLOY) continue;
    auto unsealed = custodian_->Unseal(event);
    ASSERT_TRUE(unsealed.ok());
    if (event.target().model_name() == "fraud-a") {
      EXPECT_EQ(unsealed->event.actor().subject(), "alice@example.com");
    } else {
      EXPECT_THAT(unsealed->opened, IsEmpty());
    }
  }
  // Once released, a second request erases the rest, key and all.
  ASSERT_TRUE(custodian_->ReleaseHold(hold->id(), kAdmin).ok());
  erased = custodian_->Erase({"alice@example.com"}, {}, kAdmin);
  ASSERT_TRUE(erased.ok());
  EXPECT_THAT(erased->held_by, IsEmpty());
  EXPECT_EQ(erased->values, 2u);
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("alice@example.com").status()));
}

TEST_F(CustodianTest, HoldsVerifyAccountsForEveryGoneValue) {
  options_.retention = DeployRule(0);
  Restart();
  AuditEvent approval = Deploy(4, "carl@example.com", "fraud-b");  // no rule governs it
  approval.set_action(ACTION_APPROVE);
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a"),
                      Deploy(2, "alice@example.com", "churn"),
                      Deploy(3, "bob@example.com", "churn"), approval})
                  .ok());
  auto hold = custodian_->PlaceHold(
      *ParseHoldRequest(R"({"matter":"case-1","reason":"r","scope":{"models":["fraud-*"]}})"),
      kAdmin);
  ASSERT_TRUE(hold.ok());
  ASSERT_TRUE(custodian_->Erase({"alice@example.com"}, {}, kAdmin).ok());
  ASSERT_TRUE(custodian_->ReleaseHold(hold->id(), kAdmin).ok());
  ASSERT_TRUE(custodian_->RunRetention(absl::Now() + absl::Seconds(1)).ok());
  EXPECT_THAT(VerifyHolds(Audited()), IsEmpty());

  // A value taken behind the log's back is found: carl's went with no record.
  auto carl = custodian_->FindPseudonym("carl@example.com");
  ASSERT_TRUE(carl.ok());
  ASSERT_TRUE(custodian_->store().Erase(*carl).ok());
  std::vector<HoldViolation> violations = VerifyHolds(Audited());
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].pseudonym, *carl);
  EXPECT_EQ(violations[0].what, "gone without a record");
}

TEST_F(CustodianTest, ARequestedErasureIsFinishedAtTheNextAttach) {
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a")}).ok());
  auto alice = custodian_->FindPseudonym("alice@example.com");
  ASSERT_TRUE(alice.ok());
  // What a crash between the request and the deletion leaves: the request alone.
  AuditEvent request = NewServerEvent(ACTION_ERASURE_REQUESTED, absl::Now());
  request.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  request.mutable_erasure()->set_request_id("crashed-request");
  request.mutable_erasure()->add_pseudonyms(*alice);
  ASSERT_TRUE(log_->events().AppendServerEventsAndWait({request}).ok());
  ASSERT_TRUE(custodian_->FindPseudonym("alice@example.com").ok());

  Restart();
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("alice@example.com").status()));
  std::vector<AuditEvent> completed = Logged(ACTION_ERASURE_COMPLETED);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].erasure().request_id(), "crashed-request");
  EXPECT_EQ(completed[0].erasure().values(), 2u);
  // Done once: another restart finishes nothing more.
  Restart();
  EXPECT_EQ(Logged(ACTION_ERASURE_COMPLETED).size(), 1u);
}

TEST_F(CustodianTest, ARestoredBackupHasItsErasedKeysErasedAgain) {
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a"),
                      Deploy(2, "bob@example.com", "fraud-a")})
                  .ok());
  // A backup of the store before the erasure.
  custodian_.reset();
  const std::string backup = sealed_dir_ + ".backup";
  std::filesystem::copy(sealed_dir_, backup, std::filesystem::copy_options::recursive);
  OpenCustodian();
  ASSERT_TRUE(custodian_->Attach(&log_->events()).ok());
  ASSERT_TRUE(custodian_->Erase({"alice@example.com"}, {}, kAdmin).ok());

  // Restored: the backup's store holds her key until the custodian attaches.
  custodian_.reset();
  std::filesystem::remove_all(sealed_dir_);
  std::filesystem::rename(backup, sealed_dir_);
  OpenCustodian();
  ASSERT_TRUE(custodian_->FindPseudonym("alice@example.com").ok());
  const AuditEvent alices = log_->Logged()[0];
  ASSERT_FALSE(custodian_->Unseal(alices)->opened.empty());
  ASSERT_TRUE(custodian_->Attach(&log_->events()).ok());
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("alice@example.com").status()));
  EXPECT_TRUE(custodian_->Unseal(alices)->opened.empty());
  EXPECT_TRUE(custodian_->FindPseudonym("bob@example.com").ok());
  // Nothing new on the log: the erasure was on record already.
  EXPECT_EQ(Logged(ACTION_ERASURE_COMPLETED).size(), 1u);
}


TEST_F(CustodianTest, RetentionPurgesWhatExpiredAndNothingHeld) {
  options_.retention = DeployRule(30);
  Restart();
  ASSERT_EQ(Logged(ACTION_RETENTION_CHANGED).size(), 1u);
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a"),
                      Deploy(2, "bob@example.com", "churn")})
                  .ok());
  auto hold = custodian_->PlaceHold(
      *ParseHoldRequest(R"({"matter":"case-1","reason":"r","scope":{"models":["fraud-*"]}})"),
      kAdmin);
  ASSERT_TRUE(hold.ok());
  // Nothing has expired yet: the run covers nothing, and says so with no event.
  auto purged = custodian_->RunRetention(absl::Now());
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 0u);
  EXPECT_TRUE(Logged(ACTION_RETENTION_PURGED).empty());

  // 31 days on: alice's fraud event is held and stays; bob's churn event goes, and the rule's
  // next run starts at the held event.
  const absl::Time later = absl::Now() + absl::Hours(24 * 31);
  purged = custodian_->RunRetention(later);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 2u);  // bob's subject and address
  std::vector<AuditEvent> runs = Logged(ACTION_RETENTION_PURGED);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_LT(runs[0].erasure().resume_index(), runs[0].erasure().end_index());
  EXPECT_TRUE(custodian_->FindPseudonym("alice@example.com").ok());
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("bob@example.com").status()));
  // Released: alice's go too, her key with her last values; one event per run.
  ASSERT_TRUE(custodian_->ReleaseHold(hold->id(), kAdmin).ok());
  purged = custodian_->RunRetention(later);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 2u);
  runs = Logged(ACTION_RETENTION_PURGED);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs.back().erasure().rule(), "deploys");
  EXPECT_EQ(runs.back().erasure().values(), 2u);
  EXPECT_EQ(runs.back().erasure().events(), 1u);
  EXPECT_EQ(runs.back().erasure().first_index(), runs[0].erasure().resume_index());
  EXPECT_EQ(runs.back().erasure().resume_index(), runs.back().erasure().end_index());
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("alice@example.com").status()));
  // The next run starts where this one ended, after a restart too.
  Restart();
  const size_t before = Logged(ACTION_RETENTION_PURGED).size();
  purged = custodian_->RunRetention(later);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0u);
  EXPECT_EQ(Logged(ACTION_RETENTION_PURGED).size(), before);
}

TEST_F(CustodianTest, APurgeOnRecordWhoseValuesRemainIsRedoneAtAttach) {
  options_.retention = DeployRule(0);
  Restart();
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a")}).ok());
  const uint64_t end = log_->Logged().size();
  // What a crash between the record and the deletion leaves: the record alone.
  AuditEvent record = NewServerEvent(ACTION_RETENTION_PURGED, absl::Now() + absl::Seconds(1));
  record.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  record.mutable_erasure()->set_rule("deploys");
  record.mutable_erasure()->set_values(2);
  record.mutable_erasure()->set_first_index(0);
  record.mutable_erasure()->set_end_index(end);
  ASSERT_TRUE(log_->events().AppendServerEventsAndWait({record}).ok());
  ASSERT_TRUE(custodian_->FindPseudonym("alice@example.com").ok());
  Restart();
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("alice@example.com").status()));
  EXPECT_EQ(Logged(ACTION_RETENTION_PURGED).size(), 1u);
}

TEST_F(CustodianTest, RetentionIsOnlyShortenedByAnAdminOverride) {
  options_.retention = DeployRule(30);
  Restart();
  // Longer: accepted at start and on record.
  options_.retention = DeployRule(60);
  Restart();
  ASSERT_EQ(Logged(ACTION_RETENTION_CHANGED).size(), 2u);
  EXPECT_EQ(custodian_->Retention().rules(0).keep_days(), 60u);
  // Shorter: refused, naming the rule; nothing on record.
  options_.retention = DeployRule(10);
  custodian_.reset();
  OpenCustodian();
  absl::Status refused = custodian_->Attach(&log_->events());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("keep_days: got 10, shorter than the 60 in force"));
  EXPECT_EQ(Logged(ACTION_RETENTION_CHANGED).size(), 2u);
  // A retention.admin override shortens it, on record with its reason sealed; the configuration
  // then matches what is in force.
  RetentionRules shorter = DeployRule(10);
  shorter.set_reason("board decision: deploy records of alice@example.com's team, 10 days");
  ASSERT_TRUE(custodian_->ChangeRetention(shorter, kAdmin).ok());
  std::vector<AuditEvent> changes = Logged(ACTION_RETENTION_CHANGED);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_TRUE(changes.back().retention().admin_override());
  EXPECT_TRUE(changes.back().retention().reason().empty());  // sealed
  for (const std::string& entry : log_->Entries()) {
    EXPECT_THAT(entry, Not(HasSubstr("board decision")));
  }
  Restart();
  EXPECT_EQ(custodian_->Retention().rules(0).keep_days(), 10u);
  EXPECT_EQ(Logged(ACTION_RETENTION_CHANGED).size(), 3u);
}

TEST_F(CustodianTest, ValuesNoEntryRefersToAreCollected) {
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com", "fraud-a")}).ok());
  // What a crash between sealing a batch and appending it leaves: values no entry refers to.
  auto left = custodian_->store().Seal(
      {SealRequest{"actor.subject", "bob@example.com", "bob@example.com"}}, absl::Now());
  ASSERT_TRUE(left.ok());
  Restart();
  auto collected = custodian_->CollectUnreferenced(log_->events());
  ASSERT_TRUE(collected.ok()) << collected.status();
  EXPECT_EQ(*collected, 1u);
  EXPECT_TRUE(absl::IsNotFound(custodian_->store().OpenValue((*left)[0].commitment).status()));
  EXPECT_TRUE(absl::IsNotFound(custodian_->FindPseudonym("bob@example.com").status()));
  // Alice's values, which her entry refers to, stay.
  auto unsealed = custodian_->Unseal(log_->Logged()[0]);
  ASSERT_TRUE(unsealed.ok());
  EXPECT_EQ(unsealed->event.actor().subject(), "alice@example.com");
  collected = custodian_->CollectUnreferenced(log_->events());
  ASSERT_TRUE(collected.ok());
  EXPECT_EQ(*collected, 0u);
}

TEST_F(CustodianTest, APrefixIsPrunedOnlyOnceExpiredPurgedAndNotHeld) {
  options_.retention = KeepNothing();
  Restart();
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(Deploy(i, "alice@example.com", "fraud-a"));
  ASSERT_TRUE(Append(std::move(batch)).ok());
  auto unrelated = custodian_->PlaceHold(
      *ParseHoldRequest(R"({"matter":"m","reason":"r","scope":{"models":["churn-*"]}})"), kAdmin);
  ASSERT_TRUE(unrelated.ok());

  EXPECT_TRUE(absl::IsInvalidArgument(custodian_->Prune(100, kAdmin).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(custodian_->Prune(512, kAdmin).status()));
  // The values are still there: not before the retention job has run.
  absl::Status early = custodian_->Prune(256, kAdmin).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(early)) << early;
  EXPECT_THAT(early.message(), HasSubstr("sealed values"));
  // Nor while a hold covers an entry below.
  auto hold = custodian_->PlaceHold(
      *ParseHoldRequest(R"({"matter":"m","reason":"r","scope":{"models":["fraud-*"]}})"), kAdmin);
  ASSERT_TRUE(hold.ok());
  ASSERT_TRUE(custodian_->RunRetention(absl::Now() + absl::Seconds(1)).ok());
  absl::Status held = custodian_->Prune(256, kAdmin).status();
  EXPECT_THAT(held.message(), HasSubstr("is held by " + hold->id()));
  EXPECT_EQ(custodian_->minimum_index(), 0u);

  ASSERT_TRUE(custodian_->ReleaseHold(hold->id(), kAdmin).ok());
  ASSERT_TRUE(custodian_->RunRetention(absl::Now() + absl::Seconds(1)).ok());
  const size_t before = log_->Entries().size();
  auto pruned = custodian_->Prune(256, kAdmin);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(pruned->minimum_index, 256u);
  EXPECT_EQ(custodian_->minimum_index(), 256u);
  // Restated above it: the retention rules and the open hold, then the record.
  ASSERT_EQ(pruned->restated.size(), 2u);
  EXPECT_GE(pruned->restated[0], before);
  std::vector<AuditEvent> logged = log_->Logged();
  EXPECT_EQ(logged[pruned->restated[0]].action(), ACTION_RETENTION_CHANGED);
  EXPECT_EQ(logged[pruned->restated[1]].hold().id(), unrelated->id());
  EXPECT_EQ(logged[pruned->pruned_index].action(), ACTION_LOG_PRUNED);
  // Nothing was deleted from the log: pruning only stops serving the prefix.
  EXPECT_EQ(log_->Entries().size(), pruned->pruned_index + 1);
  // A restart keeps the minimum index, and the restated hold is the same hold.
  Restart();
  EXPECT_EQ(custodian_->minimum_index(), 256u);
  ASSERT_EQ(custodian_->Holds().size(), 1u);
  EXPECT_EQ(custodian_->Holds()[0].id(), unrelated->id());
  EXPECT_TRUE(absl::IsInvalidArgument(custodian_->Prune(256, kAdmin).status()));
}

TEST_F(CustodianTest, TheGatesEventsAreNeverPruned) {
  options_.retention = KeepNothing();
  Restart();
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 200; ++i) batch.push_back(Deploy(i, "alice@example.com", "fraud-a"));
  ASSERT_TRUE(Append(std::move(batch)).ok());
  // A gate decision among them, as the gate writes it.
  AuditEvent decision = NewServerEvent(ACTION_GATE_DECISION, absl::Now());
  decision.mutable_target()->set_model_name("fraud-a");
  decision.mutable_gate()->set_action(ACTION_DEPLOY);
  decision.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
  std::vector<AuditEvent> gate;
  gate.push_back(decision);
  ASSERT_TRUE(log_->events().AppendServerEventsAndWait(std::move(gate)).ok());
  batch.clear();
  for (int i = 200; i < 300; ++i) batch.push_back(Deploy(i, "alice@example.com", "fraud-a"));
  ASSERT_TRUE(Append(std::move(batch)).ok());
  ASSERT_TRUE(custodian_->RunRetention(absl::Now() + absl::Seconds(1)).ok());
  const size_t size = log_->Entries().size();
  ASSERT_GE(size, 256u);
  absl::Status refused = custodian_->Prune(256, kAdmin).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("is one the deployment gate reads"));
  EXPECT_EQ(custodian_->minimum_index(), 0u);
}

TEST_F(CustodianTest, AHoldCoversEventsThatNameTheirActorInClear) {
  // Events as a log from before sealing holds them: nothing sealed, the actor in clear.
  options_.retention = KeepNothing();
  options_.rules["native"] = PrivacyRules();
  Restart();
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 256; ++i) batch.push_back(Deploy(i, "dave@example.com", "fraud-a"));
  ASSERT_TRUE(Append(std::move(batch)).ok());
  ASSERT_EQ(log_->Logged()[0].sealed_size(), 0);
  auto hold = custodian_->PlaceHold(
      *ParseHoldRequest(R"({"matter":"m","reason":"r","scope":{"subjects":["dave@example.com"]}})"),
      kAdmin);
  ASSERT_TRUE(hold.ok()) << hold.status();
  ASSERT_TRUE(custodian_->RunRetention(absl::Now() + absl::Seconds(1)).ok());
  absl::Status held = custodian_->Prune(256, kAdmin).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(held)) << held;
  EXPECT_THAT(held.message(), HasSubstr("is held by " + hold->id()));
  EXPECT_EQ(custodian_->minimum_index(), 0u);
  // The clear name maps to the pseudonym the hold names.
  auto pseudonym = custodian_->PseudonymOf("dave@example.com");
  ASSERT_TRUE(pseudonym.ok());
  EXPECT_EQ(*pseudonym, custodian_->Holds()[0].scope().subjects(0));
}

TEST_F(CustodianTest, BadErasureRequestsChangeNothing) {
  const size_t before = log_->Entries().size();
  EXPECT_TRUE(absl::IsInvalidArgument(custodian_->Erase({}, {}, kAdmin).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(custodian_->Erase({}, {"ps1_nothex"}, kAdmin).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      custodian_->Erase({std::string(SealedStore::kMaxSubjectBytes + 1, 'a')}, {}, kAdmin)
          .status()));
  std::vector<std::string> many(kMaxErasureSubjects + 1, "someone@example.com");
  EXPECT_TRUE(absl::IsInvalidArgument(custodian_->Erase(many, {}, kAdmin).status()));
  EXPECT_EQ(log_->Entries().size(), before);
}

TEST_F(CustodianTest, UnsealedReadsAreOnRecordWithoutTheReadersName) {
  for (int i = 0; i < 3; ++i) {
    absl::Notification done;
    custodian_->RecordUnsealedRead({"dave@example.com", "oidc"}, "model=fraud-a", 5,
                                   [&] { done.Notify(); });
    done.WaitForNotification();
  }
  std::vector<AuditEvent> reads = Logged(ACTION_EVENTS_UNSEALED);
  ASSERT_EQ(reads.size(), 2u);  // the burst; the third is counted for the summary
  EXPECT_EQ(reads[0].context().labels().at("vellum.query"), "model=fraud-a");
  EXPECT_EQ(reads[0].context().labels().at("vellum.count"), "5");
  EXPECT_FALSE(reads[0].actor().pseudonym().empty());
  custodian_->Detach();
  reads = Logged(ACTION_EVENTS_UNSEALED);
  ASSERT_EQ(reads.size(), 3u);
  EXPECT_EQ(reads[2].context().labels().at("vellum.unsealed_not_recorded"), "1");
  for (const std::string& entry : log_->Entries()) {
    EXPECT_THAT(entry, Not(HasSubstr("dave")));
  }
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
