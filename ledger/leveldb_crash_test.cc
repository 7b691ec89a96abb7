// Faults and crashes under the LevelDB store, injected at LevelDB's filesystem seam (FaultEnv):
// a commit whose write fails changes nothing, and a crash at any point of a write leaves the old
// state or the new one, never a mix, and never loses an acknowledged entry.

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/testing/test_log.h"
#include "ledger/leveldb_storage.h"
#include "ledger/sequencer.h"
#include "ledger/refusal.h"
#include "ledger/testing/fault_env.h"
#include "ledger/testing/wait_until.h"
#include "ledger/prover.h"
#include "ledger/tile_reader.h"
#include "leveldb/env.h"
#include "leveldb/helpers/memenv.h"
#include "proof/checkpoint.h"
#include "proof/compact_range.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/proof_nodes.h"
#include "proof/tile.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

constexpr char kDir[] = "/vellum/db";



// Every tile and entry bundle that exists at some tree size of at most `max_size`, in order.
std::set<std::tuple<int, uint8_t, uint64_t, uint16_t>> TilesUpTo(uint64_t max_size) {
  std::set<std::tuple<int, uint8_t, uint64_t, uint16_t>> ids;
  for (uint64_t size = 1; size <= max_size; ++size) {
    ForEachNewTile(size - 1, size, [&](const TileId& tile) {
      ids.emplace(0, tile.level, tile.index, tile.width);
      if (tile.level == 0) ids.emplace(1, 0, tile.index, tile.width);
    });
  }
  return ids;
}

// What a reader of `store` sees: the checkpoint, every tile and bundle (at every width) of the
// trees up to `max_size` leaves, and the index of each of `entries` by leaf hash. Two stores
// with equal dumps are indistinguishable through the LogReader interface for those trees.
std::map<std::string, std::string> Dump(const LogReader& store, uint64_t max_size,
                                        const std::vector<std::string>& entries) {
  std::map<std::string, std::string> dump;
  auto record = [&dump](const std::string& key, const absl::StatusOr<std::string>& value) {
    if (absl::IsNotFound(value.status())) return;  // Absent.
    dump[key] = value.ok() ? *value : absl::StrCat("error: ", value.status().ToString());
  };
  auto checkpoint = store.ReadCheckpoint();
  if (checkpoint.ok()) {
    dump["checkpoint"] = absl::StrCat(checkpoint->first, "\n", checkpoint->second);
  } else {
    dump["checkpoint"] = absl::StrCat("error: ", checkpoint.status().ToString());
  }
  for (const auto& [kind, level, index, width] : TilesUpTo(max_size)) {
    if (kind == 0) {
      TileId tile{level, index, width};
      record(TilePath(tile), store.ReadTile(tile));
    } else {
      EntryBundleId bundle{index, width};
      record(EntryBundlePath(bundle), store.ReadEntryBundle(bundle));
    }
  }
  const uint64_t size = checkpoint.ok() ? checkpoint->first : 0;
  const Prover prover(store);
  for (const std::string& entry : entries) {
    auto index = prover.FindLeaf(HashLeaf(entry), size, size);
    std::string& value = dump[absl::StrCat("leaf ", HashToBase64(HashLeaf(entry)))];
    if (absl::IsNotFound(index.status())) {
      value = "absent";
    } else if (!index.ok()) {
      value = absl::StrCat("error: ", index.status().ToString());
    } else {
      value = absl::StrCat(*index);
    }
  }
  return dump;
}

// The entries of the tree of `size` leaves, read back from the stored bundles.
std::vector<std::string> StoredEntries(const LogReader& store, uint64_t size) {
  std::vector<std::string> entries;
  for (uint64_t start = 0; start < size; start += kTileWidth) {
    const uint16_t width = static_cast<uint16_t>(std::min<uint64_t>(kTileWidth, size - start));
    auto data = store.ReadEntryBundle({start / kTileWidth, width});
    if (absl::IsNotFound(data.status()) && width != kTileWidth) {
      data = store.ReadEntryBundle({start / kTileWidth, kTileWidth});  // Superseded partial.
    }
    EXPECT_TRUE(data.ok()) << data.status();
    if (!data.ok()) break;
    auto parsed = ParseEntryBundle(*data);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (!parsed.ok()) break;
    for (size_t i = 0; i < width && i < parsed->size(); ++i) entries.push_back((*parsed)[i]);
  }
  return entries;
}

