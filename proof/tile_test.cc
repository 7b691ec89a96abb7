#include "proof/tile.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/hash.h"
#include "proof/node_id.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

void ExpectError(const absl::Status& status, absl::StatusCode code, absl::string_view substr,
                 absl::string_view context) {
  EXPECT_EQ(status.code(), code) << context << ": " << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(substr))) << context;
}

// --- Paths ---------------------------------------------------------------------------------------

TEST(TilePathTest, FormatsSpecExamples) {
  // c2sp.org/tlog-tiles: "index 1234067 will be encoded as x001/x234/067".
  EXPECT_EQ(TilePath({0, 1234067, 256}), "tile/0/x001/x234/067");
  EXPECT_EQ(TilePath({0, 0, 256}), "tile/0/000");
  EXPECT_EQ(TilePath({0, 0, 1}), "tile/0/000.p/1");
  EXPECT_EQ(TilePath({5, 999, 255}), "tile/5/999.p/255");
  EXPECT_EQ(TilePath({1, 1000, 256}), "tile/1/x001/000");
  EXPECT_EQ(TilePath({2, 1000000, 7}), "tile/2/x001/x000/000.p/7");
  EXPECT_EQ(TilePath({63, kMax64, 255}), "tile/63/x018/x446/x744/x073/x709/x551/615.p/255");
  // The tree of size 70,000 from the spec: 273 full level-0 tiles, then these.
  EXPECT_EQ(TilePath({0, 272, 256}), "tile/0/272");
  EXPECT_EQ(TilePath({0, 273, 112}), "tile/0/273.p/112");
  EXPECT_EQ(TilePath({1, 0, 256}), "tile/1/000");
  EXPECT_EQ(TilePath({1, 1, 17}), "tile/1/001.p/17");
  EXPECT_EQ(TilePath({2, 0, 1}), "tile/2/000.p/1");

  EXPECT_EQ(EntryBundlePath({1234067, 256}), "tile/entries/x001/x234/067");
  EXPECT_EQ(EntryBundlePath({273, 112}), "tile/entries/273.p/112");
  EXPECT_EQ(EntryBundlePath({kMax64, 1}), "tile/entries/x018/x446/x744/x073/x709/x551/615.p/1");
}

TEST(TilePathTest, ParsesSpecExamples) {
  auto tile = ParseTilePath("tile/0/x001/x234/067");
  ASSERT_TRUE(tile.ok()) << tile.status();
  EXPECT_EQ(*tile, (TileId{0, 1234067, 256}));
  tile = ParseTilePath("tile/1/001.p/17");
  ASSERT_TRUE(tile.ok()) << tile.status();
  EXPECT_EQ(*tile, (TileId{1, 1, 17}));
  tile = ParseTilePath("tile/63/x018/x446/x744/x073/x709/x551/615.p/255");
  ASSERT_TRUE(tile.ok()) << tile.status();
  EXPECT_EQ(*tile, (TileId{63, kMax64, 255}));

  auto bundle = ParseEntryBundlePath("tile/entries/x001/x234/067");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(*bundle, (EntryBundleId{1234067, 256}));
  bundle = ParseEntryBundlePath("tile/entries/273.p/112");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(*bundle, (EntryBundleId{273, 112}));
}

TEST(TilePathTest, RoundTripsBoundariesAndRandomIds) {
  std::vector<uint64_t> indices = {0, 1, 999, 1000, 1001, 999999, 1000000, 1234067};
  for (uint64_t big : {uint64_t{1} << 32, uint64_t{999999999999999999},
                       uint64_t{1000000000000000000}, kMax64 - 1, kMax64}) {
    indices.push_back(big);
  }
  const uint32_t seed = 20240601;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) indices.push_back(rng() >> (rng() % 64));
  for (uint64_t index : indices) {
    for (uint16_t width : {1, 2, 100, 255, 256}) {
      for (uint8_t level : {0, 1, 7, 8, 10, 63}) {
        const TileId tile{level, index, width};
        const std::string path = TilePath(tile);
        auto parsed = ParseTilePath(path);
        ASSERT_TRUE(parsed.ok()) << "seed " << seed << ": " << parsed.status();
        EXPECT_EQ(*parsed, tile) << path;
        EXPECT_EQ(TilePath(*parsed), path);
      }
      const EntryBundleId bundle{index, width};
      const std::string path = EntryBundlePath(bundle);
      auto parsed = ParseEntryBundlePath(path);
      ASSERT_TRUE(parsed.ok()) << "seed " << seed << ": " << parsed.status();
      EXPECT_EQ(*parsed, bundle) << path;
    }
  }
}

struct BadPath {
  std::string path;
  std::string reason;  // Expected substring of the message.
};

