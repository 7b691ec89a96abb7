#include "ledger/sequencer.h"

#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/testing/fault_storage.h"
#include "ledger/testing/test_log.h"
#include "ledger/testing/wait_until.h"
#include "ledger/tile_reader.h"
#include "proof/checkpoint.h"
#include "proof/compact_range.h"
#include "proof/proof_nodes.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

// Reads every entry back from the stored bundles of a tree of `size`.
std::vector<std::string> StoredEntries(const LogReader& storage, uint64_t size) {
  std::vector<std::string> entries;
  for (uint64_t start = 0; start < size; start += kTileWidth) {
    uint16_t width = static_cast<uint16_t>(std::min<uint64_t>(kTileWidth, size - start));
    auto data = storage.ReadEntryBundle({start / kTileWidth, width});
    if (!data.ok() && width != kTileWidth) {
      data = storage.ReadEntryBundle({start / kTileWidth, kTileWidth});
    }
    EXPECT_TRUE(data.ok()) << data.status();
    if (!data.ok()) break;
    auto parsed = ParseEntryBundle(*data);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    for (size_t i = 0; i < width && i < parsed->size(); ++i) entries.push_back((*parsed)[i]);
  }
  return entries;
}

class SequencerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Sequencer> NewSequencer(LogStorage* storage, SequencerOptions options = {}) {
    auto sequencer = Sequencer::Create(storage, signer_.get(), options);
    EXPECT_TRUE(sequencer.ok()) << sequencer.status();
    return sequencer.ok() ? *std::move(sequencer) : nullptr;
  }

  // Checks the head's checkpoint, root and every stored tile against `entries`.
  void ExpectLogHolds(const LogStorage& storage, const Sequencer& sequencer,
                      const std::vector<std::string>& entries) {
    auto head = sequencer.Head();
    ASSERT_EQ(head->size, entries.size());
    EXPECT_EQ(head->root, RootOf(entries));
    auto verifier = NoteVerifier::Create(signer_->VerifierKey());
    ASSERT_TRUE(verifier.ok());
    auto checkpoint = OpenCheckpoint(head->checkpoint, **verifier);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    EXPECT_EQ(checkpoint->size, entries.size());
    EXPECT_EQ(checkpoint->root, head->root);
    EXPECT_EQ(storage.ReadCheckpoint()->second, head->checkpoint);
    EXPECT_EQ(StoredEntries(storage, entries.size()), entries);
    // Every leaf's inclusion proof, served from the tiles, verifies.
    TileNodeReader reader(storage, entries.size());
    for (uint64_t i = 0; i < entries.size(); i += 1 + entries.size() / 97) {
      auto proof = ProveInclusion(i, entries.size(), reader);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyInclusion(i, entries.size(), HashLeaf(entries[i]), *proof, head->root).ok())
          << i;
    }
  }

  std::unique_ptr<NoteSigner> signer_ = NewTestSigner("example.com/sequencer-test");
};

TEST_F(SequencerTest, EmptyLogHasASignedCheckpointOfSizeZero) {
  MemoryStorage storage;
  auto sequencer = NewSequencer(&storage);
  auto head = sequencer->Head();
  EXPECT_EQ(head->size, 0u);
  EXPECT_EQ(head->root, EmptyRoot());
  EXPECT_THAT(head->checkpoint, HasSubstr("example.com/sequencer-test\n0\n"));
}

TEST_F(SequencerTest, AppendsInOrderAcrossTileBoundaries) {
  MemoryStorage storage;
  auto sequencer = NewSequencer(&storage);
  std::vector<std::string> entries;
  // Batch sizes chosen to cross bundle and level-1 tile boundaries, and to land on them.
  const size_t batches[] = {1, 2, 253, 256, 1, 300, 65536 - 813, 1, 255, 1};
  for (size_t n : batches) {
    std::vector<std::string> batch;
    for (size_t i = 0; i < n; ++i) batch.push_back(absl::StrCat("entry ", entries.size() + i));
    auto appended = sequencer->Append(batch);
    ASSERT_TRUE(appended.ok()) << appended.status();
    EXPECT_EQ(appended->first_index, entries.size());
    entries.insert(entries.end(), batch.begin(), batch.end());
    EXPECT_EQ(appended->head->size, entries.size());
  }
  ExpectLogHolds(storage, *sequencer, entries);
}