// `count` distinct entries of varied sizes, up to `max_padding` bytes longer than their names,
// all derived from `tag`.
std::vector<std::string> MakeBatch(const std::string& tag, size_t count, std::mt19937_64& rng,
                                   size_t max_padding = 300) {
  std::vector<std::string> batch;
  for (size_t i = 0; i < count; ++i) {
    std::string entry = absl::StrCat(tag, " #", i, " ");
    entry.resize(entry.size() + rng() % max_padding, static_cast<char>('a' + rng() % 26));
    batch.push_back(std::move(entry));
  }
  return batch;
}

// A log on a LevelDB store in a FaultEnv: a "process" that can be stopped, crashed and
// restarted on the same files.
class Log {
 public:
  Log(FaultEnv* env, const NoteSigner* signer, std::string dir = kDir)
      : env_(env), signer_(signer), dir_(std::move(dir)) {}

  // Opens the store and recovers the sequencer, as vellumd does on start.
  absl::Status Start(const SequencerOptions& sequencer_options = {}) {
    LevelDbStorage::Options options;
    options.env = env_;
    // Small memtables, so that LevelDB switches log files often during the test.
    options.write_buffer_bytes = 1 << 20;
    auto storage = LevelDbStorage::Open(dir_, options);
    if (!storage.ok()) return storage.status();
    storage_ = *std::move(storage);
    auto sequencer = Sequencer::Create(storage_.get(), signer_, sequencer_options);
    if (!sequencer.ok()) {
      storage_.reset();
      return sequencer.status();
    }
    sequencer_ = *std::move(sequencer);
    return absl::OkStatus();
  }

  // Closes the files as a killed process's would be; nothing more reaches them.
  void Stop() {
    sequencer_.reset();
    storage_.reset();
  }

  // A power loss: stops, then keeps `keep` of each file's unsynced bytes.
  void Crash(uint64_t keep_unsynced) {
    Stop();
    leveldb::Status status =
        env_->Crash([keep_unsynced](const std::string&, uint64_t) { return keep_unsynced; });
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  Sequencer& sequencer() { return *sequencer_; }
  LevelDbStorage& storage() { return *storage_; }

 private:
  FaultEnv* const env_;
  const NoteSigner* const signer_;
  const std::string dir_;
  std::unique_ptr<LevelDbStorage> storage_;
  std::unique_ptr<Sequencer> sequencer_;
};

constexpr uint64_t kKeepAll = ~uint64_t{0};

class LevelDbCrashTest : public ::testing::Test {
 protected:
  // Appends `batch` to `log` and to `acked_`; fails the test unless it is acknowledged.
  void AppendAcked(Log& log, const std::vector<std::string>& batch) {
    auto appended = log.sequencer().Append(batch);
    ASSERT_TRUE(appended.ok()) << appended.status();
    ASSERT_EQ(appended->first_index, acked_.size());
    acked_.insert(acked_.end(), batch.begin(), batch.end());
  }