TEST(TilePathTest, RejectsMalformedTilePaths) {
  const std::vector<BadPath> cases = {
      {"", "empty tile path"},
      {"/tile/0/000", "does not start with \"tile/\""},
      {"tiles/0/000", "does not start with \"tile/\""},
      {"Tile/0/000", "does not start with \"tile/\""},
      {" tile/0/000", "does not start with \"tile/\""},
      {"tile", "does not start with \"tile/\""},
      {"tile/", "missing index"},
      {"tile/0", "missing index"},
      {"tile/0/", "missing index"},
      {"tile//000", "empty level"},
      {"tile/a/000", "level \"a\" is not a decimal number"},
      {"tile/-1/000", "level \"-1\" is not a decimal number"},
      {"tile/+1/000", "level \"+1\" is not a decimal number"},
      {"tile/ 1/000", "level \" 1\" is not a decimal number"},
      {"tile/1 /000", "level \"1 \" is not a decimal number"},
      {"tile/0x1/000", "level \"0x1\" is not a decimal number"},
      {"tile/00/000", "level \"00\" has a leading zero"},
      {"tile/01/000", "level \"01\" has a leading zero"},
      {"tile/64/000", "level \"64\" is above 63"},
      {"tile/100/000", "level \"100\" is above 63"},
      {"tile/99999999999999999999999/000", "is above 63"},
      {"tile/entries/000", "entry bundle path, not a tile path"},
      {"tile/data/000", "level \"data\" is not a decimal number"},
      {"tile/8/0/000", "index element \"0\" lacks the x prefix"},  // Go's tile/H/L/N form.
      {"tile/../000", "level \"..\" is not a decimal number"},
      {"tile/0/0", "index element \"0\" is not 3 digits"},
      {"tile/0/00", "index element \"00\" is not 3 digits"},
      {"tile/0/0000", "index element \"0000\" is not 3 digits"},
      {"tile/0/abc", "index element \"abc\" is not 3 digits"},
      {"tile/0/1a3", "index element \"1a3\" is not 3 digits"},
      {"tile/0/-01", "index element \"-01\" is not 3 digits"},
      {"tile/0/+01", "index element \"+01\" is not 3 digits"},
      {"tile/0/ 01", "index element \" 01\" is not 3 digits"},
      {"tile/0/000 ", "index element \"000 \" is not 3 digits"},
      {"tile/0/000\n", "index element \"000\\n\" is not 3 digits"},
      {std::string("tile/0/000\0", 11), "index element \"000\\x00\" is not 3 digits"},
      {"tile/0/000?x=1", "index element \"000?x=1\" is not 3 digits"},
      {"tile/0/%30%30%30", "index element \"%30%30%30\" is not 3 digits"},
      {"tile/0/\xd9\xa0\xd9\xa0\xd9\xa0", "is not 3 digits"},  // Arabic-Indic zeros.
      {"tile/0/x000", "last index element \"x000\" must not start with x"},
      {"tile/0/x001/x002", "last index element \"x002\" must not start with x"},
      {"tile/0/001/002", "index element \"001\" lacks the x prefix"},
      {"tile/0/X001/002", "index element \"X001\" lacks the x prefix"},
      {"tile/0/x01/002", "index element \"x01\" is not x followed by 3 digits"},
      {"tile/0/x0001/002", "index element \"x0001\" is not x followed by 3 digits"},
      {"tile/0/xx01/002", "index element \"xx01\" is not x followed by 3 digits"},
      {"tile/0/x/002", "index element \"x\" is not x followed by 3 digits"},
      {"tile/0/x000/001", "index element \"x000\" is a leading zero group"},
      {"tile/0/x000/x001/002", "index element \"x000\" is a leading zero group"},
      {"tile/0/x001//002", "empty path element in index"},
      {"tile/0//x001/002", "empty path element in index"},
      {"tile/0/000/", "trailing slash"},
      {"tile/0/x001/", "trailing slash"},
      {"tile/0/../000", "index element \"..\" lacks the x prefix"},
      {"tile/0/./000", "index element \".\" lacks the x prefix"},
      {"tile/0/x001/../002", "index element \"..\" lacks the x prefix"},
      {"tile/0/x001/x002/x003/x004/x005/x006/x007/008", "index has 8 elements"},
      {"tile/0/x018/x446/x744/x073/x709/x551/616", "index is above 2^64 - 1"},
      {"tile/0/x999/x999/x999/x999/x999/x999/999", "index is above 2^64 - 1"},
      {"tile/0/x019/x000/x000/x000/x000/x000/000", "index is above 2^64 - 1"},
      {"tile/0/000.p", "partial suffix .p has no /<width>"},
      {"tile/0/000.p/", "trailing slash"},
      {"tile/0/000.p/0", "width \"0\" is not in 1..255"},
      {"tile/0/000.p/256", "width 256 is a full tile, whose path has no .p/ suffix"},
      {"tile/0/000.p/257", "width \"257\" is not in 1..255"},
      {"tile/0/000.p/1000", "width \"1000\" is not in 1..255"},
      {"tile/0/000.p/99999999999999999999999", "is not in 1..255"},
      {"tile/0/000.p/01", "width \"01\" has a leading zero"},
      {"tile/0/000.p/00", "width \"00\" has a leading zero"},
      {"tile/0/000.p/a", "width \"a\" is not a decimal number"},
      {"tile/0/000.p/-1", "width \"-1\" is not a decimal number"},
      {"tile/0/000.p/+1", "width \"+1\" is not a decimal number"},
      {"tile/0/000.p/ 1", "width \" 1\" is not a decimal number"},
      {"tile/0/000.p/1/2", "index element \"000.p\" lacks the x prefix"},
      {"tile/0/000.p.p/1", "index element \"000.p\" is not 3 digits"},
      {"tile/0/000.q/1", "index element \"000.q\" lacks the x prefix"},
      {"tile/0/000p/1", "index element \"000p\" lacks the x prefix"},
      {"tile/0/.p/1", "empty path element in index"},
      {"tile/0/x001.p/1/002", "index element \"x001.p\" is not x followed by 3 digits"},
      {"tile/0/x001.p/002", "width \"002\" has a leading zero"},
  };
  for (const BadPath& c : cases) {
    auto tile = ParseTilePath(c.path);
    ASSERT_FALSE(tile.ok()) << "accepted \"" << c.path << "\" as " << *tile;
    ExpectError(tile.status(), absl::StatusCode::kInvalidArgument, c.reason, c.path);
  }
}