TEST_F(SequencerTest, ConcurrentAppendsAreBatchedAndAllDurable) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  constexpr int kTotal = kThreads * kPerThread;
  // The first commit waits until every append is queued, so the rest must form one batch.
  std::atomic<int> queued{0};
  std::atomic<bool> first_commit{true};
  storage.SetBeforeCommit([&] {
    if (!first_commit.exchange(false)) return;
    EXPECT_TRUE(WaitUntil([&] { return queued.load() == kTotal; }, absl::Seconds(30)))
        << queued.load() << " of " << kTotal << " appends queued";
  });
  auto sequencer = NewSequencer(&storage);
  absl::Mutex mu;
  std::vector<std::pair<uint64_t, std::string>> acked;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string entry = absl::StrCat("thread ", t, " entry ", i);
        sequencer->AppendAsync({entry}, [&, entry](absl::StatusOr<Sequencer::Appended> appended) {
          ASSERT_TRUE(appended.ok()) << appended.status();
          EXPECT_GT(appended->head->size, appended->first_index);
          absl::MutexLock lock(&mu);
          acked.emplace_back(appended->first_index, entry);
        });
        queued++;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return acked.size() == kTotal;
      },
      absl::Seconds(30)));
  std::vector<std::string> entries(kTotal);
  for (const auto& [index, entry] : acked) {
    ASSERT_LT(index, entries.size());
    EXPECT_EQ(entries[index], "") << "index " << index << " acknowledged twice";
    entries[index] = entry;
  }
  ExpectLogHolds(storage, *sequencer, entries);
  // Group commit: the appends queued behind the first commit went into one more.
  EXPECT_LE(storage.commits(), 2);
}

TEST_F(SequencerTest, ConcurrentBlockingAppendsAreAllDurable) {
  MemoryStorage storage;
  auto sequencer = NewSequencer(&storage);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::vector<std::vector<std::pair<uint64_t, std::string>>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string entry = absl::StrCat("thread ", t, " entry ", i);
        auto appended = sequencer->Append({entry});
        ASSERT_TRUE(appended.ok()) << appended.status();
        EXPECT_GT(appended->head->size, appended->first_index);
        acked[t].emplace_back(appended->first_index, entry);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<std::string> entries(kThreads * kPerThread);
  for (const auto& list : acked) {
    for (const auto& [index, entry] : list) {
      ASSERT_LT(index, entries.size());
      EXPECT_EQ(entries[index], "") << "index " << index << " acknowledged twice";
      entries[index] = entry;
    }
  }
  ExpectLogHolds(storage, *sequencer, entries);
}

TEST_F(SequencerTest, MaxBatchEntriesBoundsABatch) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  SequencerOptions options;
  options.max_batch_entries = 10;
  auto sequencer = NewSequencer(&storage, options);
  std::vector<std::string> big(25, "x");
  ASSERT_TRUE(sequencer->Append(big).ok());  // One append larger than the bound is one batch.
  EXPECT_EQ(storage.commits(), 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> four(4, "y");
      ASSERT_TRUE(sequencer->Append(four).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(sequencer->Head()->size, 57u);
  EXPECT_GE(storage.commits(), 1 + 4);  // 32 entries, at most two appends (8) per batch.
}

TEST_F(SequencerTest, RejectsBadEntriesAndChangesNothing) {
  MemoryStorage storage;
  auto sequencer = NewSequencer(&storage);
  ASSERT_TRUE(sequencer->Append({"first"}).ok());
  struct Case {
    std::vector<std::string> entries;
    const char* message;
  };
  const Case cases[] = {
      {{}, "no entries to append"},
      {{""}, "entry 0 is 0 bytes, want 1 to 65535"},
      {{"ok", std::string(65536, 'x')}, "entry 1 is 65536 bytes, want 1 to 65535"},
  };
  for (const Case& c : cases) {
    auto appended = sequencer->Append(c.entries);
    EXPECT_EQ(appended.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(appended.status().message(), c.message);
  }
  EXPECT_EQ(sequencer->Head()->size, 1u);
  ASSERT_TRUE(sequencer->Append({std::string(65535, 'x')}).ok());
  ExpectLogHolds(storage, *sequencer, {"first", std::string(65535, 'x')});
}

TEST_F(SequencerTest, FailedCommitLeavesTheLogAsItWas) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  auto sequencer = NewSequencer(&storage);
  std::vector<std::string> entries;
  for (int i = 0; i < 300; ++i) entries.push_back(absl::StrCat("e", i));
  ASSERT_TRUE(sequencer->Append(entries).ok());
  auto before = sequencer->Head();
  storage.FailNextCommits(1);
  std::vector<std::string> lost(100, "lost");
  auto failed = sequencer->Append(lost);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(sequencer->Head(), before);
  // The next batch continues from the last committed state, not from the failed one.
  std::vector<std::string> more;
  for (int i = 0; i < 300; ++i) more.push_back(absl::StrCat("m", i));
  auto appended = sequencer->Append(more);
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->first_index, 300u);
  entries.insert(entries.end(), more.begin(), more.end());
  ExpectLogHolds(storage, *sequencer, entries);
}