  // Checks that the log holds exactly `entries`: size, root, signed checkpoint, bundles, leaf
  // index, and proofs from the tiles.
  void ExpectHolds(Log& log, const std::vector<std::string>& entries) {
    auto head = log.sequencer().Head();
    ASSERT_EQ(head->size, entries.size());
    const Hash root = RootOf(entries);
    EXPECT_EQ(head->root, root);
    auto verifier = NoteVerifier::Create(signer_->VerifierKey());
    ASSERT_TRUE(verifier.ok());
    auto stored = log.storage().ReadCheckpoint();
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->first, entries.size());
    if (!entries.empty()) {
      auto checkpoint = OpenCheckpoint(stored->second, **verifier);
      ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
      EXPECT_EQ(checkpoint->size, entries.size());
      EXPECT_EQ(checkpoint->root, root);
    }
    EXPECT_TRUE(StoredEntries(log.storage(), entries.size()) == entries)
        << "the stored entries differ from the expected " << entries.size();
    TileNodeReader reader(log.storage(), entries.size());
    for (uint64_t i = 0; i < entries.size(); i += 1 + entries.size() / 37) {
      auto index = Prover(log.storage()).FindLeaf(HashLeaf(entries[i]), entries.size(),
                                                  entries.size());
      ASSERT_TRUE(index.ok()) << "entry " << i << ": " << index.status();
      EXPECT_LE(*index, i);
      auto proof = ProveInclusion(i, entries.size(), reader);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyInclusion(i, entries.size(), HashLeaf(entries[i]), *proof, root).ok())
          << "entry " << i;
    }
  }

  std::unique_ptr<leveldb::Env> mem_{leveldb::NewMemEnv(leveldb::Env::Default())};
  FaultEnv env_{mem_.get()};
  std::unique_ptr<NoteSigner> signer_ = NewTestSigner("example.com/crash-test");
  std::vector<std::string> acked_;
};

