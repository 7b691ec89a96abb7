#include "ledger/sequencer.h"

#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/refusal.h"
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
  // Reopens after a failed commit come quickly, so that tests wait little for them.
  static SequencerOptions FastRetry() {
    SequencerOptions options;
    options.retry_initial_delay = absl::Milliseconds(1);
    options.retry_max_delay = absl::Milliseconds(10);
    return options;
  }

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
  auto sequencer = NewSequencer(&storage, FastRetry());
  std::vector<std::string> entries;
  for (int i = 0; i < 300; ++i) entries.push_back(absl::StrCat("e", i));
  ASSERT_TRUE(sequencer->Append(entries).ok());
  auto before = sequencer->Head();
  storage.FailNextCommits(1);
  std::vector<std::string> lost(100, "lost");
  auto failed = sequencer->Append(lost);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(),
            "injected commit failure; the batch may have been stored: retry with the same "
            "Idempotency-Key");
  EXPECT_TRUE(RetryAfter(failed.status()).has_value());
  EXPECT_EQ(sequencer->Head(), before);
  // Once the store is reopened, the next batch continues from the last committed state, not
  // from the failed one.
  ASSERT_TRUE(WaitUntil([&] { return sequencer->Health().ok(); }, absl::Seconds(30)));
  EXPECT_EQ(storage.reopens(), 1);
  std::vector<std::string> more;
  for (int i = 0; i < 300; ++i) more.push_back(absl::StrCat("m", i));
  auto appended = sequencer->Append(more);
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->first_index, 300u);
  entries.insert(entries.end(), more.begin(), more.end());
  ExpectLogHolds(storage, *sequencer, entries);
}

// The writer builds the next batch while one is written. Appends that join it are not answered
// before their own batch is durable; when the write before them fails, they are refused as
// unstored and the tree they were built on is dropped.
TEST_F(SequencerTest, ABatchBuiltWhileAnotherIsWrittenWaitsForItAndFailsWithIt) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  auto sequencer = NewSequencer(&storage, FastRetry());
  ASSERT_TRUE(sequencer->Append({"kept"}).ok());
  // The next write waits until the test lets it go, and then fails.
  absl::Notification entered, release;
  std::atomic<bool> hold{true};
  storage.SetBeforeCommit([&] {
    if (!hold.exchange(false)) return;
    entered.Notify();
    release.WaitForNotification();
  });
  storage.FailNextCommits(1);
  absl::Notification first_done;
  absl::StatusOr<Sequencer::Appended> first;
  sequencer->AppendAsync({"first"}, [&](absl::StatusOr<Sequencer::Appended> a) {
    first = std::move(a);
    first_done.Notify();
  });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  // Joins the next batch while "first" is being written.
  std::atomic<int> answered{0};
  absl::StatusOr<Sequencer::Appended> second;
  absl::Notification second_done;
  sequencer->AppendAsync({"second"}, [&](absl::StatusOr<Sequencer::Appended> a) {
    second = std::move(a);
    answered++;
    second_done.Notify();
  });
  // Whatever the writer did meanwhile, nothing is answered while the write before it is held.
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(answered.load(), 0);
  EXPECT_FALSE(first_done.HasBeenNotified());
  release.Notify();
  first_done.WaitForNotification();
  second_done.WaitForNotification();
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("nothing of this one was stored"));
  EXPECT_EQ(storage.commits(), 1);  // Only "kept": the second batch was never written.
  // After the reopen the log continues from what was stored, not from the dropped tree.
  ASSERT_TRUE(WaitUntil([&] { return sequencer->Health().ok(); }, absl::Seconds(30)));
  auto next = sequencer->Append({"next"});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->first_index, 1u);
  ExpectLogHolds(storage, *sequencer, {"kept", "next"});
}

TEST_F(SequencerTest, RefusesAppendsUntilAReopenSucceeds) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  SequencerOptions options = FastRetry();
  options.retry_initial_delay = absl::Hours(1);  // Until the test lowers it: no reopen yet.
  auto sequencer = NewSequencer(&storage, options);
  ASSERT_TRUE(sequencer->Append({"kept"}).ok());
  storage.FailNextCommits(1, InsufficientStorageError("disk full"));
  auto failed = sequencer->Append({"failed"});
  EXPECT_TRUE(IsInsufficientStorage(failed.status())) << failed.status();
  // Nothing is queued or written while refusing; the refusal keeps the failure's code.
  auto refused = sequencer->Append({"refused"});
  EXPECT_TRUE(IsInsufficientStorage(refused.status())) << refused.status();
  EXPECT_EQ(refused.status().message(),
            "the log takes no appends until its store is reopened (disk full); nothing of this "
            "one was stored; retry later");
  ASSERT_TRUE(RetryAfter(refused.status()).has_value());
  EXPECT_GT(*RetryAfter(refused.status()), absl::Minutes(50));
  EXPECT_TRUE(IsInsufficientStorage(sequencer->Health()));
  EXPECT_EQ(storage.reopens(), 0);
  std::string metrics;
  sequencer->RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vellum_writes_refused 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_appends_refused_total{reason=\"store_refusing\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_commit_errors_total 1\n"));
  ExpectLogHolds(storage, *sequencer, {"kept"});
}

