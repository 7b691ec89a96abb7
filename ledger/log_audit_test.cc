#include "ledger/log_audit.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "ledger/testing/growing_log.h"
#include "ledger/testing/fault_storage.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

// Serves a log's tiles and bundles from its storage, as vellumd would over HTTP (errors named
// like api/client's HttpLogReader names them), with a given checkpoint; answers can be replaced or
// removed to play a misbehaving server. Records the request target of every read.
class ServedLog : public LogReader {
 public:
  ServedLog(const GrowingLog& log, const LogHead& head)
      : log_(log), checkpoint_(head.checkpoint), size_(head.size) {}

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override {
    absl::StatusOr<std::string> note = Serve("/checkpoint", [&] {
      return absl::StatusOr<std::string>(checkpoint_);
    });
    if (!note.ok()) return note.status();
    return std::make_pair(size_, *note);
  }
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override {
    return Serve("/" + TilePath(tile), [&] { return log_.storage().ReadTile(tile); });
  }
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override {
    return Serve("/" + EntryBundlePath(bundle),
                 [&] { return log_.storage().ReadEntryBundle(bundle); });
  }

  std::map<std::string, std::string> replace;
  std::set<std::string> missing;
  std::set<std::string> failing;
  mutable std::vector<std::string> fetched;

 private:
  template <typename Read>
  absl::StatusOr<std::string> Serve(const std::string& t, Read read) const {
    fetched.push_back(t);
    if (missing.count(t) > 0) return absl::NotFoundError(absl::StrCat("GET ", t, ": HTTP 404"));
    if (failing.count(t) > 0) return absl::UnavailableError(absl::StrCat("GET ", t, ": HTTP 503"));
    if (auto it = replace.find(t); it != replace.end()) return it->second;
    absl::StatusOr<std::string> data = read();
    if (absl::IsNotFound(data.status())) {
      return absl::NotFoundError(absl::StrCat("GET ", t, ": HTTP 404"));
    }
    return data;
  }

  const GrowingLog& log_;
  const std::string checkpoint_;
  const uint64_t size_;
};

Checkpoint Open(const GrowingLog& log, const LogHead& head) {
  return *OpenCheckpoint(head.checkpoint, log.verifier());
}

uint64_t TileCount(uint64_t size) {
  uint64_t count = 0;
  for (const LevelTiles& level : TilesForSize(size)) count += level.tile_count();
  return count;
}

class AuditTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    log_ = GrowingLog::AtEdgeSizes().release();
  }
  static void TearDownTestSuite() {
    delete log_;
    log_ = nullptr;
  }
  static const LogHead& HeadOfSize(uint64_t size) { return log_->HeadOfSize(size); }

  static GrowingLog* log_;
};

GrowingLog* AuditTest::log_ = nullptr;

TEST_F(AuditTest, AcceptsTheLogAtEveryCheckpointedSize) {
  for (const auto& head : log_->heads()) {
    ServedLog fetcher(*log_, *head);
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, *head), {});
    ASSERT_TRUE(result.ok()) << "size " << head->size << ": " << result.status();
    EXPECT_EQ(result->entries, head->size);
    EXPECT_EQ(result->bundles, (head->size + 255) / 256);
    EXPECT_EQ(result->tiles, TileCount(head->size)) << head->size;
    EXPECT_EQ(result->root, head->root) << head->size;
  }
}

TEST_F(AuditTest, EmptyLog) {
  const LogHead& empty = HeadOfSize(0);
  ServedLog fetcher(*log_, empty);
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, empty), {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->entries, 0u);
  EXPECT_EQ(result->root, EmptyRoot());
  EXPECT_TRUE(fetcher.fetched.empty());
}

TEST_F(AuditTest, ReadsSupersededPartialTilesFromFullOnes) {
  // At size 257, tile 0/001 had width 1; the log has grown since and replaced it.
  const LogHead& head = HeadOfSize(257);
  ServedLog fetcher(*log_, head);
  ASSERT_TRUE(AuditLog(fetcher, Open(*log_, head), {}).ok());
  EXPECT_THAT(fetcher.fetched,
              ::testing::IsSupersetOf({"/tile/0/001.p/1", "/tile/0/001", "/tile/entries/001.p/1",
                                       "/tile/entries/001", "/tile/1/000.p/1"}));
}

