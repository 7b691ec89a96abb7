// The event log with sealing on (EventLog::Options::seal = SealEvents): entries hold no personal
// value, search by actor works on pseudonyms, the values open against the entries' commitments,
// and an erasure leaves the tree as it was.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_log.h"
#include "ledger/events/event_query.h"
#include "ledger/events/test_event_log.h"
#include "ledger/privacy/event_sealer.h"
#include "ledger/privacy/sealed_store.h"
#include "ledger/testing/file_bytes.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

AuditEvent Deploy(int n, const std::string& actor) {
  AuditEvent event;
  event.mutable_id()->set_source("deployer");
  event.mutable_id()->set_source_id(absl::StrCat("d-", n));
  event.mutable_event_time()->set_seconds(1790000000 + n);
  event.mutable_observer()->set_adapter("native");
  event.mutable_actor()->set_subject(actor);
  event.mutable_actor()->add_groups("ml-governance");
  event.set_action(ACTION_DEPLOY);
  event.mutable_target()->set_model_name("fraud-detector");
  event.mutable_target()->set_environment("production");
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  event.mutable_context()->set_source_ip("203.0.113.77");
  event.mutable_context()->set_user_agent("deploy-cli/3.1 (host-of-" + actor + ")");
  event.mutable_provenance()->set_principal("release-bot");
  event.mutable_provenance()->set_authenticated_by("token");
  return event;
}

class SealedEventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SealedStore::Open(
        absl::StrCat(::testing::TempDir(), "/sealed-",
                     ::testing::UnitTest::GetInstance()->current_test_info()->name()),
        std::string(32, 'L'));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    EventLog::Options options;
    options.seal = [this](std::vector<AuditEvent>& events, absl::Time now) {
      return SealEvents(*store_, PrivacyRules::Default(), events, now);
    };
    auto log = TestEventLog::Open("example.com/sealed", std::move(options));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  absl::Status Append(std::vector<AuditEvent> events) { return log_->Append(std::move(events)); }

  std::unique_ptr<SealedStore> store_;
  std::unique_ptr<TestEventLog> log_;
};

TEST_F(SealedEventLogTest, EntriesHoldNoPersonalValueAndSearchWorksOnPseudonyms) {
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com"), Deploy(2, "bob@example.com"),
                      Deploy(3, "alice@example.com")})
                  .ok());
  const std::vector<std::string> entries = log_->Entries();
  ASSERT_EQ(entries.size(), 3u);
  for (const std::string& entry : entries) {
    for (const char* personal : {"alice", "bob", "203.0.113.77", "deploy-cli", "release-bot",
                                 "ml-governance"}) {
      EXPECT_THAT(entry, Not(HasSubstr(personal))) << personal;
    }
  }
  // Nor in any file of the log directory (tiles, bundles, the index).
  const std::string log_files = AllFileBytes(log_->dir());
  EXPECT_THAT(log_files, Not(HasSubstr("alice@example.com")));

  auto alice = store_->FindPseudonym("alice@example.com");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EventSearchRequest request;
  request.query.actor = *alice;
  auto found = log_->events().Search(request);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->matches.size(), 2u);
  for (const EventLog::Match& match : found->matches) {
    EXPECT_EQ(match.event.actor().pseudonym(), *alice);
    auto unsealed = UnsealEvent(*store_, match.event);
    ASSERT_TRUE(unsealed.ok()) << unsealed.status();
    EXPECT_EQ(unsealed->event.actor().subject(), "alice@example.com");
    EXPECT_EQ(unsealed->event.provenance().principal(), "release-bot");
    for (int i = 0; i < match.event.sealed_size(); ++i) {
      EXPECT_TRUE(VerifyOpenedValue(match.event.sealed(i), unsealed->opened[i]).ok());
    }
  }
  auto bot = store_->FindPseudonym("release-bot");
  ASSERT_TRUE(bot.ok());
  request.query.actor.reset();
  request.query.principal = *bot;
  found = log_->events().Search(request);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->matches.size(), 3u);
}

TEST_F(SealedEventLogTest, ErasureLeavesTheTreeAndOpensNothingOfTheSubject) {
  ASSERT_TRUE(Append({Deploy(1, "alice@example.com"), Deploy(2, "bob@example.com")}).ok());
  const auto head = log_->local().sequencer()->Head();
  const std::vector<std::string> before = log_->Entries();
  auto alice = store_->FindPseudonym("alice@example.com");
  ASSERT_TRUE(alice.ok());
  auto erased = store_->Erase(*alice);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 4u);  // subject, group, address, user agent (the principal is not hers)

  EXPECT_EQ(log_->Entries(), before);
  EXPECT_EQ(log_->local().sequencer()->Head()->size, head->size);
  const std::vector<AuditEvent> logged = log_->Logged();
  auto unsealed = UnsealEvent(*store_, logged[0]);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status();
  EXPECT_TRUE(unsealed->event.actor().subject().empty());
  EXPECT_THAT(GonePaths(*unsealed), ::testing::ElementsAre("actor.subject", "actor.groups",
                                                     "context.source_ip",
                                                     "context.user_agent"));
  auto bob = UnsealEvent(*store_, logged[1]);
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(bob->event.actor().subject(), "bob@example.com");
}

TEST_F(SealedEventLogTest, ABatchThatCannotBeSealedAppendsNothing) {
  AuditEvent presealed = Deploy(2, "bob@example.com");
  presealed.add_sealed()->set_path("actor.subject");
  absl::Status status = Append({Deploy(1, "alice@example.com"), presealed});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(log_->local().sequencer()->Head()->size, 0u);
  EXPECT_EQ(store_->FindPseudonym("alice@example.com").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