TEST_F(SequencerTest, ReopenIsRetriedWithBackoffUntilItSucceeds) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  auto sequencer = NewSequencer(&storage, FastRetry());
  ASSERT_TRUE(sequencer->Append({"kept"}).ok());
  storage.FailNextReopens(3);
  storage.FailNextCommits(1);
  EXPECT_FALSE(sequencer->Append({"failed"}).ok());
  ASSERT_TRUE(WaitUntil([&] { return sequencer->Health().ok(); }, absl::Seconds(30)))
      << sequencer->Health();
  std::string metrics;
  sequencer->RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vellum_store_reopen_attempts_total 4\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_store_reopens_total 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_writes_refused 0\n"));
  ASSERT_TRUE(sequencer->Append({"after"}).ok());
  ExpectLogHolds(storage, *sequencer, {"kept", "after"});
}

// A commit can fail after its write reached the store. The reopen recovers that batch, and a
// retry with the same idempotency key is answered with its index instead of a second copy.
TEST_F(SequencerTest, ABatchStoredDespiteItsFailureIsRecoveredAndItsRetryIsADuplicate) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  std::vector<uint64_t> notified;
  absl::Mutex mu;
  SequencerOptions options = FastRetry();
  options.on_commit = [&](uint64_t size) {
    absl::MutexLock lock(&mu);
    notified.push_back(size);
  };
  auto sequencer = NewSequencer(&storage, options);
  ASSERT_TRUE(sequencer->Append({"a", "b"}).ok());
  storage.FailNextCommits(1, absl::UnavailableError("failed after writing"),
                          /*after_writing=*/true);
  auto failed = sequencer->Append({"c"}, {"key-1"});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(sequencer->Head()->size, 2u);
  ASSERT_TRUE(WaitUntil([&] { return sequencer->Health().ok(); }, absl::Seconds(30)));
  EXPECT_EQ(sequencer->Head()->size, 3u);  // Recovered from the store, as a restart would.
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(notified, (std::vector<uint64_t>{2, 3}));
  }
  auto retry = sequencer->Append({"c"}, {"key-1"});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_index, 2u);
  EXPECT_EQ(retry->head->size, 3u);
  ExpectLogHolds(storage, *sequencer, {"a", "b", "c"});
}

TEST_F(SequencerTest, IdempotencyKeysAppendOnce) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  auto sequencer = NewSequencer(&storage);
  ASSERT_TRUE(sequencer->Append({"x"}).ok());
  auto first = sequencer->Append({"a", "b"}, {"batch-1"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->first_index, 1u);
  auto again = sequencer->Append({"a", "b"}, {"batch-1"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->first_index, 1u);
  for (const std::vector<std::string>& other :
       {std::vector<std::string>{"a"}, std::vector<std::string>{"b", "a"},
        std::vector<std::string>{"a", "b", "c"}}) {
    auto conflict = sequencer->Append(other, {"batch-1"});
    EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAlreadyExists);
    EXPECT_EQ(conflict.status().message(),
              "idempotency key \"batch-1\" was used for another append, at index 1; use a new "
              "key for new entries");
  }
  // Without a key, the same entries are appended again.
  ASSERT_TRUE(sequencer->Append({"a", "b"}).ok());
  // The same key twice in one batch: the second is the first's duplicate.
  absl::Notification queued;
  std::atomic<bool> holding{false};
  storage.SetBeforeCommit([&] {
    holding = true;
    queued.WaitForNotificationWithTimeout(absl::Seconds(30));
  });
  std::vector<absl::StatusOr<Sequencer::Appended>> results(4);
  absl::Notification done[4];
  sequencer->AppendAsync({"hold"}, [&](absl::StatusOr<Sequencer::Appended> a) {
    results[0] = a;
    done[0].Notify();
  });
  // Its commit is held while the next three are queued, so they form one batch.
  ASSERT_TRUE(WaitUntil([&] { return holding.load(); }, absl::Seconds(30)));
  for (int i = 1; i < 4; ++i) {
    sequencer->AppendAsync(
        {i == 3 ? "other" : "twice"},
        [&, i](absl::StatusOr<Sequencer::Appended> a) {
          results[i] = a;
          done[i].Notify();
        },
        {"same"});
  }
  queued.Notify();
  for (auto& d : done) d.WaitForNotification();
  ASSERT_TRUE(results[1].ok()) << results[1].status();
  ASSERT_TRUE(results[2].ok()) << results[2].status();
  EXPECT_FALSE(results[1]->duplicate);
  EXPECT_TRUE(results[2]->duplicate);
  EXPECT_EQ(results[2]->first_index, results[1]->first_index);
  EXPECT_EQ(results[3].status().code(), absl::StatusCode::kAlreadyExists);
  storage.SetBeforeCommit(nullptr);
  // Keys survive a restart.
  sequencer.reset();
  sequencer = NewSequencer(&storage);
  auto after_restart = sequencer->Append({"a", "b"}, {"batch-1"});
  ASSERT_TRUE(after_restart.ok()) << after_restart.status();
  EXPECT_TRUE(after_restart->duplicate);
  EXPECT_EQ(after_restart->first_index, 1u);
  ExpectLogHolds(storage, *sequencer, {"x", "a", "b", "a", "b", "hold", "twice"});
}