// The env itself: a crash keeps exactly the synced bytes plus the share of the others asked for,
// and injected failures hit log files only.
TEST(FaultEnvTest, CrashKeepsSyncedBytesAndTheAskedShareOfTheRest) {
  std::unique_ptr<leveldb::Env> mem(leveldb::NewMemEnv(leveldb::Env::Default()));
  FaultEnv env(mem.get());
  ASSERT_TRUE(env.CreateDir("/d").ok());
  auto write = [&env](const std::string& name, const std::string& synced,
                      const std::string& unsynced) {
    leveldb::WritableFile* file = nullptr;
    ASSERT_TRUE(env.NewWritableFile(name, &file).ok());
    std::unique_ptr<leveldb::WritableFile> owned(file);
    ASSERT_TRUE(file->Append(synced).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(file->Append(unsynced).ok());
    ASSERT_TRUE(file->Close().ok());
  };
  auto read = [&env](const std::string& name) {
    std::string data;
    leveldb::Status status = leveldb::ReadFileToString(&env, name, &data);
    return status.ok() ? data : status.ToString();
  };
  write("/d/000001.log", "synced", "+unsynced");
  write("/d/MANIFEST-000002", "manifest", "+tail");
  write("/d/tmp", "", "never synced");
  ASSERT_TRUE(env.RenameFile("/d/tmp", "/d/CURRENT").ok());
  EXPECT_EQ(env.UnsyncedBytes(), 9u + 5u + 12u);
  ASSERT_TRUE(env.Crash([](const std::string& file, uint64_t unsynced) -> uint64_t {
                   if (absl::EndsWith(file, ".log")) return 3;
                   return file == "/d/CURRENT" ? unsynced : 0;
                 }).ok());
  EXPECT_EQ(read("/d/000001.log"), "synced+un");
  EXPECT_EQ(read("/d/MANIFEST-000002"), "manifest");
  EXPECT_EQ(read("/d/CURRENT"), "never synced");
  EXPECT_EQ(env.UnsyncedBytes(), 0u);

  // An append fault: the bytes that fit are written, the append fails, and the next one works.
  leveldb::WritableFile* file = nullptr;
  ASSERT_TRUE(env.NewAppendableFile("/d/000001.log", &file).ok());
  std::unique_ptr<leveldb::WritableFile> log(file);
  env.FailLogAppendAfter(4);
  EXPECT_TRUE(log->Append("ab").ok());
  leveldb::Status failed = log->Append("cdef");
  EXPECT_TRUE(failed.IsIOError()) << failed.ToString();
  EXPECT_THAT(failed.ToString(), HasSubstr("injected append failure"));
  EXPECT_TRUE(log->Append("gh").ok());
  env.FailNextLogSync();
  EXPECT_THAT(log->Sync().ToString(), HasSubstr("injected sync failure"));
  ASSERT_TRUE(log->Close().ok());
  log.reset();
  EXPECT_EQ(read("/d/000001.log"), "synced+unabcdgh");
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(read("/d/000001.log"), "synced+un");
  // Other files never fail.
  env.FailLogAppendAfter(0);
  write("/d/000005.ldb", "table", "");
  EXPECT_EQ(read("/d/000005.ldb"), "table");
  EXPECT_EQ(env.log_files(), 1);
}

// How much of the write-ahead log a failing write gets out before the error: nothing, part of
// the record header, the header and part of the batch.
class FailedAppendTest : public LevelDbCrashTest,
                         public ::testing::WithParamInterface<size_t> {};

TEST_P(FailedAppendTest, LeavesTheStoreAsItWasAndLosesNothingAcknowledged) {
  std::mt19937_64 rng(1000 + GetParam());
  Log log(&env_, signer_.get());
  ASSERT_EQ(log.Start(), absl::OkStatus());
  AppendAcked(log, MakeBatch("first", 300, rng));
  AppendAcked(log, MakeBatch("second", 5, rng));
  const std::vector<std::string> failed = MakeBatch("failed", 250, rng);
  const uint64_t max_size = acked_.size() + failed.size() + 300;
  std::vector<std::string> all = acked_;
  all.insert(all.end(), failed.begin(), failed.end());
  const auto before = Dump(log.storage(), max_size, all);
  const auto head = log.sequencer().Head();

  env_.FailLogAppendAfter(GetParam());
  auto appended = log.sequencer().Append(failed);
  EXPECT_EQ(appended.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(appended.status().message(), HasSubstr("cannot commit batch"));
  EXPECT_THAT(appended.status().message(), HasSubstr("injected append failure"));
  EXPECT_THAT(appended.status().message(),
              HasSubstr("the batch may have been stored: retry with the same Idempotency-Key"));
  EXPECT_EQ(log.sequencer().Head(), head);
  EXPECT_TRUE(Dump(log.storage(), max_size, all) == before) << "the failed commit left traces";

  // The log file now ends in an unknown state: the store takes no more writes that could land
  // after a torn record until it is reopened, which the sequencer does by itself, recovering the
  // last whole batch: here the acknowledged one, as the failed record is torn.
  ASSERT_TRUE(WaitUntil([&] { return log.sequencer().Health().ok(); }, absl::Seconds(30)))
      << log.sequencer().Health();
  EXPECT_EQ(log.sequencer().Head()->size, acked_.size());
  EXPECT_TRUE(Dump(log.storage(), max_size, all) == before);
  for (int i = 0; i < 12; ++i) AppendAcked(log, MakeBatch(absl::StrCat("after ", i), 60, rng));
  ExpectHolds(log, acked_);

  // A restart recovers the same tree.
  log.Stop();
  ASSERT_EQ(log.Start(), absl::OkStatus());
  ExpectHolds(log, acked_);
  log.Crash(0);
  ASSERT_EQ(log.Start(), absl::OkStatus());
  ExpectHolds(log, acked_);
}

// Without a reopen, a store whose write failed takes no more writes, and keeps serving reads.
TEST_F(LevelDbCrashTest, AFailedWriteStopsWritesUntilTheStoreIsReopened) {
  std::mt19937_64 rng(77);
  SequencerOptions never_reopen;
  never_reopen.retry_initial_delay = absl::Hours(1);
  Log log(&env_, signer_.get());
  ASSERT_EQ(log.Start(never_reopen), absl::OkStatus());
  AppendAcked(log, MakeBatch("first", 300, rng));
  env_.FailLogAppendAfter(3);
  EXPECT_EQ(log.sequencer().Append(MakeBatch("failed", 10, rng)).status().code(),
            absl::StatusCode::kUnavailable);
  auto later = log.sequencer().Append(MakeBatch("later", 40, rng));
  EXPECT_EQ(later.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(later.status().message(), HasSubstr("the log takes no appends until its store is "
                                                  "reopened"));
  EXPECT_THAT(later.status().message(), HasSubstr("injected append failure"));
  EXPECT_THAT(later.status().message(), HasSubstr("nothing of this one was stored"));
  ASSERT_TRUE(RetryAfter(later.status()).has_value());
  EXPECT_GT(*RetryAfter(later.status()), absl::Minutes(50));
  ExpectHolds(log, acked_);
  std::string metrics;
  log.sequencer().RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vellum_writes_refused 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_appends_refused_total{reason=\"store_refusing\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_commit_errors_total 1\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_store_reopen_attempts_total 0\n"));
  // The store itself refuses a commit until it is reopened.
  log.Stop();
  LevelDbStorage::Options options;
  options.env = &env_;
  auto storage = LevelDbStorage::Open(kDir, options);
  ASSERT_TRUE(storage.ok()) << storage.status();
  WriteSet write;
  write.tree_size = 1000;
  write.checkpoint = "c";
  env_.FailLogAppendAfter(0);
  EXPECT_EQ((*storage)->Commit(write).code(), absl::StatusCode::kUnavailable);
  absl::Status refused = (*storage)->Commit(write);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("an earlier write failed"));
  ASSERT_EQ((*storage)->Reopen(), absl::OkStatus());
  EXPECT_EQ((*storage)->Commit(write), absl::OkStatus());
  EXPECT_EQ((*storage)->ReadCheckpoint()->first, 1000u);
}

// A batch whose sync failed was written all the same: the reopen recovers it, as a restart would,
// and the retry with its idempotency key is its duplicate, not a second copy.
TEST_F(LevelDbCrashTest, ABatchWhoseSyncFailedIsRecoveredByTheReopenAndRetriedOnce) {
  std::mt19937_64 rng(79);
  SequencerOptions options;
  options.retry_initial_delay = absl::Milliseconds(1);
  Log log(&env_, signer_.get());
  ASSERT_EQ(log.Start(options), absl::OkStatus());
  AppendAcked(log, MakeBatch("first", 300, rng));
  const std::vector<std::string> batch = MakeBatch("unsynced", 20, rng);
  env_.FailNextLogSync();
  auto failed = log.sequencer().Append(batch, {"the-batch"});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr("injected sync failure"));
  EXPECT_THAT(failed.status().message(), HasSubstr("may have been stored"));
  ASSERT_TRUE(WaitUntil([&] { return log.sequencer().Health().ok(); }, absl::Seconds(30)))
      << log.sequencer().Health();
  ASSERT_EQ(log.sequencer().Head()->size, acked_.size() + batch.size());
  auto retry = log.sequencer().Append(batch, {"the-batch"});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_index, acked_.size());
  acked_.insert(acked_.end(), batch.begin(), batch.end());
  AppendAcked(log, MakeBatch("after", 10, rng));
  ExpectHolds(log, acked_);
  log.Crash(0);
  ASSERT_EQ(log.Start(), absl::OkStatus());
  ExpectHolds(log, acked_);
}

