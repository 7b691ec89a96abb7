#include "ledger/index_follower.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/leaf_index.h"
#include "ledger/leveldb_index_store.h"
#include "ledger/leveldb_storage.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "ledger/testing/fault_env.h"
#include "ledger/testing/test_log.h"
#include "leveldb/env.h"
#include "leveldb/helpers/memenv.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

constexpr char kLogDir[] = "/log";
constexpr char kIndexDir[] = "/index";
constexpr absl::Duration kWait = absl::Seconds(30);

// A log and its leaf-hash index on a FaultEnv, wired as vellumd wires them: a "process" that can
// be stopped, crashed and restarted on the same files.
class IndexedLog {
 public:
  IndexedLog(FaultEnv* env, const NoteSigner* signer) : env_(env), signer_(signer) {}
  ~IndexedLog() { Stop(); }

  // Opens the log and the index store, and starts following unless `follow` is false.
  void Start(bool follow = true) {
    LevelDbStorage::Options log_options;
    log_options.env = env_;
    auto storage = LevelDbStorage::Open(kLogDir, log_options);
    ASSERT_TRUE(storage.ok()) << storage.status();
    storage_ = *std::move(storage);
    LevelDbIndexStore::Options index_options;
    index_options.env = env_;
    auto store = LevelDbIndexStore::Open(kIndexDir, storage_->ReadCheckpoint()->first, index_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    leaf_index_ = std::make_unique<LeafHashIndex>(store_.get());
    SequencerOptions options;
    if (follow) {
      IndexFollower::Options follower_options;
      follower_options.max_leaves_per_write = 300;  // Several writes per batch, across tiles.
      auto follower =
          IndexFollower::Start(storage_.get(), store_.get(), {leaf_index_.get()}, follower_options);
      ASSERT_TRUE(follower.ok()) << follower.status();
      follower_ = *std::move(follower);
      options.on_commit = [follower = follower_.get()](uint64_t size) { follower->Notify(size); };
    }
    auto sequencer = Sequencer::Create(storage_.get(), signer_, options);
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    sequencer_ = *std::move(sequencer);
  }

  // Closes everything as a killed process's files would be closed.
  void Stop() {
    sequencer_.reset();
    follower_.reset();
    leaf_index_.reset();
    store_.reset();
    storage_.reset();
  }

  void Append(const std::vector<std::string>& entries) {
    auto appended = sequencer_->Append(entries);
    ASSERT_TRUE(appended.ok()) << appended.status();
  }

  uint64_t size() const { return sequencer_->Head()->size; }
  IndexFollower& follower() { return *follower_; }
  IndexStore& store() { return *store_; }
  Prover prover(uint64_t max_leaf_scan = 65536) const {
    ProverOptions options;
    options.leaf_index = leaf_index_.get();
    options.max_leaf_scan = max_leaf_scan;
    return Prover(*storage_, options);
  }

 private:
  FaultEnv* const env_;
  const NoteSigner* const signer_;
  std::unique_ptr<LevelDbStorage> storage_;
  std::unique_ptr<IndexStore> store_;
  std::unique_ptr<LeafHashIndex> leaf_index_;
  std::unique_ptr<IndexFollower> follower_;
  std::unique_ptr<Sequencer> sequencer_;
};

std::vector<std::string> Entries(const std::string& tag, size_t count) {
  std::vector<std::string> entries;
  for (size_t i = 0; i < count; ++i) entries.push_back(absl::StrCat(tag, " ", i));
  return entries;
}

class IndexFollowerTest : public ::testing::Test {
 protected:
  // Checks that every entry of `all`, entry i at index i unless an earlier copy exists, is found
  // at its smallest index through the index alone (the follower has caught up), and that an
  // entry never appended is not found.
  void ExpectFindsAll(IndexedLog& log, const std::vector<std::string>& all) {
    const uint64_t size = log.size();
    ASSERT_EQ(size, all.size());
    ASSERT_TRUE(log.follower().WaitFor(size, kWait)) << "the index did not catch up";
    EXPECT_EQ(log.store().position(), size);
    // max_leaf_scan 0: the index alone must answer.
    const Prover prover = log.prover(0);
    std::map<std::string, uint64_t> first;
    for (uint64_t i = 0; i < all.size(); ++i) first.emplace(all[i], i);
    for (uint64_t i = 0; i < all.size(); i += 7) {
      auto index = prover.FindLeaf(HashLeaf(all[i]), size, size);
      ASSERT_TRUE(index.ok()) << "entry " << i << ": " << index.status();
      EXPECT_EQ(*index, first[all[i]]) << "entry " << i;
    }
    auto absent = prover.FindLeaf(HashLeaf("never appended"), size, size);
    EXPECT_EQ(absent.status().code(), absl::StatusCode::kNotFound) << absent.status();
    EXPECT_THAT(absent.status().message(), HasSubstr(absl::StrCat("tree of size ", size)));
  }

  std::unique_ptr<leveldb::Env> mem_{leveldb::NewMemEnv(leveldb::Env::Default())};
  FaultEnv env_{mem_.get()};
  std::unique_ptr<NoteSigner> signer_ = NewTestSigner("example.com/index");
};

TEST_F(IndexFollowerTest, IndexesEveryCommittedLeafWithItsSmallestIndex) {
  IndexedLog log(&env_, signer_.get());
  log.Start();
  std::vector<std::string> all;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<std::string> entries = Entries(absl::StrCat("batch ", batch), 311);
    entries.push_back("repeated");
    log.Append(entries);
    all.insert(all.end(), entries.begin(), entries.end());
  }
  ExpectFindsAll(log, all);
  // Look-ups in an older tree see only its leaves.
  auto old = log.prover(0).FindLeaf(HashLeaf(all[500]), 400, log.size());
  EXPECT_EQ(old.status().code(), absl::StatusCode::kNotFound) << old.status();
  std::string metrics;
  log.follower().RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr(absl::StrCat("vellum_index_position ", all.size(), "\n")));
  EXPECT_THAT(metrics, HasSubstr("vellum_index_lag_leaves 0\n"));
}

