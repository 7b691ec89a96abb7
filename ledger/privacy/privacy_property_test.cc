// A property test of the privacy layer on a live event log, without HTTP (the custodian is what
// the endpoints call): random events, erasures, holds placed and released, and retention runs.
// After every step
//   - the log only grew: every earlier entry is unchanged, so every earlier proof and receipt
//     still verifies (and at the end the tiles are audited against the checkpoint);
//   - every value that opens matches the commitment in its entry;
//   - nothing held is gone, and nothing is gone but what an erasure or a retention run took while
//     no hold covered it: the store holds exactly the values a model of the rules says;
//   - nothing erased opens, no key is left for a subject erased with nothing held, and no file of
//     the data directory holds a subject id in clear;
//   - `vellum holds verify`'s check (VerifyHolds) finds nothing.
// The seed is printed, so a failure can be replayed.

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/test_event_log.h"
#include "ledger/log_audit.h"
#include "ledger/privacy/commitment.h"
#include "ledger/privacy/custodian.h"
#include "ledger/privacy/hold_audit.h"
#include "ledger/privacy/hold_scope.h"
#include "ledger/testing/file_bytes.h"

namespace vellum {
namespace ledger {
namespace {

constexpr int kSubjects = 6;
constexpr int kSteps = 80;

std::string Subject(int s) { return absl::StrCat("person", s, "@corp.example"); }

crypto::Sha256Digest CommitmentOf(const SealedField& item) {
  return CommitmentFromBytes(item.commitment()).value();
}

AuditEvent RandomEvent(std::mt19937& rng, int n) {
  AuditEvent event;
  event.mutable_id()->set_source("registry");
  event.mutable_id()->set_source_id(absl::StrCat("e-", n));
  event.mutable_event_time()->set_seconds(1790000000 + n);
  event.mutable_observer()->set_adapter("native");
  event.mutable_actor()->set_subject(Subject(rng() % kSubjects));
  // Deploys expire at once (the retention rule below); approvals are kept until erased.
  event.set_action(rng() % 2 == 0 ? ACTION_DEPLOY : ACTION_APPROVE);
  event.mutable_target()->set_model_name(rng() % 2 == 0 ? "fraud-a" : "churn");
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  event.mutable_context()->set_source_ip(absl::StrCat("198.51.100.", rng() % 4));
  return event;
}

TEST(PrivacyPropertyTest, RandomEventsErasuresHoldsAndRetentionKeepEveryPromise) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  const std::string sealed_dir = absl::StrCat(::testing::TempDir(), "/property-sealed");