TEST(TilePathTest, ErrorNamesPathAndReason) {
  EXPECT_EQ(ParseTilePath("tile/00/000").status().message(),
            "malformed tile path \"tile/00/000\": level \"00\" has a leading zero");
  EXPECT_EQ(ParseEntryBundlePath("tile/entries/000.p/256").status().message(),
            "malformed entry bundle path \"tile/entries/000.p/256\": width 256 is a full tile, "
            "whose path has no .p/ suffix");
  // A long hostile path is rejected before it is split, and quoted only in part.
  const std::string long_path = "tile/0/" + std::string(10000, 'x');
  absl::Status status = ParseTilePath(long_path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("longer than 64 bytes"));
  EXPECT_LT(status.message().size(), 300u);
}

TEST(TilePathTest, RejectsMalformedEntryBundlePaths) {
  const std::vector<BadPath> cases = {
      {"", "empty entry bundle path"},
      {"tile/0/000", "does not start with \"tile/entries/\""},
      {"tile/entry/000", "does not start with \"tile/entries/\""},
      {"tile/entries", "does not start with \"tile/entries/\""},
      {"/tile/entries/000", "does not start with \"tile/entries/\""},
      {"tile/entries/", "missing index"},
      {"tile/entries/000/", "trailing slash"},
      {"tile/entries//000", "empty path element in index"},
      {"tile/entries/x000/000", "leading zero group"},
      {"tile/entries/0", "is not 3 digits"},
      {"tile/entries/x001", "must not start with x"},
      {"tile/entries/000.p/0", "width \"0\" is not in 1..255"},
      {"tile/entries/000.p/256", "width 256 is a full tile"},
      {"tile/entries/000.p/010", "has a leading zero"},
      {"tile/entries/000.p", "has no /<width>"},
      {"tile/entries/x018/x446/x744/x073/x709/x551/616", "above 2^64 - 1"},
      {"tile/entries/0/000", "index element \"0\" lacks the x prefix"},
  };
  for (const BadPath& c : cases) {
    auto bundle = ParseEntryBundlePath(c.path);
    ASSERT_FALSE(bundle.ok()) << "accepted \"" << c.path << "\" as " << *bundle;
    ExpectError(bundle.status(), absl::StatusCode::kInvalidArgument, c.reason, c.path);
  }
}

// Every string over a small alphabet that parses must be canonical: the exact output of
// TilePath() for what it parsed to.
TEST(TilePathTest, AcceptedPathsAreCanonicalExhaustive) {
  const std::string alphabet = "01x.p/";
  std::vector<std::string> tails = {""};
  int accepted = 0;
  for (int length = 1; length <= 6; ++length) {
    std::vector<std::string> next;
    for (const std::string& tail : tails) {
      for (char c : alphabet) next.push_back(tail + c);
    }
    tails = std::move(next);
    for (const std::string& tail : tails) {
      const std::string tile_path = "tile/1/" + tail;
      auto tile = ParseTilePath(tile_path);
      if (tile.ok()) {
        ++accepted;
        EXPECT_EQ(TilePath(*tile), tile_path);
      } else {
        EXPECT_EQ(tile.status().code(), absl::StatusCode::kInvalidArgument);
      }
      const std::string bundle_path = "tile/entries/" + tail;
      auto bundle = ParseEntryBundlePath(bundle_path);
      if (bundle.ok()) {
        ++accepted;
        EXPECT_EQ(EntryBundlePath(*bundle), bundle_path);
      } else {
        EXPECT_EQ(bundle.status().code(), absl::StatusCode::kInvalidArgument);
      }
    }
  }
  EXPECT_EQ(accepted, 2 * 8);  // "000" .. "111".
}

// --- Which tiles exist ---------------------------------------------------------------------------

