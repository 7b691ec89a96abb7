// The shared suite every IndexStore backend runs: LevelDbIndexStore (over LevelDB's in-memory
// Env) and MemoryIndexStore.

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/index_store.h"
#include "ledger/leveldb_index_store.h"
#include "ledger/memory_index_store.h"
#include "leveldb/env.h"
#include "leveldb/helpers/memenv.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

struct LevelDbBackend {
  std::unique_ptr<IndexStore> New() {
    LevelDbIndexStore::Options options;
    options.env = env.get();
    auto store = LevelDbIndexStore::Open(absl::StrCat("/index", n++), 0, options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::unique_ptr<leveldb::Env> env{leveldb::NewMemEnv(leveldb::Env::Default())};
  int n = 0;
};

struct MemoryBackend {
  std::unique_ptr<IndexStore> New() { return std::make_unique<MemoryIndexStore>(); }
};

template <typename Backend>
class IndexStoreTest : public ::testing::Test {
 protected:
  Backend backend_;
};

using Backends = ::testing::Types<LevelDbBackend, MemoryBackend>;
TYPED_TEST_SUITE(IndexStoreTest, Backends);

std::vector<std::string> KeysFrom(IndexIterator& it) {
  std::vector<std::string> keys;
  for (; it.Valid(); it.Next()) keys.emplace_back(it.key());
  return keys;
}

TYPED_TEST(IndexStoreTest, WritesRecordsAndThePositionTogether) {
  std::unique_ptr<IndexStore> store = this->backend_.New();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->position(), 0u);
  IndexRecords records;
  records.Put("i/x/b");
  records.Put("i/x/a", "value");
  records.Put(std::string("i/x/\0z", 6));
  EXPECT_EQ(records.size(), 3u);
  ASSERT_TRUE(store->Write(records, 7).ok());
  EXPECT_EQ(store->position(), 7u);
  std::unique_ptr<IndexIterator> it = store->NewIterator();
  it->Seek("i/x/");
  EXPECT_EQ(KeysFrom(*it),
            (std::vector<std::string>{std::string("i/x/\0z", 6), "i/x/a", "i/x/b"}));
  EXPECT_TRUE(it->status().ok()) << it->status();
  // The same position again is allowed (a replay after a crash); an earlier one is not.
  ASSERT_TRUE(store->Write(IndexRecords(), 7).ok());
  absl::Status backwards = store->Write(records, 6);
  EXPECT_EQ(backwards.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(backwards.message(), "index write to position 6, want at least 7");
  EXPECT_EQ(store->position(), 7u);
}

TYPED_TEST(IndexStoreTest, FirstKeyAndSeekingBothWays) {
  std::unique_ptr<IndexStore> store = this->backend_.New();
  ASSERT_NE(store, nullptr);
  IndexRecords records;
  for (const char* key : {"i/a/1", "i/a/3", "i/b/2"}) records.Put(key);
  ASSERT_TRUE(store->Write(records, 3).ok());
  auto first = store->FirstKey("i/a/");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->value_or(""), "i/a/1");
  auto none = store->FirstKey("i/c/");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  std::unique_ptr<IndexIterator> it = store->NewIterator();
  it->Seek("i/a/2");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "i/a/3");
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "i/a/1");
  it->Seek("i/z");
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "i/b/2");
  it->Next();
  EXPECT_FALSE(it->Valid());
  it->Seek("a");  // Before every record.
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "i/a/1");
  it->Prev();
  EXPECT_FALSE(it->Valid());
}

TYPED_TEST(IndexStoreTest, AnIteratorKeepsWhatItSawBeforeLaterWrites) {
  std::unique_ptr<IndexStore> store = this->backend_.New();
  ASSERT_NE(store, nullptr);
  IndexRecords first;
  first.Put("i/a/1");
  ASSERT_TRUE(store->Write(first, 1).ok());
  std::unique_ptr<IndexIterator> it = store->NewIterator();
  IndexRecords second;
  second.Put("i/a/2");
  ASSERT_TRUE(store->Write(second, 2).ok());
  it->Seek("i/a/");
  EXPECT_EQ(KeysFrom(*it), std::vector<std::string>{"i/a/1"});
  std::unique_ptr<IndexIterator> later = store->NewIterator();
  later->Seek("i/a/");
  EXPECT_EQ(KeysFrom(*later), (std::vector<std::string>{"i/a/1", "i/a/2"}));
}

TEST(LevelDbIndexStoreTest, AStoreAheadOfTheLogStartsOver) {
  std::unique_ptr<leveldb::Env> env(leveldb::NewMemEnv(leveldb::Env::Default()));
  LevelDbIndexStore::Options options;
  options.env = env.get();
  {
    auto store = LevelDbIndexStore::Open("/index", 10, options);
    ASSERT_TRUE(store.ok()) << store.status();
    IndexRecords records;
    records.Put("i/a/1");
    ASSERT_TRUE((*store)->Write(records, 10).ok());
  }
  auto reopened = LevelDbIndexStore::Open("/index", 5, options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->position(), 0u);
  auto key = (*reopened)->FirstKey("i/");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_FALSE(key->has_value());
}

TEST(LevelDbIndexStoreTest, OneOpenAtATime) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/locked-index");
  auto store = LevelDbIndexStore::Open(dir, 0, {});
  ASSERT_TRUE(store.ok()) << store.status();
  auto again = LevelDbIndexStore::Open(dir, 0, {});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("is in use by another process"));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
