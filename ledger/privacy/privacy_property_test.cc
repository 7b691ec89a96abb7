// A property test of the privacy layer without HTTP: random events sealed, erased and purged,
// with legal holds placed and released, checking after every step that
//   - every value still in the store opens and matches the commitment in its entry;
//   - nothing held goes: erasures and purges leave out what a hold covers when they run (as the
//     erasure and retention services will), and the store removes exactly what it is asked to,
//     so every value not erased or purged still opens;
//   - nothing erased or purged can be opened, and no file of the store holds an erased subject's
//     records or any personal value in clear.
// The seed is printed, so a failure can be replayed.

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/privacy/event_sealer.h"
#include "ledger/privacy/hold_scope.h"
#include "ledger/privacy/sealed_store.h"
#include "ledger/testing/file_bytes.h"

namespace vellum {
namespace ledger {
namespace {

constexpr int kSubjects = 6;
constexpr int kSteps = 120;

std::string Subject(int s) { return absl::StrCat("person", s, "@corp.example"); }

crypto::Sha256Digest CommitmentOf(const SealedField& item) {
  crypto::Sha256Digest c{};
  std::copy(item.commitment().begin(), item.commitment().end(), c.begin());
  return c;
}

TEST(PrivacyPropertyTest, RandomSealsErasuresHoldsAndPurgesKeepEveryPromise) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  const std::string dir = absl::StrCat(::testing::TempDir(), "/property");
  auto opened = SealedStore::Open(dir, std::string(32, 'L'));
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<SealedStore> store = *std::move(opened);

  struct Logged {
    AuditEvent entry;  // as the log holds it
    std::string model;
    absl::Time time;
  };
  std::vector<Logged> log;
  std::set<std::string> erased_pseudonyms;
  std::set<std::string> gone;             // commitments erased or purged
  HoldSet holds;
  int next_hold = 0;
  std::map<int, std::string> pseudonym_of;  // while the subject has a key

  auto held = [&](const Logged& e, const SealedField& item) {
    return !holds.Covering({e.model, item.pseudonym(), e.time}).empty();
  };

  for (int step = 0; step < kSteps; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    const int op = rng() % 10;
    if (op < 6) {  // Seal an event.
      const int s = rng() % kSubjects;
      AuditEvent event;
      event.mutable_actor()->set_subject(Subject(s));
      event.mutable_actor()->add_groups(absl::StrCat("group-of-", s));
      event.mutable_context()->set_source_ip(absl::StrCat("198.51.100.", s));
      event.mutable_context()->set_user_agent(absl::StrCat("agent-of-", s));
      const std::string model = rng() % 2 ? "fraud-detector" : "churn";
      event.mutable_target()->set_model_name(model);
      const absl::Time time = absl::FromUnixSeconds(1790000000 + step);
      auto sealed = SealEvent(*store, PrivacyRules::Default(), event, time);
      ASSERT_TRUE(sealed.ok()) << sealed.status();
      pseudonym_of[s] = sealed->actor().pseudonym();
      log.push_back({*sealed, model, time});
    } else if (op < 7 && !pseudonym_of.empty()) {  // Erase a subject unless held.
      auto it = pseudonym_of.begin();
      std::advance(it, rng() % pseudonym_of.size());
      const int s = it->first;
      const std::string pseudonym = it->second;
      bool any_held = false;
      for (const Logged& e : log) {
        for (const SealedField& item : e.entry.sealed()) {
          if (item.pseudonym() == pseudonym && gone.count(item.commitment()) == 0 &&
              held(e, item)) {
            any_held = true;
          }
        }
      }
      if (any_held) continue;  // The erasure service answers 409 for held data.
      auto count = store->Erase(pseudonym);
      ASSERT_TRUE(count.ok()) << count.status();
      for (const Logged& e : log) {
        for (const SealedField& item : e.entry.sealed()) {
          if (item.pseudonym() == pseudonym) gone.insert(item.commitment());
        }
      }
      erased_pseudonyms.insert(pseudonym);
      pseudonym_of.erase(s);
    } else if (op < 8) {  // Place a hold on a model, or on a subject.
      Hold hold;
      hold.set_id(absl::StrCat("h", next_hold++));
      if (rng() % 2 && !pseudonym_of.empty()) {
        hold.mutable_scope()->add_subjects(pseudonym_of.begin()->second);
      } else {
        hold.mutable_scope()->add_models("fraud-*");
      }
      ASSERT_TRUE(holds.Place(hold).ok());
    } else if (op < 9 && !holds.List().empty()) {  // Release a hold.
      const std::vector<Hold> list = holds.List();
      ASSERT_TRUE(holds.Release(list[rng() % list.size()].id()).ok());
    } else {  // Purge the oldest half of what is not held (retention).
      std::vector<crypto::Sha256Digest> expired;
      for (size_t i = 0; i < log.size() / 2; ++i) {
        for (const SealedField& item : log[i].entry.sealed()) {
          if (gone.count(item.commitment()) == 0 && !held(log[i], item)) {
            expired.push_back(CommitmentOf(item));
            gone.insert(item.commitment());
          }
        }
      }
      ASSERT_TRUE(store->Purge(expired).ok());
      // A subject whose last value went has no key left.
      for (auto it = pseudonym_of.begin(); it != pseudonym_of.end();) {
        auto count = store->CountValues(it->second);
        ASSERT_TRUE(count.ok());
        if (*count == 0) {
          EXPECT_EQ(store->FindPseudonym(Subject(it->first)).status().code(),
                    absl::StatusCode::kNotFound);
          it = pseudonym_of.erase(it);
        } else {
          ++it;
        }
      }
    }

    // The promises, after every step.
    for (const Logged& e : log) {
      auto unsealed = UnsealEvent(*store, e.entry);
      ASSERT_TRUE(unsealed.ok()) << unsealed.status();
      size_t opened_count = 0;
      for (const SealedField& item : e.entry.sealed()) {
        const bool is_gone = gone.count(item.commitment()) != 0;
        if (!is_gone) {
          ASSERT_LT(opened_count, unsealed->opened.size());
          EXPECT_TRUE(VerifyOpenedValue(item, unsealed->opened[opened_count]).ok());
          ++opened_count;
        }
      }
      EXPECT_EQ(opened_count, unsealed->opened.size());
      EXPECT_EQ(unsealed->gone.size(), e.entry.sealed().size() - opened_count);
      if (erased_pseudonyms.count(e.entry.actor().pseudonym()) != 0) {
        EXPECT_TRUE(unsealed->event.actor().subject().empty()) << "an erased subject opened";
      }
    }
    const std::string files = AllFileBytes(dir);
    for (int s = 0; s < kSubjects; ++s) {
      EXPECT_EQ(files.find(Subject(s)), std::string::npos);
      EXPECT_EQ(files.find(absl::StrCat("agent-of-", s)), std::string::npos);
    }
    for (const std::string& pseudonym : erased_pseudonyms) {
      EXPECT_EQ(files.find(pseudonym), std::string::npos) << "erased subject's record on disk";
    }
  }
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