TEST_F(AuditTest, FetchesEveryTileAndBundleOnce) {
  const uint64_t size = 131072 + 1;  // The latest size: no partial tile is superseded yet.
  ServedLog fetcher(*log_, HeadOfSize(size));
  ASSERT_TRUE(AuditLog(fetcher, Open(*log_, HeadOfSize(size)), {}).ok());
  std::set<std::string> want;
  for (const LevelTiles& level : TilesForSize(size)) {
    for (uint64_t n = 0; n < level.tile_count(); ++n) {
      uint16_t width = n < level.full_tiles ? kTileWidth : level.partial_width;
      want.insert("/" + TilePath({level.level, n, width}));
      if (level.level == 0) want.insert("/" + EntryBundlePath({n, width}));
    }
  }
  std::set<std::string> got(fetcher.fetched.begin(), fetcher.fetched.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(fetcher.fetched.size(), want.size());
}

TEST_F(AuditTest, NamesATamperedLevel0TileHash) {
  const uint64_t size = 65537;
  const LogHead& head = HeadOfSize(size);
  ServedLog fetcher(*log_, head);
  std::string tile = *log_->storage().ReadTile({0, 1, kTileWidth});
  const Hash want = HashLeaf(GrowingLog::Entry(256 + 17));
  Hash got = want;
  got[5] ^= 1;
  tile.replace(17 * 32, 32, std::string(HashBytes(got)));
  fetcher.replace["/tile/0/001"] = tile;
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("tile/0/001 hash 17: got ", HashToBase64(got), ", want ",
                         HashToBase64(want), " (the leaf hash of entry 273)"));
}

TEST_F(AuditTest, NamesATamperedEntry) {
  const LogHead& head = HeadOfSize(513);
  ServedLog fetcher(*log_, head);
  // The log has grown since: bundle 002.p/1 is now the first entry of the full bundle.
  std::vector<std::string> entries = {"forged"};
  fetcher.replace["/tile/entries/002.p/1"] = *EncodeEntryBundle(entries);
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("tile/0/002.p/1 hash 0: got ",
                         HashToBase64(HashLeaf(GrowingLog::Entry(512))), ", want ",
                         HashToBase64(HashLeaf("forged")),
                         " (the leaf hash of entry 512)"));
}

TEST_F(AuditTest, NamesATamperedHigherLevelTile) {
  const uint64_t size = 131072 + 1;
  const LogHead& head = HeadOfSize(size);
  ServedLog fetcher(*log_, head);
  // Level 1 tile 000 is full at this size; corrupt its hash 200, the root of tile/0/200.
  std::string tile = *log_->storage().ReadTile({1, 0, kTileWidth});
  const Hash want = *HashFromBytes(tile.substr(200 * 32, 32));
  tile[200 * 32] ^= 0x40;
  const Hash got = *HashFromBytes(tile.substr(200 * 32, 32));
  fetcher.replace["/tile/1/000"] = tile;
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("tile/1/000 hash 200: got ", HashToBase64(got), ", want ",
                         HashToBase64(want), " (the root of tile/0/200)"));
  // Level 2 is where the 131072 + 1 tree's big peak lives.
  fetcher.replace.clear();
  std::string top = *log_->storage().ReadTile({2, 0, 2});
  top[40] ^= 1;
  fetcher.replace["/tile/2/000.p/2"] = top;
  result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_THAT(std::string(result.status().message()),
              ::testing::StartsWith("tile/2/000.p/2 hash 1: got "));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("(the root of tile/1/001)"));
}

TEST_F(AuditTest, ADifferentTreeUnderTheCheckpointFailsAtTheRoot) {
  // A server serves another, self-consistent tree of 600 entries under a checkpoint of size 600
  // signed by this log's key: every tile agrees with the one below, but not with the root.
  GrowingLog other("other ");
  other.GrowTo(600);
  std::unique_ptr<NoteSigner> signer = *NoteSigner::Create(log_->key().signer_key);
  Checkpoint lie;
  lie.origin = "example.com/test-log";
  lie.size = 600;
  lie.root = log_->head()->root;
  ServedLog fetcher(other, *other.head());
  fetcher.replace["/checkpoint"] = *SignCheckpoint(lie, *signer);
  absl::StatusOr<Checkpoint> checkpoint =
      OpenCheckpoint(fetcher.ReadCheckpoint()->second, log_->verifier());
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, *checkpoint, {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("root of tree size 600 from the tiles: got ",
                         HashToBase64(other.head()->root), ", want the checkpoint's ",
                         HashToBase64(lie.root)));
}

