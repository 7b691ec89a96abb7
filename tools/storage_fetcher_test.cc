#include "tools/storage_fetcher.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "ledger/testing/fault_storage.h"

namespace vellum {
namespace cli {
namespace {

using ::testing::HasSubstr;

// A log of 700 entries in memory, behind a FaultStorage that can alter tiles as they are read.
class StorageFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = GenerateNoteKey("example.com/fsck");
    ASSERT_TRUE(key.ok()) << key.status();
    auto signer = NoteSigner::Create(key->signer_key);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = *std::move(signer);
    auto verifier = NoteVerifier::Create(key->verifier_key);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
    auto sequencer = ledger::Sequencer::Create(&storage_, signer_.get(), {});
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    std::vector<std::string> entries;
    for (int i = 0; i < 700; ++i) entries.push_back(absl::StrCat("entry ", i));
    ASSERT_TRUE((*sequencer)->Append(entries).ok());
  }

  // The audit `vellum fsck` runs.
  absl::StatusOr<AuditResult> Fsck() {
    StorageLogFetcher fetcher(faults_);
    absl::StatusOr<VerifiedCheckpoint> checkpoint = FetchCheckpoint(fetcher, *verifier_);
    if (!checkpoint.ok()) return checkpoint.status();
    return AuditLog(fetcher, checkpoint->checkpoint, {});
  }

  ledger::MemoryStorage storage_;
  ledger::FaultStorage faults_{&storage_};
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
};

TEST_F(StorageFetcherTest, ServesWhatTheServerWould) {
  StorageLogFetcher fetcher(storage_);
  auto tile = fetcher.Get("/tile/0/000");
  ASSERT_TRUE(tile.ok()) << tile.status();
  EXPECT_EQ(tile->size(), 256u * 32);
  EXPECT_TRUE(fetcher.Get("/tile/entries/002.p/188").ok());
  EXPECT_EQ(fetcher.Get("/tile/0/005").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(fetcher.Get("/v1/log").status().code(), absl::StatusCode::kNotFound);
  auto malformed = fetcher.Get("/tile/0/x5");
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StorageFetcherTest, AuditOfAnIntactStorePasses) {
  auto result = Fsck();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->entries, 700u);
  EXPECT_EQ(result->bundles, 3u);
}

TEST_F(StorageFetcherTest, AuditFindsAnAlteredTile) {
  faults_.SetTileFilter([](const TileId& tile, std::string* data) {
    if (tile.level == 0 && tile.index == 1) (*data)[17 * 32] ^= 1;
  });
  auto result = Fsck();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr("tile/0/001 hash 17: got "));
}

TEST_F(StorageFetcherTest, EmptyStoreHasNoCheckpoint) {
  ledger::MemoryStorage empty;
  StorageLogFetcher fetcher(empty);
  EXPECT_EQ(fetcher.Get("/checkpoint").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace cli
}  // namespace vellum