// The tiles in a tree of `size` leaves straight from the spec's definition: the n-th tile at level
// l holds MTH(D[(256n + i) * 256^l : (256n + i + 1) * 256^l]) for every i whose range is complete.
std::vector<TileId> BruteForceTiles(uint64_t size) {
  std::vector<TileId> tiles;
  uint64_t span = 1;  // 256^level
  for (uint8_t level = 0; level < 8 && span <= size; ++level, span *= 256) {
    for (uint64_t n = 0; n * 256 * span < size; ++n) {
      uint16_t width = 0;
      for (uint64_t i = 0; i < 256; ++i) {
        if ((n * 256 + i + 1) * span <= size) ++width;
      }
      if (width > 0) tiles.push_back(TileId{level, n, width});
    }
  }
  return tiles;
}

std::vector<TileId> ExpandTiles(const std::vector<LevelTiles>& levels) {
  std::vector<TileId> tiles;
  for (const LevelTiles& l : levels) {
    for (uint64_t n = 0; n < l.full_tiles; ++n) tiles.push_back(TileId{l.level, n, 256});
    if (l.partial_width != 0) tiles.push_back(TileId{l.level, l.full_tiles, l.partial_width});
  }
  return tiles;
}

TEST(TilesForSizeTest, SpecExamples) {
  // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
  // tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
  // partial level 2 tile of width 1."
  std::vector<LevelTiles> levels = TilesForSize(70000);
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[0].full_tiles, 273u);
  EXPECT_EQ(levels[0].partial_width, 112);
  EXPECT_EQ(levels[1].full_tiles, 1u);
  EXPECT_EQ(levels[1].partial_width, 17);
  EXPECT_EQ(levels[2].full_tiles, 0u);
  EXPECT_EQ(levels[2].partial_width, 1);
  // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of
  // width 1."
  EXPECT_EQ(ExpandTiles(TilesForSize(256)), (std::vector<TileId>{{0, 0, 256}, {1, 0, 1}}));
  EXPECT_TRUE(TilesForSize(0).empty());
}

TEST(TilesForSizeTest, MatchesBruteForce) {
  std::vector<uint64_t> sizes = {1,           2,        255,      256,     257,   511,
                                 512,         513,      65535,    65536,   65537, 70000,
                                 65536 + 256, 16777215, 16777216, 16777217};
  for (uint64_t s = 0; s < 1200; ++s) sizes.push_back(s);
  const uint32_t seed = 6962;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20; ++i) sizes.push_back(rng() % (1 << 22));
  for (uint64_t size : sizes) {
    std::vector<TileId> want = BruteForceTiles(size);
    EXPECT_EQ(ExpandTiles(TilesForSize(size)), want) << "size " << size << " seed " << seed;
    for (const TileId& t : want) {
      EXPECT_EQ(TileWidth(t.level, t.index, size), t.width) << t << " size " << size;
      if (!t.is_full()) {
        EXPECT_EQ(PartialTileWidth(t.level, size), t.width);
      }
    }
    // The tile after the last of each level does not exist.
    for (const LevelTiles& l : TilesForSize(size)) {
      EXPECT_EQ(TileWidth(l.level, l.tile_count(), size), 0) << "size " << size;
      if (l.partial_width == 0) {
        EXPECT_EQ(PartialTileWidth(l.level, size), 0);
      }
    }
  }
}

TEST(TilesForSizeTest, LargestSizes) {
  std::vector<LevelTiles> levels = TilesForSize(kMax64);
  ASSERT_EQ(levels.size(), 8u);
  EXPECT_EQ(levels[0].full_tiles, kMax64 / 256);
  EXPECT_EQ(levels[0].partial_width, 255);
  EXPECT_EQ(levels[7].full_tiles, 0u);
  EXPECT_EQ(levels[7].partial_width, 255);
  EXPECT_EQ(TilesForSize(uint64_t{1} << 56).size(), 8u);
  EXPECT_EQ(TilesForSize((uint64_t{1} << 56) - 1).size(), 7u);
  for (uint8_t level = 8; level < 64; ++level) {
    EXPECT_EQ(PartialTileWidth(level, kMax64), 0);
    EXPECT_EQ(TileWidth(level, 0, kMax64), 0);
  }
  EXPECT_EQ(TileWidth(0, kMax64, kMax64), 0);
  EXPECT_EQ(TileWidth(0, kMax64 / 256, kMax64), 255);
}

std::vector<TileId> NewTiles(uint64_t old_size, uint64_t new_size) {
  std::vector<TileId> tiles;
  ForEachNewTile(old_size, new_size, [&](const TileId& t) { tiles.push_back(t); });
  return tiles;
}