TEST_F(AuditTest, MissingAndMalformedResources) {
  const LogHead& head = HeadOfSize(513);
  // Missing partial tiles and bundles of the latest size, whose full versions do not exist yet.
  const LogHead& latest = *log_->head();
  for (const char* target : {"/tile/2/000.p/2", "/tile/0/512.p/1", "/tile/entries/512.p/1"}) {
    ServedLog fetcher(*log_, latest);
    fetcher.missing.insert(target);
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, latest), {});
    EXPECT_TRUE(absl::IsNotFound(result.status())) << result.status();
    EXPECT_EQ(result.status().message(), absl::StrCat("GET ", target, ": HTTP 404"));
  }
  {
    ServedLog fetcher(*log_, head);
    fetcher.replace["/tile/0/000"] = std::string(255 * 32, 'x');
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
    EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
    EXPECT_THAT(std::string(result.status().message()), ::testing::StartsWith("tile/0/000: "));
  }
  {
    ServedLog fetcher(*log_, head);
    fetcher.replace["/tile/entries/001"] = *EncodeEntryBundle(std::vector<std::string>{"a"});
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
    EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
    EXPECT_THAT(std::string(result.status().message()), ::testing::StartsWith("tile/entries/001: "));
  }
  {
    ServedLog fetcher(*log_, head);
    fetcher.failing.insert("/tile/0/001");
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
    EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
    EXPECT_EQ(result.status().message(), "GET /tile/0/001: HTTP 503");
  }
}

TEST_F(AuditTest, ReportsProgress) {
  const LogHead& head = HeadOfSize(65537);
  ServedLog fetcher(*log_, head);
  AuditOptions options;
  options.progress_every_bundles = 64;
  std::vector<AuditProgress> reports;
  options.progress = [&](const AuditProgress& p) { reports.push_back(p); };
  ASSERT_TRUE(AuditLog(fetcher, Open(*log_, head), options).ok());
  // 257 bundles: after 64, 128, 192, 256, and at the end.
  ASSERT_EQ(reports.size(), 5u);
  EXPECT_EQ(reports[0].entries, 64u * 256);
  EXPECT_EQ(reports[0].bundles, 64u);
  EXPECT_EQ(reports.back().entries, 65537u);
  EXPECT_EQ(reports.back().tree_size, 65537u);
  EXPECT_EQ(reports.back().tiles, TileCount(65537));
}


// The audit `vellum fsck` runs on a store: a log of 700 entries in memory, behind a FaultStorage
// that can alter tiles as they are read.
class StoreAuditTest : public ::testing::Test {
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
    auto sequencer = Sequencer::Create(&storage_, signer_.get(), {});
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    std::vector<std::string> entries;
    for (int i = 0; i < 700; ++i) entries.push_back(absl::StrCat("entry ", i));
    ASSERT_TRUE((*sequencer)->Append(entries).ok());
  }

  absl::StatusOr<AuditResult> Fsck() {
    absl::StatusOr<std::pair<uint64_t, std::string>> stored = faults_.ReadCheckpoint();
    if (!stored.ok()) return stored.status();
    absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(stored->second, *verifier_);
    if (!checkpoint.ok()) return checkpoint.status();
    return AuditLog(faults_, *checkpoint, {});
  }

  MemoryStorage storage_;
  FaultStorage faults_{&storage_};
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
};

TEST_F(StoreAuditTest, AuditOfAnIntactStorePasses) {
  auto result = Fsck();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->entries, 700u);
  EXPECT_EQ(result->bundles, 3u);
}

TEST_F(StoreAuditTest, AuditFindsAnAlteredTile) {
  faults_.SetTileFilter([](const TileId& tile, std::string* data) {
    if (tile.level == 0 && tile.index == 1) (*data)[17 * 32] ^= 1;
  });
  auto result = Fsck();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr("tile/0/001 hash 17: got "));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
