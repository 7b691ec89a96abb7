// The conformance suite every WitnessStore backend runs (a typed test).

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/witness/leveldb_witness_store.h"
#include "ledger/witness/memory_witness_store.h"
#include "ledger/witness/witness_store.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

std::string FreshDir(absl::string_view tag) {
  std::string dir = absl::StrCat(::testing::TempDir(), "/witness-store-", tag, "-",
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

// Each backend's factory; Reopen() simulates a restart where the backend persists.
class MemoryBackend {
 public:
  WitnessStore* Get() { return &store_; }
  WitnessStore* Reopen() { return &store_; }

 private:
  MemoryWitnessStore store_;
};

class LevelDbBackend {
 public:
  LevelDbBackend() : dir_(FreshDir("leveldb")) {
    auto created = LevelDbWitnessStore::Open(dir_, /*create=*/true);
    EXPECT_TRUE(created.ok()) << created.status();
    store_ = *std::move(created);
  }
  WitnessStore* Get() { return store_.get(); }
  WitnessStore* Reopen() {
    store_.reset();
    auto opened = LevelDbWitnessStore::Open(dir_, /*create=*/false);
    EXPECT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    return store_.get();
  }

 private:
  std::string dir_;
  std::unique_ptr<LevelDbWitnessStore> store_;
};

template <typename Backend>
class WitnessStoreConformanceTest : public ::testing::Test {
 protected:
  Backend backend_;
};

using Backends = ::testing::Types<MemoryBackend, LevelDbBackend>;
TYPED_TEST_SUITE(WitnessStoreConformanceTest, Backends);

// A Decide that records `next` and saves what it was shown in `*seen`.
WitnessStore::Decide Record(std::string next, absl::optional<std::string>* seen) {
  return [next, seen](const absl::optional<std::string>& current) -> absl::StatusOr<std::string> {
    *seen = current;
    return next;
  };
}

TYPED_TEST(WitnessStoreConformanceTest, EmptyStoreHasNoRecord) {
  absl::StatusOr<absl::optional<std::string>> latest = this->backend_.Get()->Latest("a.example");
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_FALSE(latest->has_value());
}

TYPED_TEST(WitnessStoreConformanceTest, UpdateShowsTheCurrentRecordAndStoresTheNext) {
  WitnessStore* s = this->backend_.Get();
  absl::optional<std::string> seen = "unset";
  absl::StatusOr<std::string> stored = s->Update("a.example", Record("a at 1\n", &seen));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, "a at 1\n");
  EXPECT_FALSE(seen.has_value());
  stored = s->Update("a.example", Record("a at 2\n", &seen));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(seen, "a at 1\n");
  EXPECT_EQ(s->Latest("a.example").value(), "a at 2\n");
  // Origins are independent, including one that is a prefix of another.
  EXPECT_FALSE(s->Latest("a.exampl").value().has_value());
  ASSERT_TRUE(s->Update("a.exampl", Record("prefix\n", &seen)).ok());
  EXPECT_FALSE(seen.has_value());
  EXPECT_EQ(s->Latest("a.exampl").value(), "prefix\n");
  EXPECT_EQ(s->Latest("a.example").value(), "a at 2\n");
}

TYPED_TEST(WitnessStoreConformanceTest, ARefusalChangesNothing) {
  WitnessStore* s = this->backend_.Get();
  absl::optional<std::string> seen;
  ASSERT_TRUE(s->Update("a.example", Record("a at 1\n", &seen)).ok());
  absl::StatusOr<std::string> refused =
      s->Update("a.example", [](const absl::optional<std::string>& current)
                                 -> absl::StatusOr<std::string> {
        return absl::AbortedError(absl::StrCat("refused after ", current.value_or("none")));
      });
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(refused.status().message(), "refused after a at 1\n");
  EXPECT_EQ(s->Latest("a.example").value(), "a at 1\n");
  refused = s->Update("b.example", [](const absl::optional<std::string>&)
                                       -> absl::StatusOr<std::string> {
    return absl::InvalidArgumentError("no");
  });
  EXPECT_EQ(refused.status(), absl::InvalidArgumentError("no"));
  EXPECT_FALSE(s->Latest("b.example").value().has_value());
}

TYPED_TEST(WitnessStoreConformanceTest, RecordsSurviveAReopen) {
  absl::optional<std::string> seen;
  ASSERT_TRUE(this->backend_.Get()->Update("a.example", Record("a at 5\n", &seen)).ok());
  WitnessStore* s = this->backend_.Reopen();
  EXPECT_EQ(s->Latest("a.example").value(), "a at 5\n");
  ASSERT_TRUE(s->Update("a.example", Record("a at 6\n", &seen)).ok());
  EXPECT_EQ(seen, "a at 5\n");
}

TYPED_TEST(WitnessStoreConformanceTest, ADecisionToKeepTheRecordKeepsIt) {
  WitnessStore* s = this->backend_.Get();
  absl::optional<std::string> seen;
  ASSERT_TRUE(s->Update("a.example", Record("a at 1\n", &seen)).ok());
  absl::StatusOr<std::string> kept = s->Update(
      "a.example",
      [](const absl::optional<std::string>& current) -> absl::StatusOr<std::string> {
        return *current;
      });
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(*kept, "a at 1\n");
  EXPECT_EQ(this->backend_.Reopen()->Latest("a.example").value(), "a at 1\n");
}

TYPED_TEST(WitnessStoreConformanceTest, TheCosignerKeySurvivesAReopen) {
  WitnessStore* s = this->backend_.Get();
  EXPECT_EQ(s->CosignerKey().value(), absl::nullopt);
  ASSERT_TRUE(s->SetCosignerKey("w.example+0123abcd").ok());
  EXPECT_EQ(s->CosignerKey().value(), "w.example+0123abcd");
  EXPECT_EQ(this->backend_.Reopen()->CosignerKey().value(), "w.example+0123abcd");
}

TYPED_TEST(WitnessStoreConformanceTest, EvidenceIsKeptOncePerDigestUpToTheLimit) {
  using Outcome = WitnessStore::EvidenceOutcome;
  WitnessStore* s = this->backend_.Get();
  EXPECT_EQ(s->CountEvidence().value().stored, 0u);
  EXPECT_EQ(s->Evidence(0).value(), absl::nullopt);
  absl::StatusOr<WitnessStore::EvidenceAdded> added = s->AddEvidence("d0", "record 0", 2);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->outcome, Outcome::kStored);
  EXPECT_EQ(added->index, 0u);
  added = s->AddEvidence("d1", "record 1", 2);
  EXPECT_EQ(added->outcome, Outcome::kStored);
  EXPECT_EQ(added->index, 1u);
  added = s->AddEvidence("d0", "record 0 again", 2);
  EXPECT_EQ(added->outcome, Outcome::kRepeated);
  EXPECT_EQ(added->index, 0u);
  for (int i = 0; i < 3; ++i) {
    added = s->AddEvidence(absl::StrCat("over", i), "over the limit", 2);
    EXPECT_EQ(added->outcome, Outcome::kDropped);
  }
  s = this->backend_.Reopen();
  WitnessStore::EvidenceCounts counts = s->CountEvidence().value();
  EXPECT_EQ(counts.stored, 2u);
  EXPECT_EQ(counts.dropped, 3u);
  EXPECT_EQ(s->Evidence(0).value(), "record 0");
  EXPECT_EQ(s->Evidence(1).value(), "record 1");
  EXPECT_EQ(s->Evidence(2).value(), absl::nullopt);
  // A repeat is still recognized after the reopen, and a larger limit stores again.
  EXPECT_EQ(s->AddEvidence("d1", "record 1 again", 2).value().outcome, Outcome::kRepeated);
  added = s->AddEvidence("d2", "record 2", 3);
  EXPECT_EQ(added->outcome, Outcome::kStored);
  EXPECT_EQ(added->index, 2u);
  EXPECT_EQ(s->Evidence(2).value(), "record 2");
}