TEST(ForEachNewTileTest, IsTheSetDifference) {
  std::vector<uint64_t> sizes;
  for (uint64_t s = 0; s < 600; s += 7) sizes.push_back(s);
  for (uint64_t s : {255, 256, 257, 511, 512, 65535, 65536, 65537, 70000, 131072}) {
    sizes.push_back(s);
  }
  for (uint64_t old_size : sizes) {
    for (uint64_t new_size : sizes) {
      if (old_size > new_size) {
        EXPECT_TRUE(NewTiles(old_size, new_size).empty());
        continue;
      }
      std::set<std::tuple<int, uint64_t, int>> before;
      for (const TileId& t : ExpandTiles(TilesForSize(old_size))) {
        before.insert({t.level, t.index, t.width});
      }
      std::vector<TileId> want;
      for (const TileId& t : ExpandTiles(TilesForSize(new_size))) {
        if (before.count({t.level, t.index, t.width}) == 0) want.push_back(t);
      }
      EXPECT_EQ(NewTiles(old_size, new_size), want) << old_size << " -> " << new_size;
    }
  }
}

// tlog.NewTiles(8, old, new) lists every partial width in between and repeats the old partial
// tiles; C2SP logs write only the partial tiles of the new size. These are its outputs with
// those removed (checked by hand with the Go package).
TEST(ForEachNewTileTest, MatchesGoNewTiles) {
  EXPECT_EQ(NewTiles(0, 1), (std::vector<TileId>{{0, 0, 1}}));
  EXPECT_EQ(NewTiles(0, 256), (std::vector<TileId>{{0, 0, 256}, {1, 0, 1}}));
  EXPECT_EQ(NewTiles(255, 256), (std::vector<TileId>{{0, 0, 256}, {1, 0, 1}}));
  EXPECT_EQ(NewTiles(256, 257), (std::vector<TileId>{{0, 1, 1}}));
  EXPECT_EQ(NewTiles(65535, 65536), (std::vector<TileId>{{0, 255, 256}, {1, 0, 256}, {2, 0, 1}}));
  EXPECT_EQ(NewTiles(65536, 65537), (std::vector<TileId>{{0, 256, 1}}));
  EXPECT_EQ(NewTiles(69999, 70000), (std::vector<TileId>{{0, 273, 112}}));
  EXPECT_TRUE(NewTiles(70000, 70000).empty());
}

// --- Where nodes and entries live ----------------------------------------------------------------

// Go's tileForIndex for height 8, on (level, index) instead of a stored hash index. Valid while
// index << (level % 8) does not overflow.
NodeTileLocation GoTileForNode(NodeId node) {
  NodeTileLocation loc;
  const uint32_t tile_level = node.level / 8;
  const uint32_t k = node.level - tile_level * 8;
  const uint64_t n = node.index << k >> 8;
  const uint64_t pos = node.index - (n << 8 >> k);
  loc.tile = TileId{static_cast<uint8_t>(tile_level), n, static_cast<uint16_t>((pos + 1) << k)};
  loc.level_in_tile = static_cast<uint8_t>(k);
  loc.begin = static_cast<uint16_t>(pos << k);
  loc.end = static_cast<uint16_t>((pos + 1) << k);
  return loc;
}

TEST(LocateNodeTest, MatchesGoTileForIndex) {
  // {node level, index} -> tlog.TileForIndex(8, tlog.StoredHashIndex(level, index)), printed by
  // the Go package: {tile level, tile index, width}.
  const std::vector<std::pair<NodeId, TileId>> golden = {
      {{0, 0}, {0, 0, 1}},    {{0, 255}, {0, 0, 256}},
      {{0, 256}, {0, 1, 1}},  {{0, 1234067}, {0, 4820, 148}},
      {{1, 0}, {0, 0, 2}},    {{1, 127}, {0, 0, 256}},
      {{1, 128}, {0, 1, 2}},  {{1, 200}, {0, 1, 146}},
      {{3, 5}, {0, 0, 48}},   {{3, 37}, {0, 1, 48}},
      {{7, 0}, {0, 0, 128}},  {{7, 1}, {0, 0, 256}},
      {{7, 2}, {0, 1, 128}},  {{7, 3}, {0, 1, 256}},
      {{8, 0}, {1, 0, 1}},    {{8, 1}, {1, 0, 2}},
      {{8, 300}, {1, 1, 45}}, {{9, 0}, {1, 0, 2}},
      {{9, 129}, {1, 1, 4}},  {{13, 77}, {1, 9, 192}},
      {{15, 1}, {1, 0, 256}}, {{16, 0}, {2, 0, 1}},
      {{16, 5}, {2, 0, 6}},   {{17, 3}, {2, 0, 8}},
      {{23, 1}, {2, 0, 256}}, {{24, 0}, {3, 0, 1}},
      {{31, 1}, {3, 0, 256}},
  };
  for (const auto& [node, tile] : golden) {
    auto loc = LocateNode(node);
    ASSERT_TRUE(loc.ok()) << loc.status();
    EXPECT_EQ(loc->tile, tile) << node;
  }
  for (uint32_t level = 0; level < 40; ++level) {
    for (uint64_t index = 0; index < 3000; ++index) {
      const NodeId node{level, index};
      auto loc = LocateNode(node);
      ASSERT_TRUE(loc.ok()) << loc.status();
      const NodeTileLocation want = GoTileForNode(node);
      EXPECT_EQ(loc->tile, want.tile) << node;
      EXPECT_EQ(loc->level_in_tile, want.level_in_tile) << node;
      EXPECT_EQ(loc->begin, want.begin) << node;
      ASSERT_EQ(loc->end, want.end) << node;
      EXPECT_EQ(loc->end - loc->begin, 1 << loc->level_in_tile);
    }
  }
}

