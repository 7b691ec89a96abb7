#include "ledger/stored_log.h"

#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/leveldb_storage.h"
#include "ledger/sequencer.h"
#include "ledger/stored_head.h"
#include "proof/checkpoint.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

std::string Dir(absl::string_view name) {
  return absl::StrCat(::testing::TempDir(), "/",
                      ::testing::UnitTest::GetInstance()->current_test_info()->name(), name);
}

// A store of 700 entries written by the sequencer, then closed.
class StoredLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *GenerateNoteKey("example.com/fsck");
    signer_ = *NoteSigner::Create(key_.signer_key);
    verifier_ = *NoteVerifier::Create(key_.verifier_key);
    auto storage = LevelDbStorage::Open(Dir(""), {});
    ASSERT_TRUE(storage.ok()) << storage.status();
    auto sequencer = Sequencer::Create(storage->get(), signer_.get(), {});
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    std::vector<std::string> entries;
    for (int i = 0; i < 700; ++i) entries.push_back(absl::StrCat("entry ", i));
    ASSERT_TRUE((*sequencer)->Append(entries).ok());
    head_ = (*sequencer)->Head();
  }

  GeneratedKey key_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::shared_ptr<const LogHead> head_;
};

TEST_F(StoredLogTest, ReadsWhatTheServerWouldServe) {
  absl::StatusOr<std::unique_ptr<LogReader>> log = OpenStoredLog(Dir(""));
  ASSERT_TRUE(log.ok()) << log.status();
  auto tile = (*log)->ReadTile({0, 0, 256});
  ASSERT_TRUE(tile.ok()) << tile.status();
  EXPECT_EQ(tile->size(), 256u * 32);
  EXPECT_TRUE((*log)->ReadEntryBundle({2, 188}).ok());
  EXPECT_EQ((*log)->ReadTile({0, 5, 256}).status().code(), absl::StatusCode::kNotFound);

  absl::StatusOr<StoredHead> head = OpenStoredHead(**log, *verifier_);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->checkpoint.size, 700u);
  EXPECT_EQ(head->checkpoint.root, head_->root);
  EXPECT_EQ(head->note, head_->checkpoint);
}

TEST_F(StoredLogTest, AnotherKeyIsDataLoss) {
  absl::StatusOr<std::unique_ptr<LogReader>> log = OpenStoredLog(Dir(""));
  ASSERT_TRUE(log.ok()) << log.status();
  auto stranger = *GenerateNoteKey("example.com/fsck");
  absl::StatusOr<StoredHead> head =
      OpenStoredHead(**log, **NoteVerifier::Create(stranger.verifier_key));
  EXPECT_EQ(head.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(head.status().message()),
              HasSubstr("the stored checkpoint does not verify with key example.com/fsck: "));
}

TEST_F(StoredLogTest, NeverCreatesAStore) {
  const std::string missing = Dir("-missing");
  absl::StatusOr<std::unique_ptr<LogReader>> log = OpenStoredLog(missing);
  EXPECT_EQ(log.status().code(), absl::StatusCode::kNotFound) << log.status();
  EXPECT_THAT(std::string(log.status().message()), HasSubstr(missing));
  struct stat st;
  EXPECT_NE(stat(missing.c_str(), &st), 0);
}

TEST_F(StoredLogTest, AnEmptyStoreHasAnEmptyHead) {
  ASSERT_TRUE(LevelDbStorage::Open(Dir("-empty"), {}).ok());
  absl::StatusOr<std::unique_ptr<LogReader>> log = OpenStoredLog(Dir("-empty"));
  ASSERT_TRUE(log.ok()) << log.status();
  absl::StatusOr<StoredHead> head = OpenStoredHead(**log, *verifier_);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->checkpoint.size, 0u);
  EXPECT_EQ(head->checkpoint.root, EmptyRoot());
  EXPECT_EQ(head->checkpoint.origin, "example.com/fsck");
  EXPECT_EQ(head->note, "");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