TYPED_TEST(WitnessStoreConformanceTest, UpdatesOfOneStoreAreSerialized) {
  WitnessStore* s = this->backend_.Get();
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  // Each update increments a counter kept as the record: a lost update shows in the total.
  auto increment = [&](const absl::optional<std::string>& current) -> absl::StatusOr<std::string> {
    if (inside.fetch_add(1) != 0) overlapped = true;
    int value = 0;
    if (current.has_value() && !absl::SimpleAtoi(*current, &value)) value = -1000000;
    std::this_thread::yield();
    inside.fetch_sub(1);
    return absl::StrCat(value + 1);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) EXPECT_TRUE(s->Update("counter", increment).ok());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(s->Latest("counter").value(), absl::StrCat(kThreads * kRounds));
}

TEST(LevelDbWitnessStoreTest, CreatesOnlyWhenAskedAndOnlyOnce) {
  std::string dir = FreshDir("create");
  absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> missing =
      LevelDbWitnessStore::Open(dir, /*create=*/false);
  EXPECT_EQ(missing.status(), absl::NotFoundError(absl::StrCat("no witness state in ", dir)));
  struct stat st;
  EXPECT_NE(stat(dir.c_str(), &st), 0) << "opening a missing state created " << dir;
  ASSERT_TRUE(LevelDbWitnessStore::Open(dir, /*create=*/true).ok());
  absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> again =
      LevelDbWitnessStore::Open(dir, /*create=*/true);
  EXPECT_EQ(again.status(),
            absl::AlreadyExistsError(absl::StrCat("a witness state already exists in ", dir)));
  EXPECT_TRUE(LevelDbWitnessStore::Open(dir, /*create=*/false).ok());
}

TEST(LevelDbWitnessStoreTest, OneProcessAtATime) {
  std::string dir = FreshDir("lock");
  absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> first =
      LevelDbWitnessStore::Open(dir, /*create=*/true);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> second =
      LevelDbWitnessStore::Open(dir, /*create=*/false);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr(absl::StrCat("data directory ", dir, " is in use by another process")));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
