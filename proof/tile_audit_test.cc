#include "proof/tile_audit.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "proof/compact_range.h"
#include "proof/hash.h"
#include "proof/tile.h"

namespace vellum {
namespace {

std::string Entry(uint64_t i) { return absl::StrCat("entry ", i); }

// Every tile of the tree of `size` leaves Entry(0) ..., recomputed the slow way, and its root.
struct Tree {
  explicit Tree(uint64_t size) {
    CompactRange range;
    std::vector<std::vector<Hash>> levels(1);
    for (uint64_t i = 0; i < size; ++i) {
      levels[0].push_back(HashLeaf(Entry(i)));
      range.Append(levels[0].back(), [](NodeId, const Hash&) {});
    }
    root = range.Root();
    for (size_t level = 0; !levels[level].empty(); ++level) {
      levels.emplace_back();
      const std::vector<Hash>& row = levels[level];
      for (uint64_t index = 0; index * kTileWidth < row.size(); ++index) {
        const uint64_t begin = index * kTileWidth;
        const uint16_t width =
            static_cast<uint16_t>(std::min<uint64_t>(kTileWidth, row.size() - begin));
        const TileId tile{static_cast<uint8_t>(level), index, width};
        tiles[tile] = std::vector<Hash>(row.begin() + begin, row.begin() + begin + width);
        if (tile.is_full()) {
          levels[level + 1].push_back(*HashFromTile(
              tile, tiles[tile], NodeId{kTileHeight * (static_cast<uint32_t>(level) + 1), index}));
        }
      }
    }
  }

  absl::flat_hash_map<TileId, std::vector<Hash>> tiles;
  Hash root{};
};

// Runs a TileAuditor over `tree`, serving its tiles with `alter` applied.
template <typename Alter>
absl::StatusOr<Hash> Audit(uint64_t size, Tree& tree, Alter alter, uint64_t* checked = nullptr) {
  TileAuditor auditor(size);
  for (uint64_t index = 0; index * kTileWidth < size; ++index) {
    std::vector<std::string> entries;
    for (uint64_t i = index * kTileWidth; i < std::min(size, (index + 1) * kTileWidth); ++i) {
      entries.push_back(Entry(i));
    }
    if (absl::Status s = auditor.AddBundle(entries); !s.ok()) return s;
    while (auditor.pending().has_value()) {
      std::vector<Hash> served = tree.tiles.at(*auditor.pending());
      alter(*auditor.pending(), &served);
      if (absl::Status s = auditor.CheckServed(served); !s.ok()) return s;
    }
  }
  if (checked != nullptr) *checked = auditor.tiles();
  return auditor.CheckRoot(tree.root);
}

void Unaltered(const TileId&, std::vector<Hash>*) {}

TEST(TileAuditorTest, AcceptsTreesAroundTileEdges) {
  for (uint64_t size : {0u, 1u, 255u, 256u, 257u, 511u, 512u, 513u, 65535u, 65536u, 65537u}) {
    Tree tree(size);
    uint64_t checked = 0;
    absl::StatusOr<Hash> root = Audit(size, tree, Unaltered, &checked);
    ASSERT_TRUE(root.ok()) << size << ": " << root.status();
    EXPECT_EQ(*root, tree.root) << size;
    EXPECT_EQ(checked, tree.tiles.size()) << size;
  }
}

TEST(TileAuditorTest, NamesTheFirstDifference) {
  Tree tree(65537);
  absl::StatusOr<Hash> leaf = Audit(65537, tree, [](const TileId& tile, std::vector<Hash>* row) {
    if (tile.level == 0 && tile.index == 1) (*row)[17][5] ^= 1;
  });
  Hash got = tree.tiles.at({0, 1, 256})[17];
  got[5] ^= 1;
  EXPECT_EQ(leaf.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(leaf.status().message(),
            absl::StrCat("tile/0/001 hash 17: got ", HashToBase64(got), ", want ",
                         HashToBase64(HashLeaf(Entry(273))), " (the leaf hash of entry 273)"));

  absl::StatusOr<Hash> above = Audit(65537, tree, [](const TileId& tile, std::vector<Hash>* row) {
    if (tile.level == 1 && tile.index == 0) (*row)[200][0] ^= 0x40;
  });
  EXPECT_EQ(above.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(above.status().message().substr(0, 21), "tile/1/000 hash 200: ");
  EXPECT_NE(above.status().message().find("(the root of tile/0/200)"), absl::string_view::npos);
}

TEST(TileAuditorTest, AnotherRootFailsAtTheRoot) {
  Tree tree(600);
  tree.root = HashLeaf("another root");
  absl::StatusOr<Hash> root = Audit(600, tree, Unaltered);
  EXPECT_EQ(root.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(root.status().message(),
            absl::StrCat("root of tree size 600 from the tiles: got ", HashToBase64(Tree(600).root),
                         ", want the checkpoint's ", HashToBase64(tree.root)));
}

TEST(TileAuditorTest, RefusesCallsOutOfOrder) {
  TileAuditor auditor(300);
  EXPECT_EQ(auditor.CheckServed({}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(auditor.AddBundle(std::vector<std::string>{"a"}).code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<std::string> entries(256, "x");
  ASSERT_TRUE(auditor.AddBundle(entries).ok());
  EXPECT_EQ(*auditor.pending(), (TileId{0, 0, 256}));
  EXPECT_EQ(auditor.AddBundle(entries).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(auditor.CheckServed(std::vector<Hash>(3)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(auditor.CheckRoot(EmptyRoot()).status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace vellum
