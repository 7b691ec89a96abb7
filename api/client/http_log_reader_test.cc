#include "api/client/http_log_reader.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/log_audit.h"
#include "ledger/testing/growing_log.h"
#include "proof/checkpoint.h"
#include "proof/note.h"
#include "proof/tile.h"

namespace vellum {
namespace api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers GET requests from a map of request targets to bodies, 404 for the rest, and records
// the targets asked for.
class MapFetcher : public LogFetcher {
 public:
  absl::StatusOr<std::string> Get(absl::string_view target) override {
    fetched.emplace_back(target);
    auto it = bodies.find(std::string(target));
    if (it == bodies.end()) return absl::NotFoundError(absl::StrCat("GET ", target, ": HTTP 404"));
    return it->second;
  }

  std::map<std::string, std::string> bodies;
  std::vector<std::string> fetched;
};

// A log of 600 entries, grown to 257 and then to 600, so that the partial tile 0/001.p/1 of size
// 257 was replaced by the full one; served at the c2sp.org/tlog-tiles paths.
class HttpLogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_.GrowTo(257);
    log_.GrowTo(600);
    at257_ = log_.HeadOfSize(257).checkpoint;
    note_ = log_.head()->checkpoint;
    fetcher_.bodies["/checkpoint"] = note_;
    // Whatever the store still holds of the tiles and bundles of both sizes.
    for (uint64_t size : {257, 600}) {
      for (const LevelTiles& level : TilesForSize(size)) {
        for (uint64_t n = 0; n < level.tile_count(); ++n) {
          const TileId tile{level.level, n, TileWidth(level.level, n, size)};
          if (auto data = log_.storage().ReadTile(tile); data.ok()) {
            fetcher_.bodies["/" + TilePath(tile)] = *data;
          }
          const EntryBundleId bundle{n, tile.width};
          if (auto data = log_.storage().ReadEntryBundle(bundle); level.level == 0 && data.ok()) {
            fetcher_.bodies["/" + EntryBundlePath(bundle)] = *data;
          }
        }
      }
    }
  }

  ledger::GrowingLog log_;
  std::string at257_;
  std::string note_;
  MapFetcher fetcher_;
};

TEST_F(HttpLogReaderTest, ReadsTheTlogTilesPaths) {
  HttpLogReader reader(fetcher_);
  auto tile = reader.ReadTile({0, 0, 256});
  ASSERT_TRUE(tile.ok()) << tile.status();
  EXPECT_EQ(tile->size(), 256u * 32);
  EXPECT_TRUE(reader.ReadEntryBundle({2, 88}).ok());
  auto missing = reader.ReadTile({0, 5, 256});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "GET /tile/0/005: HTTP 404");
  EXPECT_THAT(fetcher_.fetched,
              ElementsAre("/tile/0/000", "/tile/entries/002.p/88", "/tile/0/005"));
}

TEST_F(HttpLogReaderTest, ReadCheckpointParsesTheSizeWithoutVerifying) {
  HttpLogReader reader(fetcher_);
  auto served = reader.ReadCheckpoint();
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(served->first, 600u);
  EXPECT_EQ(served->second, note_);

  // Signed by another key: still read, as nothing is verified.
  auto stranger = *GenerateNoteKey("example.com/test-log");
  Checkpoint lie{"example.com/test-log", 7, HashLeaf("x"), {}};
  fetcher_.bodies["/checkpoint"] = *SignCheckpoint(lie, **NoteSigner::Create(stranger.signer_key));
  served = reader.ReadCheckpoint();
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(served->first, 7u);
  EXPECT_FALSE(OpenCheckpoint(served->second, log_.verifier()).ok());

  fetcher_.bodies["/checkpoint"] = "garbage\n";
  served = reader.ReadCheckpoint();
  EXPECT_EQ(served.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(served.status().message()), HasSubstr("GET /checkpoint: "));

  fetcher_.bodies.erase("/checkpoint");
  EXPECT_EQ(reader.ReadCheckpoint().status().code(), absl::StatusCode::kNotFound);
}

TEST_F(HttpLogReaderTest, TheAuditReadsThroughIt) {
  HttpLogReader reader(fetcher_);
  absl::StatusOr<ledger::AuditResult> result =
      ledger::AuditLog(reader, *OpenCheckpoint(note_, log_.verifier()), {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->entries, 600u);
  EXPECT_EQ(result->bundles, 3u);

  // At size 257 the partial tile 0/001.p/1 is not served any more: it is read from the full one.
  fetcher_.fetched.clear();
  result = ledger::AuditLog(reader, *OpenCheckpoint(at257_, log_.verifier()), {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(fetcher_.fetched, ::testing::IsSupersetOf({"/tile/0/001.p/1", "/tile/0/001",
                                                         "/tile/entries/001.p/1",
                                                         "/tile/entries/001"}));
}

}  // namespace
}  // namespace api
}  // namespace vellum