  Custodian::Options options;
  RetentionRule* deploys = options.retention.add_rules();
  deploys->set_name("deploys");
  deploys->add_actions(ACTION_DEPLOY);
  deploys->set_keep_days(0);
  options.retention_interval = absl::ZeroDuration();
  auto opened = Custodian::Open(sealed_dir, std::string(32, 'L'), options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<Custodian> custodian = *std::move(opened);
  EventLog::Options log_options;
  log_options.seal = [&custodian](std::vector<AuditEvent>& events, absl::Time now) {
    return custodian->Seal(events, now);
  };
  auto log_opened = TestEventLog::Open("example.com/property", std::move(log_options));
  ASSERT_TRUE(log_opened.ok()) << log_opened.status();
  std::unique_ptr<TestEventLog> log = *std::move(log_opened);
  ASSERT_TRUE(custodian->Attach(&log->events()).ok());
  const Custodian::Requester admin{"dpo@corp.example", "token"};

  // The model: the values that must still be in the store, and the subjects whose every value
  // went with no hold in the way (their keys must be gone).
  std::set<crypto::Sha256Digest> present;
  std::set<crypto::Sha256Digest> seen;
  std::set<std::string> keyless;
  std::vector<std::string> open_holds;
  int next_event = 0;
  std::vector<std::string> entries_before;

  auto covered = [&](const AuditEvent& event, const SealedField& item) {
    const HeldItem held{event.target().model_name(), item.pseudonym(),
                        FromProtoTime(event.logged_time())};
    for (const Hold& hold : custodian->Holds()) {
      if (HoldCovers(hold.scope(), held)) return true;
    }
    return false;
  };

  for (int step = 0; step < kSteps; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    const int what = rng() % 10;
    if (what < 4) {
      std::vector<AuditEvent> batch;
      for (int i = 0, n = 1 + rng() % 4; i < n; ++i) {
        batch.push_back(RandomEvent(rng, next_event++));
      }
      ASSERT_TRUE(log->Append(std::move(batch)).ok());
    } else if (what < 6) {
      const std::string models = rng() % 2 == 0 ? R"(["fraud-*"])" : R"(["churn"])";
      auto hold = custodian->PlaceHold(
          *ParseHoldRequest(absl::StrCat(R"({"matter":"m","reason":"case of )", Subject(0),
                                         R"(","scope":{"models":)", models, "}}")),
          admin);
      ASSERT_TRUE(hold.ok()) << hold.status();
      open_holds.push_back(hold->id());
    } else if (what < 7 && !open_holds.empty()) {
      const size_t k = rng() % open_holds.size();
      ASSERT_TRUE(custodian->ReleaseHold(open_holds[k], admin).ok());
      open_holds.erase(open_holds.begin() + k);
    } else if (what < 9) {
      const std::string subject = Subject(rng() % kSubjects);
      auto pseudonym = custodian->FindPseudonym(subject);
      // What the erasure must take: the subject's values no hold covers (in events whose actor
      // or principal the subject is: here, the actor).
      bool any_held = false;
      std::vector<crypto::Sha256Digest> taken;
      if (pseudonym.ok()) {
        for (const AuditEvent& e : log->Logged()) {
          for (const SealedField& item : e.sealed()) {
            if (item.pseudonym() != *pseudonym) continue;
            if (covered(e, item)) {
              any_held = any_held || present.count(CommitmentOf(item)) != 0;
            } else {
              taken.push_back(CommitmentOf(item));
            }
          }
        }
      }
      auto erased = custodian->Erase({subject}, {}, admin);
      ASSERT_TRUE(erased.ok()) << erased.status();
      for (const crypto::Sha256Digest& c : taken) present.erase(c);
      if (pseudonym.ok()) {
        EXPECT_EQ(erased->held_by.empty(), !any_held);
        if (!any_held) keyless.insert(*pseudonym);
      }
    } else {
      // A retention run: every deploy's values no hold covers go.
      for (const AuditEvent& e : log->Logged()) {
        if (e.action() != ACTION_DEPLOY) continue;
        for (const SealedField& item : e.sealed()) {
          if (!covered(e, item)) present.erase(CommitmentOf(item));
        }
      }
      ASSERT_TRUE(custodian->RunRetention(absl::Now() + absl::Seconds(1)).ok());
    }

    // Values appear only as events are appended (the custodian's own events too: the admin's
    // name in them is sealed); from then on the model only takes them away.
    for (const AuditEvent& e : log->Logged()) {
      for (const SealedField& item : e.sealed()) {
        if (!seen.insert(CommitmentOf(item)).second) continue;
        ASSERT_TRUE(custodian->store().CountPresent({CommitmentOf(item)}).value() == 1);
        present.insert(CommitmentOf(item));
        keyless.erase(item.pseudonym());  // A subject erased before has a new key now.
      }
    }
    // The log only grew.
    const std::vector<std::string> entries = log->Entries();
    ASSERT_GE(entries.size(), entries_before.size());
    for (size_t i = 0; i < entries_before.size(); ++i) ASSERT_EQ(entries[i], entries_before[i]);
    entries_before = entries;
    // The store holds exactly the model's values, each matching its commitment.
    for (const AuditEvent& e : log->Logged()) {
      auto unsealed = custodian->Unseal(e);
      ASSERT_TRUE(unsealed.ok()) << unsealed.status();
      size_t k = 0;
      for (const SealedField& item : e.sealed()) {
        const bool want = present.count(CommitmentOf(item)) != 0;
        const bool got = custodian->store().CountPresent({CommitmentOf(item)}).value() == 1;
        ASSERT_EQ(got, want) << item.path() << " of " << item.pseudonym();
        if (!got) continue;
        ASSERT_LT(k, unsealed->opened.size());
        EXPECT_TRUE(VerifyOpenedValue(item, unsealed->opened[k++]).ok());
      }
    }
    for (const std::string& pseudonym : keyless) {
      EXPECT_FALSE(custodian->store().HasPseudonym(pseudonym).value()) << pseudonym;
    }
    const std::string files =
        absl::StrCat(AllFileBytes(log->dir()), AllFileBytes(sealed_dir));
    for (int s = 0; s < kSubjects; ++s) {
      ASSERT_EQ(files.find(Subject(s)), std::string::npos) << Subject(s) << " in clear";
    }
    std::vector<AuditedEvent> audited;
    uint64_t index = 0;
    for (AuditEvent& e : log->Logged()) {
      AuditedEvent a;
      a.index = index++;
      a.gone = custodian->Unseal(e)->gone;
      a.event = std::move(e);
      audited.push_back(std::move(a));
    }
    ASSERT_THAT(VerifyHolds(audited), ::testing::IsEmpty());
  }

  // Every tile agrees with the final checkpoint: the proofs of every step still verify.
  const std::shared_ptr<const LogHead> head = log->local().sequencer()->Head();
  Checkpoint checkpoint;
  checkpoint.origin = "example.com/property";
  checkpoint.size = head->size;
  checkpoint.root = head->root;
  auto audit = AuditLog(log->local().storage(), checkpoint, AuditOptions());
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_EQ(audit->entries, head->size);
  custodian->Detach();
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