// A full disk: writes are refused as insufficient storage (HTTP 507), reads go on, the reopen
// waits until its probe finds room, and then appends resume without a restart.
TEST_F(LevelDbCrashTest, AFullDiskRefusesWritesAndAppendsResumeOnceThereIsRoom) {
  std::mt19937_64 rng(78);
  SequencerOptions options;
  options.retry_initial_delay = absl::Milliseconds(1);
  options.retry_max_delay = absl::Milliseconds(20);
  Log log(&env_, signer_.get());
  ASSERT_EQ(log.Start(options), absl::OkStatus());
  AppendAcked(log, MakeBatch("first", 300, rng));
  env_.SetDiskFull(true);
  auto failed = log.sequencer().Append(MakeBatch("failed", 10, rng));
  EXPECT_TRUE(IsInsufficientStorage(failed.status())) << failed.status();
  EXPECT_THAT(failed.status().message(), HasSubstr("No space left on device"));
  EXPECT_THAT(failed.status().message(), HasSubstr("may have been stored"));
  // Each reopen's probe finds no room, so the store stays open for reads.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return absl::StrContains(log.sequencer().Health().message(), "no room to reopen");
      },
      absl::Seconds(30)))
      << log.sequencer().Health();
  auto refused = log.sequencer().Append(MakeBatch("refused", 10, rng));
  EXPECT_TRUE(IsInsufficientStorage(refused.status())) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("nothing of this one was stored"));
  ExpectHolds(log, acked_);
  env_.SetDiskFull(false);
  ASSERT_TRUE(WaitUntil([&] { return log.sequencer().Health().ok(); }, absl::Seconds(30)))
      << log.sequencer().Health();
  for (int i = 0; i < 5; ++i) AppendAcked(log, MakeBatch(absl::StrCat("after ", i), 60, rng));
  ExpectHolds(log, acked_);
  std::string metrics;
  log.sequencer().RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr("vellum_writes_refused 0\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_store_reopens_total 1\n"));
  log.Crash(0);
  ASSERT_EQ(log.Start(), absl::OkStatus());
  ExpectHolds(log, acked_);
}