TEST(LocateNodeTest, HugeIndicesDoNotOverflow) {
  auto loc = LocateNode(NodeId{7, kMax64});
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->tile, (TileId{0, kMax64 >> 1, 256}));
  EXPECT_EQ(loc->begin, 128);
  loc = LocateNode(NodeId{0, kMax64});
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->tile, (TileId{0, kMax64 >> 8, 256}));
  loc = LocateNode(NodeId{511, 5});
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->tile, (TileId{63, 2, 256}));
  ExpectError(LocateNode(NodeId{512, 0}).status(), absl::StatusCode::kInvalidArgument,
              "node level 512 is above the highest tiled level 511", "level 512");
}

TEST(LocateNodeTest, InTreeUsesTheTileOfThatSize) {
  // Size 70,000: leaf 69999 is in tile 0/273.p/112.
  auto loc = LocateNode(NodeId{0, 69999}, 70000);
  ASSERT_TRUE(loc.ok()) << loc.status();
  EXPECT_EQ(loc->tile, (TileId{0, 273, 112}));
  EXPECT_EQ(loc->begin, 111);
  loc = LocateNode(NodeId{0, 5}, 70000);
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->tile, (TileId{0, 0, 256}));
  // Level 8 node 272 is the last full level-0 tile's root, hash 16 of tile 1/001.p/17.
  loc = LocateNode(NodeId{8, 272}, 70000);
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->tile, (TileId{1, 1, 17}));
  EXPECT_EQ(loc->begin, 16);
  loc = LocateNode(NodeId{3, 8749}, 70000);  // Leaves 69992..69999.
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->tile, (TileId{0, 273, 112}));
  EXPECT_EQ(loc->begin, 104);
  EXPECT_EQ(loc->end, 112);

  ExpectError(LocateNode(NodeId{0, 70000}, 70000).status(), absl::StatusCode::kOutOfRange,
              "node at level 0 index 70000 is not in the tree of size 70000", "past the end");
  ExpectError(LocateNode(NodeId{4, 4375}, 70000).status(), absl::StatusCode::kOutOfRange,
              "not in the tree of size 70000", "incomplete subtree");
  ExpectError(LocateNode(NodeId{64, 0}, kMax64).status(), absl::StatusCode::kOutOfRange,
              "not in the tree", "level 64");
  ExpectError(LocateNode(NodeId{0, 0}, 0).status(), absl::StatusCode::kOutOfRange,
              "not in the tree of size 0", "empty tree");
  loc = LocateNode(NodeId{63, 0}, kMax64);
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->tile, (TileId{7, 0, 255}));
}

TEST(LocateEntryTest, FindsBundle) {
  auto loc = LocateEntry(69999, 70000);
  ASSERT_TRUE(loc.ok()) << loc.status();
  EXPECT_EQ(loc->bundle, (EntryBundleId{273, 112}));
  EXPECT_EQ(loc->position, 111);
  loc = LocateEntry(256, 70000);
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->bundle, (EntryBundleId{1, 256}));
  EXPECT_EQ(loc->position, 0);
  loc = LocateEntry(kMax64 - 1, kMax64);
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->bundle, (EntryBundleId{kMax64 / 256, 255}));
  EXPECT_EQ(loc->position, 254);
  EXPECT_EQ(LocateEntry(70000, 70000).status(),
            absl::OutOfRangeError("entry index 70000 is not in the tree of size 70000"));
}

// A tree's perfect nodes, level by level, from the RFC 6962 definition.
class TreeFixture : public ::testing::Test {
 protected:
  // 1 full level-1 tile, 5 more full level-0 tiles and a partial one of width 7.
  static constexpr uint64_t kSize = 65536 + 5 * 256 + 7;

  static void SetUpTestSuite() {
    levels_ = new std::vector<std::vector<Hash>>(1);
    for (uint64_t i = 0; i < kSize; ++i) (*levels_)[0].push_back(HashLeaf(absl::StrCat("e", i)));
    while ((*levels_).back().size() > 1) {
      const std::vector<Hash>& below = levels_->back();
      std::vector<Hash> above;
      for (size_t i = 0; i + 1 < below.size(); i += 2) {
        above.push_back(HashChildren(below[i], below[i + 1]));
      }
      levels_->push_back(std::move(above));
    }
  }
  static void TearDownTestSuite() { delete levels_; }

  // The bottom row of `tile`, as a log would store it.
  static std::vector<Hash> TileHashes(const TileId& tile) {
    const std::vector<Hash>& row = (*levels_)[8 * tile.level];
    return std::vector<Hash>(row.begin() + tile.index * 256,
                             row.begin() + tile.index * 256 + tile.width);
  }

  static std::vector<std::vector<Hash>>* levels_;
};