TEST_F(SequencerTest, DestructionCommitsEveryQueuedAppend) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  // The first commit is held until all 20 appends are queued, so 19 are still queued when the
  // sequencer is destroyed, unless its writer took them first.
  absl::Notification all_queued;
  storage.SetBeforeCommit([&] { all_queued.WaitForNotificationWithTimeout(absl::Seconds(30)); });
  std::atomic<int> acked{0};
  {
    auto sequencer = NewSequencer(&storage);
    for (int i = 0; i < 20; ++i) {
      sequencer->AppendAsync({absl::StrCat("queued ", i)},
                             [&](absl::StatusOr<Sequencer::Appended> appended) {
                               EXPECT_TRUE(appended.ok()) << appended.status();
                               acked++;
                             });
    }
    all_queued.Notify();
  }
  EXPECT_EQ(acked.load(), 20);
  EXPECT_EQ(memory.ReadCheckpoint()->first, 20u);
}

TEST_F(SequencerTest, RecoversFromStorage) {
  MemoryStorage storage;
  std::vector<std::string> entries;
  std::mt19937_64 rng(20261128);
  std::printf("seed 20261128\n");
  for (int restart = 0; restart < 6; ++restart) {
    auto sequencer = NewSequencer(&storage);
    ASSERT_NE(sequencer, nullptr);
    ASSERT_EQ(sequencer->Head()->size, entries.size());
    EXPECT_EQ(sequencer->Head()->root, RootOf(entries));
    for (int b = 0; b < 5; ++b) {
      std::vector<std::string> batch(1 + rng() % 700);
      for (std::string& e : batch) e = absl::StrCat("r", restart, "-", entries.size() + (&e - &batch[0]));
      ASSERT_TRUE(sequencer->Append(batch).ok());
      entries.insert(entries.end(), batch.begin(), batch.end());
    }
    ExpectLogHolds(storage, *sequencer, entries);
  }
}

TEST_F(SequencerTest, RecoveryRefusesTilesThatDisagreeWithTheCheckpoint) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  {
    auto sequencer = NewSequencer(&storage);
    std::vector<std::string> entries(1000, "entry");
    ASSERT_TRUE(sequencer->Append(entries).ok());
  }
  storage.SetTileFilter([](const TileId& tile, std::string* data) {
    if (tile.level == 0 && tile.index == 3) (*data)[0] ^= 1;
  });
  auto sequencer = Sequencer::Create(&storage, signer_.get(), {});
  EXPECT_EQ(sequencer.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(sequencer.status().message(), HasSubstr("stored tiles of tree size 1000 have root "));
  EXPECT_THAT(sequencer.status().message(), HasSubstr(", the signed checkpoint has root "));
}

TEST_F(SequencerTest, RecoveryRefusesACheckpointSignedByAnotherKey) {
  MemoryStorage storage;
  {
    auto sequencer = NewSequencer(&storage);
    ASSERT_TRUE(sequencer->Append({"entry"}).ok());
  }
  auto other = NewTestSigner("example.com/sequencer-test");
  auto sequencer = Sequencer::Create(&storage, other.get(), {});
  EXPECT_EQ(sequencer.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(sequencer.status().message(), HasSubstr("the stored checkpoint does not verify"));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