INSTANTIATE_TEST_SUITE_P(BytesWritten, FailedAppendTest, ::testing::Values(0, 3, 7, 7 + 1000));

// A write that was appended to the log but whose sync failed, followed by a crash that keeps
// some prefix of the unsynced bytes: after the restart the store holds the old tree or the new
// one, whole, and the recovered root matches the signed checkpoint.
class TornWriteTest : public LevelDbCrashTest,
                      public ::testing::WithParamInterface<uint64_t> {};

TEST_P(TornWriteTest, CrashGivesTheOldOrTheNewStateNeverAMix) {
  const uint64_t keep = GetParam();
  std::mt19937_64 rng(2000 + keep % 1000);
  // A twin log commits the same batches without faults: its dump is the "new" state.
  std::unique_ptr<leveldb::Env> twin_mem(leveldb::NewMemEnv(leveldb::Env::Default()));
  FaultEnv twin_env(twin_mem.get());
  Log twin(&twin_env, signer_.get());
  Log log(&env_, signer_.get());
  ASSERT_EQ(twin.Start(), absl::OkStatus());
  ASSERT_EQ(log.Start(), absl::OkStatus());
  // Batch sizes that leave partial tiles the torn batch then completes (and so deletes).
  for (size_t n : {200, 40, 1}) {
    std::vector<std::string> batch = MakeBatch(absl::StrCat("acked ", acked_.size()), n, rng);
    ASSERT_TRUE(twin.sequencer().Append(batch).ok());
    AppendAcked(log, batch);
  }
  const std::vector<std::string> torn = MakeBatch("torn", 300, rng);
  std::vector<std::string> all = acked_;
  all.insert(all.end(), torn.begin(), torn.end());
  const uint64_t max_size = all.size();
  const auto old_state = Dump(log.storage(), max_size, all);
  ASSERT_TRUE(twin.sequencer().Append(torn).ok());
  const auto new_state = Dump(twin.storage(), max_size, all);
  ASSERT_NE(old_state, new_state);

  env_.FailNextLogSync();
  const uint64_t unsynced_before = env_.UnsyncedBytes();
  auto appended = log.sequencer().Append(torn);
  EXPECT_EQ(appended.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(appended.status().message(), HasSubstr("injected sync failure"));
  const uint64_t record = env_.UnsyncedBytes() - unsynced_before;
  ASSERT_GT(record, 0u);
  EXPECT_TRUE(Dump(log.storage(), max_size, all) == old_state);

  log.Crash(keep);
  auto started = log.Start();
  ASSERT_TRUE(started.ok()) << started;
  const auto after = Dump(log.storage(), max_size, all);
  if (keep >= record) {
    EXPECT_TRUE(after == new_state) << "the whole record survived, but not the whole batch";
    acked_ = all;  // Never acknowledged, yet durable: a client retry would see it.
  } else {
    EXPECT_TRUE(after == old_state) << "kept " << keep << " of " << record << " bytes";
  }
  ExpectHolds(log, acked_);
  AppendAcked(log, MakeBatch("resumed", 70, rng));
  log.Crash(0);
  ASSERT_EQ(log.Start(), absl::OkStatus());
  ExpectHolds(log, acked_);
}

INSTANTIATE_TEST_SUITE_P(UnsyncedBytesKept, TornWriteTest,
                         ::testing::Values(0, 1, 6, 7, 100, 5000, kKeepAll));

// Random batches, random faults and random crash points, over enough data that LevelDB switches
// log files and flushes memtables to tables. Every acknowledged entry survives each restart, at
// its index; a batch whose commit failed is afterwards either wholly in the log or not at all.
// In memory, and once on the real filesystem, where every commit is fsync'd.
class RandomCrashTest : public LevelDbCrashTest, public ::testing::WithParamInterface<bool> {};

TEST_P(RandomCrashTest, LosesNoAcknowledgedEntry) {
  const bool on_disk = GetParam();
  const uint64_t seed = on_disk ? 7 : 20261128;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  FaultEnv disk_env(leveldb::Env::Default());
  FaultEnv& env = on_disk ? disk_env : env_;
  const char* tmp = std::getenv("TEST_TMPDIR");
  Log log(&env, signer_.get(),
          on_disk ? absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/random-crash-db") : kDir);
  ASSERT_EQ(log.Start(), absl::OkStatus());
  const int kRounds = on_disk ? 4 : 12;
  int failures = 0, survivors = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const int batches = 1 + static_cast<int>(rng() % 24);
    std::vector<std::string> pending;  // A failed batch: in the log after the restart, or not.
    for (int b = 0; b < batches; ++b) {
      std::vector<std::string> batch =
          MakeBatch(absl::StrCat("r", round, "b", b), 1 + rng() % 1000, rng, 1200);
      if (rng() % 50 == 0) batch.push_back(std::string(kMaxEntrySize, 'z'));
      const int fault = static_cast<int>(rng() % 30);
      if (fault == 0) env.FailLogAppendAfter(rng() % 100000);
      if (fault == 1) env.FailNextLogSync();
      auto appended = log.sequencer().Append(batch);
      if (appended.ok()) {
        ASSERT_TRUE(pending.empty()) << "a commit succeeded after a failed one";
        ASSERT_EQ(appended->first_index, acked_.size());
        acked_.insert(acked_.end(), batch.begin(), batch.end());
        continue;
      }
      ASSERT_EQ(appended.status().code(), absl::StatusCode::kUnavailable) << appended.status();
      ++failures;
      if (pending.empty()) pending = batch;
    }
    // A clean stop, or a crash keeping none, some or all of what was not synced.
    switch (rng() % 5) {
      case 0:
        log.Stop();
        break;
      case 1:
        log.Crash(0);
        break;
      case 2:
        log.Crash(kKeepAll);
        break;
      default:
        log.Crash(rng() % 60000);
        break;
    }
    ASSERT_EQ(log.Start(), absl::OkStatus());
    const uint64_t size = log.sequencer().Head()->size;
    if (size != acked_.size()) {
      ASSERT_FALSE(pending.empty()) << "size " << size << ", acknowledged " << acked_.size();
      ASSERT_EQ(size, acked_.size() + pending.size());
      acked_.insert(acked_.end(), pending.begin(), pending.end());
      ++survivors;
    }
    ExpectHolds(log, acked_);
    if (HasFatalFailure()) return;
  }
  std::printf("%zu entries, %d failed commits, %d of them durable after all, %d log files\n",
              acked_.size(), failures, survivors, env.log_files());
  // LevelDB switched log files (and so flushed memtables to tables) more often than it started.
  if (!on_disk) {
    EXPECT_GT(env.log_files(), kRounds + 1);
  }
}

INSTANTIATE_TEST_SUITE_P(InMemoryAndOnDisk, RandomCrashTest, ::testing::Values(false, true));

}  // namespace
}  // namespace ledger
}  // namespace vellum