std::vector<std::vector<Hash>>* TreeFixture::levels_ = nullptr;

TEST_F(TreeFixture, HashFromTileMatchesEveryNode) {
  size_t checked = 0;
  TileId tile{0, 0, 0};
  std::vector<Hash> tile_hashes;
  for (uint32_t level = 0; level < levels_->size(); ++level) {
    for (uint64_t index = 0; index < (*levels_)[level].size(); ++index) {
      const NodeId node{level, index};
      auto loc = LocateNode(node, kSize);
      ASSERT_TRUE(loc.ok()) << node << ": " << loc.status();
      if (loc->tile != tile) {
        tile = loc->tile;
        tile_hashes = TileHashes(tile);
      }
      auto hash = HashFromTile(tile, tile_hashes, node);
      ASSERT_TRUE(hash.ok()) << node << ": " << hash.status();
      ASSERT_EQ(*hash, (*levels_)[level][index]) << node << " from " << loc->tile;
      ++checked;
    }
  }
  EXPECT_GT(checked, 2 * kSize - 100);
}

TEST_F(TreeFixture, HashFromTileComputesFullTileRoots) {
  // The root of full tile 0/N is node (8, N); the root of tile 1/000 is node (16, 0).
  for (uint64_t n = 0; n < 5; ++n) {
    const TileId tile{0, n, 256};
    auto hash = HashFromTile(tile, TileHashes(tile), NodeId{8, n});
    ASSERT_TRUE(hash.ok()) << hash.status();
    EXPECT_EQ(*hash, (*levels_)[8][n]);
  }
  const TileId tile{1, 0, 256};
  auto hash = HashFromTile(tile, TileHashes(tile), NodeId{16, 0});
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(*hash, (*levels_)[16][0]);
}

TEST_F(TreeFixture, HashFromTileRejectsMismatches) {
  const TileId partial{0, 261, 7};
  const std::vector<Hash> hashes = TileHashes(partial);
  ExpectError(
      HashFromTile(partial, absl::MakeSpan(hashes).subspan(1), NodeId{0, 261 * 256}).status(),
      absl::StatusCode::kInvalidArgument, "tile tile/0/261.p/7 has 6 hashes, want 7", "short");
  ExpectError(HashFromTile(partial, hashes, NodeId{9, 0}).status(),
              absl::StatusCode::kInvalidArgument,
              "node at level 9 is not in tile tile/0/261.p/7, which spans levels 0..8", "level");
  ExpectError(HashFromTile(partial, hashes, NodeId{0, 5}).status(),
              absl::StatusCode::kInvalidArgument,
              "node at level 0 index 5 is in tile index 0, not in tile tile/0/261.p/7", "index");
  ExpectError(HashFromTile(partial, hashes, NodeId{3, 261 * 32}).status(),
              absl::StatusCode::kOutOfRange,
              "node at level 3 index 8352 needs hashes [0, 8) of tile tile/0/261.p/7, which has 7",
              "past width");
  ExpectError(HashFromTile(partial, hashes, NodeId{8, 261}).status(), absl::StatusCode::kOutOfRange,
              "needs hashes [0, 256)", "partial tile root");
  ExpectError(HashFromTile(TileId{0, 0, 0}, {}, NodeId{0, 0}).status(),
              absl::StatusCode::kInvalidArgument, "invalid tile: level 0 width 0", "width 0");
  ExpectError(HashFromTile(TileId{64, 0, 1}, hashes, NodeId{0, 0}).status(),
              absl::StatusCode::kInvalidArgument, "invalid tile: level 64 width 1", "level 64");
}

// --- Tile data -----------------------------------------------------------------------------------

TEST(TileDataTest, RoundTrips) {
  std::vector<Hash> hashes;
  for (int i = 0; i < 256; ++i) hashes.push_back(HashLeaf(absl::StrCat(i)));
  const std::string data = EncodeTileData(hashes);
  EXPECT_EQ(data.size(), 8192u);  // "Full tiles MUST be exactly 256 hashes wide, or 8,192 bytes."
  EXPECT_EQ(data.substr(32, 32), std::string(HashBytes(hashes[1])));
  auto parsed = ParseTileData(data, 256);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, hashes);
  parsed = ParseTileData(data.substr(0, 32 * 3), 3);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, std::vector<Hash>(hashes.begin(), hashes.begin() + 3));
}

TEST(TileDataTest, RejectsWrongSizes) {
  const std::string data(32 * 5, 'a');
  EXPECT_EQ(ParseTileData(data, 4).status(),
            absl::InvalidArgumentError("tile data is 160 bytes, want 128 (4 hashes)"));
  EXPECT_EQ(ParseTileData(data.substr(0, 159), 5).status(),
            absl::InvalidArgumentError("tile data is 159 bytes, want 160 (5 hashes)"));
  EXPECT_EQ(ParseTileData(data + "b", 5).status(),
            absl::InvalidArgumentError("tile data is 161 bytes, want 160 (5 hashes)"));
  EXPECT_EQ(ParseTileData("", 1).status(),
            absl::InvalidArgumentError("tile data is 0 bytes, want 32 (1 hashes)"));
  EXPECT_EQ(ParseTileData("", 0).status(),
            absl::InvalidArgumentError("tile width 0 is not in 1..256"));
  EXPECT_EQ(ParseTileData(std::string(32 * 257, 'a'), 257).status(),
            absl::InvalidArgumentError("tile width 257 is not in 1..256"));
}