TEST_F(SequencerTest, RejectsBadIdempotencyKeysAndChangesNothing) {
  MemoryStorage memory;
  auto sequencer = NewSequencer(&memory);
  struct Case {
    std::string key;
    std::string error;
  };
  const Case cases[] = {
      {std::string(129, 'k'), "idempotency key is 129 bytes, want 1 to 128"},
      {"has space", "idempotency key byte 3 is 0x20, want a letter, a digit or one of -_.:~+/="},
      {"tab\t", "idempotency key byte 3 is 0x9, want a letter, a digit or one of -_.:~+/="},
      {"\xc3\xa9", "idempotency key byte 0 is 0xc3, want a letter, a digit or one of -_.:~+/="},
  };
  for (const Case& c : cases) {
    auto appended = sequencer->Append({"entry"}, {c.key});
    EXPECT_EQ(appended.status().code(), absl::StatusCode::kInvalidArgument) << c.key;
    EXPECT_EQ(appended.status().message(), c.error);
  }
  EXPECT_EQ(CheckIdempotencyKey(std::string(128, 'k')), absl::OkStatus());
  EXPECT_EQ(CheckIdempotencyKey("0f8fad5b-d9cb-469f-a165-70867728950e"), absl::OkStatus());
  EXPECT_EQ(CheckIdempotencyKey("aGVsbG8+/w==:x_y.z~"), absl::OkStatus());
  EXPECT_EQ(sequencer->Head()->size, 0u);
}

// A full queue refuses appends at once, with a retry hint, and counts them; what it accepted is
// all committed.
TEST_F(SequencerTest, AFullQueueRefusesAppends) {
  MemoryStorage memory;
  FaultStorage storage(&memory);
  SequencerOptions options;
  options.max_queued_entries = 5;
  options.max_queued_bytes = 1000;
  options.max_batch_entries = 3;
  absl::Notification release;
  std::atomic<bool> holding{false};
  storage.SetBeforeCommit([&] {
    holding = true;
    release.WaitForNotificationWithTimeout(absl::Seconds(30));
  });
  auto sequencer = NewSequencer(&storage, options);
  std::atomic<int> acked{0};
  auto count = [&](absl::StatusOr<Sequencer::Appended> appended) {
    EXPECT_TRUE(appended.ok()) << appended.status();
    acked++;
  };
  // The first append is taken into a batch, whose commit is held; the next fills the batch
  // built meanwhile, and the queue holds the rest.
  sequencer->AppendAsync({"held"}, count);
  ASSERT_TRUE(WaitUntil([&] { return holding.load(); }, absl::Seconds(30)));
  sequencer->AppendAsync({"a", "b", "c"}, count);
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::string metrics;
        sequencer->RenderMetrics(&metrics);
        return absl::StrContains(metrics, "vellum_append_building_entries 3\n");
      },
      absl::Seconds(30)));
  sequencer->AppendAsync({"1", "2", "3"}, count);
  sequencer->AppendAsync({"4", "5"}, count);
  auto over_entries = sequencer->Append({"6"});
  EXPECT_EQ(over_entries.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(over_entries.status().message(),
            "the append queue holds 5 entries of 5 bytes, and this append of 1 entries of 1 bytes "
            "would pass its bound of 5 entries or 1000 bytes; retry later");
  EXPECT_EQ(RetryAfter(over_entries.status()), absl::Seconds(1));
  std::string metrics;
  sequencer->RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vellum_append_queue_entries 5\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_append_queue_bytes 5\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_appends_refused_total{reason=\"queue_full\"} 1\n"));
  release.Notify();
  ASSERT_TRUE(WaitUntil([&] { return acked.load() == 4; }, absl::Seconds(30)));
  // An append alone may pass the byte bound.
  ASSERT_TRUE(sequencer->Append({std::string(5000, 'x')}).ok());
  ExpectLogHolds(storage, *sequencer,
                 {"held", "a", "b", "c", "1", "2", "3", "4", "5", std::string(5000, 'x')});
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
