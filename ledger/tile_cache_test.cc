#include "ledger/tile_cache.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/tile_reader.h"
#include "proof/compact_range.h"
#include "proof/proof_nodes.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {
namespace {

std::vector<Hash> Row(size_t width, uint64_t seed) {
  std::vector<Hash> row;
  for (size_t i = 0; i < width; ++i) row.push_back(HashLeaf(std::to_string(seed * 1000 + i)));
  return row;
}

// Every node ExpandedTile holds equals HashFromTile's, for every width.
TEST(ExpandedTileTest, NodesMatchHashFromTile) {
  for (uint16_t width = 1; width <= kTileWidth; ++width) {
    const TileId tile{1, 3, width};
    const std::vector<Hash> row = Row(width, width);
    const ExpandedTile expanded(row);
    ASSERT_EQ(expanded.row().size(), width);
    for (uint8_t k = 0; k < kTileHeight; ++k) {
      for (uint16_t begin = 0; begin + (1u << k) <= width; begin += 1u << k) {
        const NodeId node{kTileHeight * tile.level + k, (tile.index << (kTileHeight - k)) +
                                                            (begin >> k)};
        auto want = HashFromTile(tile, row, node);
        ASSERT_TRUE(want.ok()) << want.status();
        ASSERT_EQ(expanded.Node(k, begin), *want)
            << "width " << width << " level " << int{k} << " begin " << begin;
      }
    }
  }
}

std::shared_ptr<const ExpandedTile> Tile(uint64_t seed) {
  return std::make_shared<const ExpandedTile>(Row(kTileWidth, seed));
}

TEST(TileCacheTest, EvictsTheLeastRecentlyUsed) {
  const size_t tile_bytes = Tile(0)->bytes();
  TileCache cache(2 * tile_bytes);
  const TileId a{0, 0, kTileWidth}, b{0, 1, kTileWidth}, c{0, 2, kTileWidth};
  EXPECT_EQ(cache.Lookup(a), nullptr);
  cache.Insert(a, Tile(1));
  cache.Insert(b, Tile(2));
  ASSERT_NE(cache.Lookup(a), nullptr);  // Now b is the least recently used.
  cache.Insert(c, Tile(3));
  EXPECT_EQ(cache.Lookup(b), nullptr);
  ASSERT_NE(cache.Lookup(a), nullptr);
  ASSERT_NE(cache.Lookup(c), nullptr);
  EXPECT_EQ(cache.Lookup(c)->row()[0], Row(1, 3)[0]);
  const TileCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits, 4u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.tiles, 2u);
  EXPECT_EQ(stats.bytes, 2 * tile_bytes);
}

TEST(TileCacheTest, KeepsTheFirstCopyAndCachesNothingWithoutCapacity) {
  TileCache cache(1 << 20);
  const TileId a{0, 0, kTileWidth};
  cache.Insert(a, Tile(1));
  cache.Insert(a, Tile(2));
  EXPECT_EQ(cache.Lookup(a)->row()[0], Row(1, 1)[0]);
  EXPECT_EQ(cache.stats().tiles, 1u);
  TileCache none(0);
  none.Insert(a, Tile(1));
  EXPECT_EQ(none.Lookup(a), nullptr);
  std::string metrics;
  cache.RenderMetrics(&metrics);
  EXPECT_NE(metrics.find("vellum_tile_cache_hits_total 1\n"), std::string::npos) << metrics;
}

// Stores the tiles of a tree of `size` random leaves committed in one batch each for `sizes`.
class TreeFixture {
 public:
  explicit TreeFixture(const std::vector<uint64_t>& sizes) {
    std::mt19937_64 rng(7);
    std::vector<std::vector<Hash>> rows(8);
    uint64_t size = 0;
    for (uint64_t target : sizes) {
      WriteSet write;
      const uint64_t batch_start = size;
      for (; size < target; ++size) {
        range_.Append(HashLeaf(std::to_string(rng())), [&](NodeId id, const Hash& hash) {
          if (id.level % kTileHeight != 0) return;
          const uint8_t level = static_cast<uint8_t>(id.level / kTileHeight);
          rows[level].push_back(hash);
          if (rows[level].size() == kTileWidth) {
            write.tiles.emplace_back(TileId{level, id.index / kTileWidth, kTileWidth},
                                     EncodeTileData(rows[level]));
            rows[level].clear();
          }
        });
      }
      for (uint8_t level = 0; level < 8; ++level) {
        const int shift = kTileHeight * level;
        if ((batch_start >> shift) == (size >> shift) || rows[level].empty()) continue;
        write.tiles.emplace_back(TileId{level, (size >> shift) / kTileWidth,
                                        static_cast<uint16_t>(rows[level].size())},
                                 EncodeTileData(rows[level]));
      }
      write.tree_size = size;
      EXPECT_TRUE(storage_.Commit(write).ok());
    }
  }
  MemoryStorage& storage() { return storage_; }
  Hash Root() const { return range_.Root(); }

 private:
  MemoryStorage storage_;
  CompactRange range_;
};

// Proofs read through a shared cache, across sizes, equal those read without one.
TEST(TileNodeReaderTest, CachedReadsMatchUncachedOnes) {
  TreeFixture tree({1000, 70000, 70001, 70500});
  TileCache cache(64 << 20);
  std::mt19937_64 rng(11);
  for (uint64_t size : {1000u, 70000u, 70001u, 70500u}) {
    for (int i = 0; i < 50; ++i) {
      const uint64_t index = rng() % size;
      TileNodeReader plain(tree.storage(), 70500);
      TileNodeReader cached(tree.storage(), 70500, &cache);
      auto want = ProveInclusion(index, size, plain);
      ASSERT_TRUE(want.ok()) << want.status();
      auto got = ProveInclusion(index, size, cached);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(*got, *want) << "index " << index << " size " << size;
    }
  }
  EXPECT_GT(cache.stats().hits, 0u);
  // A partial tile read at an older size than the stored one comes from the full tile.
  TileNodeReader old(tree.storage(), 1000, &cache);
  auto node = old.ReadNode({0, 999});
  ASSERT_TRUE(node.ok()) << node.status();
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