// --- Entry bundles -------------------------------------------------------------------------------

TEST(EntryBundleTest, EncodesLengthPrefixedEntries) {
  const std::vector<std::string> entries = {"a", "", "bc"};
  auto data = EncodeEntryBundle(entries);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, std::string("\x00\x01"
                               "a"
                               "\x00\x00"
                               "\x00\x02"
                               "bc",
                               9));
  auto parsed = ParseEntryBundle(*data);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, entries);
  parsed = ParseEntryBundle(*data, 3);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, entries);
}

TEST(EntryBundleTest, RoundTripsLimits) {
  std::vector<std::string> entries;
  for (int i = 0; i < 256; ++i) entries.push_back(std::string(i * 7 % 1000, static_cast<char>(i)));
  entries[3] = std::string(65535, 'z');
  entries[4] = "";
  auto data = EncodeEntryBundle(entries);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->substr(0, 2), std::string("\x00\x00", 2));
  auto parsed = ParseEntryBundle(*data, 256);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, entries);

  std::vector<absl::string_view> views(entries.begin(), entries.end());
  auto from_views = EncodeEntryBundle(views);
  ASSERT_TRUE(from_views.ok());
  EXPECT_EQ(*from_views, *data);
}

TEST(EntryBundleTest, EncodeRejectsBadEntries) {
  EXPECT_EQ(EncodeEntryBundle(std::vector<std::string>{}).status(),
            absl::InvalidArgumentError("entry bundle has 0 entries, want 1..256"));
  EXPECT_EQ(EncodeEntryBundle(std::vector<std::string>(257, "x")).status(),
            absl::InvalidArgumentError("entry bundle has 257 entries, want 1..256"));
  std::vector<std::string> big = {"a", std::string(65536, 'b')};
  EXPECT_EQ(
      EncodeEntryBundle(big).status(),
      absl::InvalidArgumentError("entry 1 is 65536 bytes, but at most 65535 fit an entry bundle"));
}

TEST(EntryBundleTest, ParseRejectsMalformedBundles) {
  using S = std::string;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "entry bundle is empty"},
      {S("\x00", 1), "entry bundle is truncated: entry 0 at offset 0 has 1 of its 2 length bytes"},
      {S("\x00\x01", 2),
       "entry bundle is truncated: entry 0 at offset 0 is 1 bytes, but only 0 "
       "remain"},
      {S("\x00\x03"
         "ab",
         4),
       "entry 0 at offset 0 is 3 bytes, but only 2 remain"},
      {S("\x00\x01"
         "a"
         "\x01",
         4),
       "entry 1 at offset 3 has 1 of its 2 length bytes"},
      {S("\x00\x01"
         "a"
         "\xff\xff"
         "b",
         6),
       "entry 1 at offset 3 is 65535 bytes, but only 1 "
       "remain"},
      {S(257 * 2, '\0'), "entry bundle has more than 256 entries"},
  };
  for (const auto& [data, reason] : cases) {
    auto parsed = ParseEntryBundle(data);
    ASSERT_FALSE(parsed.ok()) << absl::CHexEscape(data);
    ExpectError(parsed.status(), absl::StatusCode::kInvalidArgument, reason,
                absl::CHexEscape(data));
  }
  // 256 empty entries are a valid full bundle.
  auto parsed = ParseEntryBundle(S(256 * 2, '\0'));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size(), 256u);
}

TEST(EntryBundleTest, ParseWithCountRejectsOtherCounts) {
  const std::string three = *EncodeEntryBundle(std::vector<std::string>{"a", "b", "c"});
  EXPECT_EQ(ParseEntryBundle(three, 4).status(),
            absl::InvalidArgumentError("entry bundle has 3 entries, want 4"));
  EXPECT_EQ(ParseEntryBundle(three, 2).status(),
            absl::InvalidArgumentError("entry bundle has 3 trailing bytes after its 2 entries"));
  EXPECT_EQ(ParseEntryBundle("", 1).status(),
            absl::InvalidArgumentError("entry bundle has 0 entries, want 1"));
  EXPECT_EQ(ParseEntryBundle(three, 0).status(),
            absl::InvalidArgumentError("entry bundle width 0 is not in 1..256"));
  EXPECT_EQ(ParseEntryBundle(three, 257).status(),
            absl::InvalidArgumentError("entry bundle width 257 is not in 1..256"));
  EXPECT_EQ(ParseEntryBundle(three.substr(0, 7), 3).status(),
            absl::InvalidArgumentError(
                "entry bundle is truncated: entry 2 at offset 6 has 1 of its 2 length bytes"));
}

}  // namespace
}  // namespace vellum
