// The conformance suite every LogStorage backend runs (a typed test).

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/leveldb_storage.h"
#include "ledger/memory_storage.h"
#include "leveldb/env.h"
#include "leveldb/helpers/memenv.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

// Each backend's factory; Reopen() simulates a restart where the backend persists.
class MemoryBackend {
 public:
  LogStorage* Get() { return &storage_; }
  LogStorage* Reopen() { return &storage_; }

 private:
  MemoryStorage storage_;
};

class LevelDbBackend {
 public:
  LevelDbBackend() : env_(leveldb::NewMemEnv(leveldb::Env::Default())) { Reopen(); }
  LogStorage* Get() { return storage_.get(); }
  LogStorage* Reopen() {
    storage_.reset();
    LevelDbStorage::Options options;
    options.env = env_.get();
    auto opened = LevelDbStorage::Open("/db", options);
    EXPECT_TRUE(opened.ok()) << opened.status();
    storage_ = *std::move(opened);
    return storage_.get();
  }

 private:
  std::unique_ptr<leveldb::Env> env_;
  std::unique_ptr<LevelDbStorage> storage_;
};

template <typename Backend>
class StorageConformanceTest : public ::testing::Test {
 protected:
  Backend backend_;
};

using Backends = ::testing::Types<MemoryBackend, LevelDbBackend>;
TYPED_TEST_SUITE(StorageConformanceTest, Backends);

WriteSet Batch(uint64_t size, const std::string& checkpoint) {
  WriteSet write;
  write.tree_size = size;
  write.checkpoint = checkpoint;
  return write;
}

