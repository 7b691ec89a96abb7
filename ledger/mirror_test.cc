#include "ledger/mirror.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/tree_state.h"
#include "proof/checkpoint.h"
#include "proof/note.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

// A log in memory that can alter one resource it serves, named by its request target.
class TestLog : public LogReader {
 public:
  TestLog() {
    absl::StatusOr<GeneratedKey> key = GenerateNoteKey("mirror.test/log");
    signer_ = *NoteSigner::Create(key->signer_key);
    verifier_ = *NoteVerifier::Create(key->verifier_key);
  }

  // Appends `count` entries in one commit; returns the signed checkpoint's note.
  std::string Grow(int count) {
    WriteSet write;
    const uint64_t start = state_.size();
    for (int i = 0; i < count; ++i) {
      std::string entry = absl::StrCat("entry ", state_.size());
      state_.Append(entry, HashLeaf(entry), &write);
    }
    state_.FinishBatch(start, &write);
    checkpoint_ = Checkpoint{"mirror.test/log", state_.size(), state_.Root(), {}};
    write.checkpoint = *SignCheckpoint(checkpoint_, *signer_);
    EXPECT_TRUE(storage_.Commit(write).ok());
    return write.checkpoint;
  }

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override {
    return storage_.ReadCheckpoint();
  }
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override {
    return Alter("/" + TilePath(tile), storage_.ReadTile(tile));
  }
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override {
    return Alter("/" + EntryBundlePath(bundle), storage_.ReadEntryBundle(bundle));
  }

  const Checkpoint& checkpoint() const { return checkpoint_; }
  const NoteVerifier& verifier() const { return *verifier_; }
  std::string altered_;

 private:
  absl::StatusOr<std::string> Alter(const std::string& target,
                                    absl::StatusOr<std::string> data) const {
    if (data.ok() && target == altered_) (*data)[data->size() - 1] ^= 1;
    return data;
  }

  MemoryStorage storage_;
  TreeState state_;
  Checkpoint checkpoint_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
};

std::string Dir(absl::string_view name) {
  return absl::StrCat(::testing::TempDir(), "/",
                      ::testing::UnitTest::GetInstance()->current_test_info()->name(), name);
}

TEST(MirrorTest, ExtendsResumesAndProvesPrefixes) {
  TestLog log;
  std::string note = log.Grow(100);
  const Checkpoint at100 = log.checkpoint();
  {
    absl::StatusOr<std::unique_ptr<Mirror>> mirror = Mirror::Open(Dir(""), log.verifier());
    ASSERT_TRUE(mirror.ok()) << mirror.status();
    ASSERT_TRUE((*mirror)->Extend(log, log.checkpoint(), note).ok());
    note = log.Grow(300);
    absl::Status extended = (*mirror)->Extend(log, log.checkpoint(), note);
    ASSERT_TRUE(extended.ok()) << extended;
  }
  absl::StatusOr<std::unique_ptr<Mirror>> mirror = Mirror::Open(Dir(""), log.verifier());
  ASSERT_TRUE(mirror.ok()) << mirror.status();
  EXPECT_EQ((*mirror)->size(), 400u);
  EXPECT_EQ((*mirror)->note(), note);
  absl::StatusOr<PrefixProof> prefix = (*mirror)->Prefix(100);
  ASSERT_TRUE(prefix.ok()) << prefix.status();
  EXPECT_EQ(prefix->root, at100.root);
  EXPECT_TRUE(VerifyConsistency(100, 400, prefix->consistency, prefix->root,
                                log.checkpoint().root)
                  .ok());
  EXPECT_EQ((*mirror)->Prefix(401).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(MirrorTest, ServedDataThatDiffersIsDataLossAndNothingIsCommitted) {
  TestLog log;
  std::string note = log.Grow(300);
  absl::StatusOr<std::unique_ptr<Mirror>> mirror = Mirror::Open(Dir(""), log.verifier());
  ASSERT_TRUE(mirror.ok()) << mirror.status();
  ASSERT_TRUE((*mirror)->Extend(log, log.checkpoint(), note).ok());
  note = log.Grow(20);
  // A served tile, then a served entry, that differ from what the entries recompute.
  log.altered_ = "/tile/0/001.p/64";
  absl::Status status = (*mirror)->Extend(log, log.checkpoint(), note);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("tile/0/001.p/64 hash 63: got "));
  log.altered_ = "/tile/entries/001.p/64";
  status = (*mirror)->Extend(log, log.checkpoint(), note);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ((*mirror)->size(), 300u);
  log.altered_ = "";
  EXPECT_TRUE((*mirror)->Extend(log, log.checkpoint(), note).ok());
  EXPECT_EQ((*mirror)->size(), 320u);
}

TEST(MirrorTest, ACheckpointTheEntriesDoNotLeadToIsDataLoss) {
  TestLog log;
  std::string note = log.Grow(10);
  absl::StatusOr<std::unique_ptr<Mirror>> mirror = Mirror::Open(Dir(""), log.verifier());
  ASSERT_TRUE(mirror.ok());
  Checkpoint wrong = log.checkpoint();
  wrong.root = HashLeaf("another root");
  absl::Status status = (*mirror)->Extend(log, wrong, note);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("root of tree size 10: the checkpoint has "));
}

TEST(MirrorTest, OpensAStoreAsRecoverLogChecksIt) {
  TestLog log;
  std::string note = log.Grow(300);
  {
    absl::StatusOr<std::unique_ptr<Mirror>> mirror = Mirror::Open(Dir(""), log.verifier());
    ASSERT_TRUE(mirror.ok()) << mirror.status();
    ASSERT_TRUE((*mirror)->Extend(log, log.checkpoint(), note).ok());
  }
  TestLog stranger;
  absl::StatusOr<std::unique_ptr<Mirror>> mirror = Mirror::Open(Dir(""), stranger.verifier());
  EXPECT_EQ(mirror.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(mirror.status().message()),
              HasSubstr("the stored checkpoint does not verify with key mirror.test/log: "));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