// Leaves the index has not reached are searched in the tiles, up to max_leaf_scan of them.
TEST_F(IndexFollowerTest, LookUpsPastTheIndexSearchTheTilesOrSayHowFarItIs) {
  IndexedLog log(&env_, signer_.get());
  log.Start(/*follow=*/false);
  const std::vector<std::string> all = Entries("unindexed", 1000);
  log.Append(all);
  EXPECT_EQ(log.store().position(), 0u);
  auto found = log.prover(1000).FindLeaf(HashLeaf(all[999]), 1000, 1000);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, 999u);
  auto absent = log.prover(1000).FindLeaf(HashLeaf("never appended"), 1000, 1000);
  EXPECT_EQ(absent.status().code(), absl::StatusCode::kNotFound) << absent.status();
  auto behind = log.prover(999).FindLeaf(HashLeaf(all[0]), 1000, 1000);
  EXPECT_EQ(behind.status().code(), absl::StatusCode::kUnavailable) << behind.status();
  EXPECT_THAT(behind.status().message(),
              HasSubstr("the leaf-hash index covers 0 of 1000 leaves, want at least 1"));
}

// A crash loses the index's unsynced writes, never the log's synced ones; after the restart the
// follower catches up from wherever the index store was left.
TEST_F(IndexFollowerTest, IndexBehindAfterACrashCatchesUp) {
  std::vector<std::string> all;
  {
    IndexedLog log(&env_, signer_.get());
    log.Start();
    for (int batch = 0; batch < 4; ++batch) {
      std::vector<std::string> entries = Entries(absl::StrCat("before ", batch), 700);
      log.Append(entries);
      all.insert(all.end(), entries.begin(), entries.end());
    }
    ASSERT_TRUE(log.follower().WaitFor(all.size(), kWait));
    log.Stop();
    ASSERT_GT(env_.UnsyncedBytes(), 0u) << "the index writes should not be synced";
    // Keep only part of the unsynced bytes: a torn tail of the index's write-ahead log.
    leveldb::Status crashed = env_.Crash([](const std::string& file, uint64_t unsynced) {
      return file.rfind(kIndexDir, 0) == 0 ? unsynced / 3 : 0;
    });
    ASSERT_TRUE(crashed.ok()) << crashed.ToString();
  }
  IndexedLog log(&env_, signer_.get());
  log.Start(/*follow=*/false);
  EXPECT_LT(log.store().position(), all.size()) << "the crash should have set the index back";
  log.Stop();
  log.Start();
  std::vector<std::string> more = Entries("after", 10);
  log.Append(more);
  all.insert(all.end(), more.begin(), more.end());
  ExpectFindsAll(log, all);
}

TEST_F(IndexFollowerTest, MissingOrCorruptIndexIsRebuilt) {
  std::vector<std::string> all = Entries("log", 2000);
  {
    IndexedLog log(&env_, signer_.get());
    log.Start();
    log.Append(all);
    ASSERT_TRUE(log.follower().WaitFor(all.size(), kWait));
  }
  // Deleted: every file of the index store is gone.
  std::vector<std::string> files;
  ASSERT_TRUE(env_.GetChildren(kIndexDir, &files).ok());
  for (const std::string& file : files) env_.RemoveFile(absl::StrCat(kIndexDir, "/", file));
  {
    IndexedLog log(&env_, signer_.get());
    log.Start();
    ExpectFindsAll(log, all);
  }
  // Corrupt: LevelDB cannot open it.
  leveldb::WritableFile* current = nullptr;
  ASSERT_TRUE(env_.NewWritableFile(absl::StrCat(kIndexDir, "/CURRENT"), &current).ok());
  ASSERT_TRUE(current->Append("MANIFEST-999999\n").ok());
  ASSERT_TRUE(current->Close().ok());
  delete current;
  {
    IndexedLog log(&env_, signer_.get());
    log.Start(/*follow=*/false);
    EXPECT_EQ(log.store().position(), 0u);
    log.Stop();
    log.Start();
    ExpectFindsAll(log, all);
  }
}

// An index that covers more leaves than the log (the log was replaced by an older copy) is
// dropped and rebuilt rather than trusted.
TEST_F(IndexFollowerTest, IndexAheadOfTheLogIsRebuilt) {
  {
    LevelDbIndexStore::Options options;
    options.env = &env_;
    auto store = LevelDbIndexStore::Open(kIndexDir, 5000, options);
    ASSERT_TRUE(store.ok()) << store.status();
    IndexRecords records;
    records.Put("i/leaf/stale");
    ASSERT_TRUE((*store)->Write(records, 5000).ok());
    auto backwards = (*store)->Write(IndexRecords(), 10);
    EXPECT_EQ(backwards.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(backwards.message(), HasSubstr("position 10, want at least 5000"));
  }
  IndexedLog log(&env_, signer_.get());
  log.Start();
  EXPECT_EQ(log.store().position(), 0u);
  auto stale = log.store().FirstKey("i/leaf/stale");
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->has_value());
  const std::vector<std::string> all = Entries("fresh", 300);
  log.Append(all);
  ExpectFindsAll(log, all);
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