TYPED_TEST(StorageConformanceTest, EmptyStore) {
  LogStorage* s = this->backend_.Get();
  auto checkpoint = s->ReadCheckpoint();
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->first, 0u);
  EXPECT_EQ(checkpoint->second, "");
  auto tile = s->ReadTile({0, 0, 1});
  EXPECT_EQ(tile.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(tile.status().message(), HasSubstr("tile/0/000.p/1"));
  EXPECT_EQ(s->ReadEntryBundle({0, 1}).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(StorageConformanceTest, CommitIsVisibleAndSurvivesReopen) {
  LogStorage* s = this->backend_.Get();
  WriteSet write = Batch(3, "checkpoint at 3\n");
  write.tiles = {{{0, 0, 3}, "tile-0-0-3"}, {{1, 0, 1}, "tile-1-0-1"}};
  write.bundles = {{{0, 3}, "bundle-0-3"}};
  ASSERT_TRUE(s->Commit(write).ok());
  s = this->backend_.Reopen();
  EXPECT_EQ(*s->ReadCheckpoint(), std::make_pair(uint64_t{3}, std::string("checkpoint at 3\n")));
  EXPECT_EQ(*s->ReadTile({0, 0, 3}), "tile-0-0-3");
  EXPECT_EQ(*s->ReadTile({1, 0, 1}), "tile-1-0-1");
  EXPECT_EQ(*s->ReadEntryBundle({0, 3}), "bundle-0-3");
  EXPECT_EQ(s->ReadTile({0, 0, 2}).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(StorageConformanceTest, PartialTilesStayUntilTheFullTileArrives) {
  LogStorage* s = this->backend_.Get();
  WriteSet first = Batch(100, "c100");
  first.tiles = {{{0, 0, 100}, "p100"}};
  first.bundles = {{{0, 100}, "b100"}};
  ASSERT_TRUE(s->Commit(first).ok());
  WriteSet second = Batch(200, "c200");
  second.tiles = {{{0, 0, 200}, "p200"}};
  second.bundles = {{{0, 200}, "b200"}};
  ASSERT_TRUE(s->Commit(second).ok());
  // Both checkpointed partial widths are served.
  EXPECT_EQ(*s->ReadTile({0, 0, 100}), "p100");
  EXPECT_EQ(*s->ReadTile({0, 0, 200}), "p200");
  WriteSet third = Batch(300, "c300");
  third.tiles = {{{0, 0, 256}, "full"}, {{0, 1, 44}, "p44"}, {{1, 0, 1}, "l1"}};
  third.bundles = {{{0, 256}, "bfull"}, {{1, 44}, "b44"}};
  ASSERT_TRUE(s->Commit(third).ok());
  s = this->backend_.Reopen();
  EXPECT_EQ(*s->ReadTile({0, 0, 256}), "full");
  EXPECT_EQ(*s->ReadEntryBundle({0, 256}), "bfull");
  EXPECT_EQ(*s->ReadTile({0, 1, 44}), "p44");
  // Superseded partial versions may be deleted; the full tile must remain either way.
  for (uint16_t width : {100, 200}) {
    auto partial = s->ReadTile({0, 0, width});
    EXPECT_TRUE(partial.ok() || absl::IsNotFound(partial.status())) << partial.status();
  }
}

TYPED_TEST(StorageConformanceTest, RejectsCommitThatDoesNotGrow) {
  LogStorage* s = this->backend_.Get();
  ASSERT_TRUE(s->Commit(Batch(5, "c5")).ok());
  for (uint64_t size : {uint64_t{5}, uint64_t{4}}) {
    WriteSet stale = Batch(size, "stale");
    stale.tiles = {{{0, 0, 4}, "stale"}};
    absl::Status status = s->Commit(stale);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(status.message(),
              absl::StrCat("commit of tree size ", size, ", want more than the stored 5"));
  }
  // The rejected sets changed nothing.
  EXPECT_EQ(s->ReadCheckpoint()->second, "c5");
  EXPECT_EQ(s->ReadTile({0, 0, 4}).status().code(), absl::StatusCode::kNotFound);
}

IdempotencyRecord Record(uint64_t first_index, char fill) {
  IdempotencyRecord record;
  record.first_index = first_index;
  record.digest.fill(static_cast<uint8_t>(fill));
  return record;
}

void ExpectRecord(const LogStorage& s, absl::string_view key, const IdempotencyRecord& want) {
  auto record = s.ReadIdempotencyKey(key);
  ASSERT_TRUE(record.ok()) << key << ": " << record.status();
  EXPECT_EQ(record->first_index, want.first_index) << key;
  EXPECT_EQ(record->digest, want.digest) << key;
}

TYPED_TEST(StorageConformanceTest, IdempotencyKeysAreCommittedWithTheirBatch) {
  LogStorage* s = this->backend_.Get();
  EXPECT_EQ(s->ReadIdempotencyKey("a").status().code(), absl::StatusCode::kNotFound);
  WriteSet write = Batch(3, "c3");
  write.idempotency_keys = {{"a", Record(0, 'x')}, {std::string(128, 'k'), Record(2, 'y')}};
  ASSERT_TRUE(s->Commit(write).ok());
  ExpectRecord(*s, "a", Record(0, 'x'));
  ExpectRecord(*s, std::string(128, 'k'), Record(2, 'y'));
  EXPECT_EQ(s->ReadIdempotencyKey("b").status().code(), absl::StatusCode::kNotFound);
  // A refused commit records none of its keys.
  WriteSet stale = Batch(3, "stale");
  stale.idempotency_keys = {{"b", Record(3, 'z')}};
  EXPECT_EQ(s->Commit(stale).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->ReadIdempotencyKey("b").status().code(), absl::StatusCode::kNotFound);
  // Reopen() of a store whose commits all succeeded changes nothing, and keys survive a restart.
  ASSERT_EQ(s->Reopen(), absl::OkStatus());
  ExpectRecord(*s, "a", Record(0, 'x'));
  s = this->backend_.Reopen();
  ExpectRecord(*s, "a", Record(0, 'x'));
  ExpectRecord(*s, std::string(128, 'k'), Record(2, 'y'));
  WriteSet more = Batch(4, "c4");
  more.idempotency_keys = {{"b", Record(3, 'z')}};
  ASSERT_TRUE(s->Commit(more).ok());
  ExpectRecord(*s, "b", Record(3, 'z'));
  ExpectRecord(*s, "a", Record(0, 'x'));
}

TYPED_TEST(StorageConformanceTest, ReadersNeverSeeHalfACommit) {
  LogStorage* s = this->backend_.Get();
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto checkpoint = s->ReadCheckpoint();
      if (!checkpoint.ok() || checkpoint->first == 0) continue;
      // Every commit below writes the bundle named after its size with the checkpoint.
      uint64_t size = checkpoint->first;
      auto bundle = s->ReadEntryBundle({size, 1});
      if (!bundle.ok() || *bundle != absl::StrCat("b", size)) torn++;
    }
  });
  for (uint64_t size = 1; size <= 300; ++size) {
    WriteSet write = Batch(size, absl::StrCat("c", size));
    write.bundles = {{{size, 1}, absl::StrCat("b", size)}};
    ASSERT_TRUE(s->Commit(write).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

TEST(LevelDbStorageTest, SecondOpenOfTheSameDirectoryFails) {
  std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/locked");
  auto first = LevelDbStorage::Open(dir, {});
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = LevelDbStorage::Open(dir, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(),
              HasSubstr(absl::StrCat("data directory ", dir, " is in use by another process")));
}

TEST(LevelDbStorageTest, MissingDirectoryWithoutCreateFails) {
  LevelDbStorage::Options options;
  options.create_if_missing = false;
  auto opened =
      LevelDbStorage::Open(absl::StrCat(std::getenv("TEST_TMPDIR"), "/absent"), options);
  EXPECT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("cannot open data directory"));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
