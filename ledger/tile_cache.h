#ifndef VELLUM_LEDGER_TILE_CACHE_H_
#define VELLUM_LEDGER_TILE_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "proof/hash.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {

// One tile with every node it spans computed: its bottom row and, for each of the 7 levels above
// it, the complete nodes over that row. Computing them costs width - 1 hashes at most, about what
// one inclusion proof spends recomputing a handful of nodes from the row (HashFromTile), so a
// tile is expanded once and then answers any node in O(1). Immutable, so thread-safe.
class ExpandedTile {
 public:
  // Expands `row`, the bottom row of a tile: 1 to 256 hashes.
  explicit ExpandedTile(std::vector<Hash> row);

  ExpandedTile(const ExpandedTile&) = delete;
  ExpandedTile& operator=(const ExpandedTile&) = delete;

  absl::Span<const Hash> row() const { return absl::MakeConstSpan(nodes_.data(), width_); }

  // The node `level_in_tile` (0..7) levels above the bottom row over row positions
  // [begin, begin + 2^level_in_tile), as NodeTileLocation describes it. Requires that range to
  // be within the width and begin to be a multiple of its length.
  const Hash& Node(uint8_t level_in_tile, uint16_t begin) const {
    return nodes_[offsets_[level_in_tile] + (begin >> level_in_tile)];
  }

  // The memory this tile holds, for cache accounting.
  size_t bytes() const { return sizeof(*this) + nodes_.capacity() * sizeof(Hash); }

 private:
  const uint16_t width_;
  // The row, then each level's nodes; offsets_[k] is where level k starts.
  std::vector<Hash> nodes_;
  std::array<uint16_t, kTileHeight> offsets_;
};

// A bounded least-recently-used cache of expanded tiles, shared by the proofs of all requests.
// A tile's content is fixed by its (level, index, width) once it is stored: a full tile never
// changes, and a partial tile of some width holds the same hashes as every later version's first
// `width` hashes. So entries never go stale; only the capacity evicts them. Thread-safe.
class TileCache {
 public:
  // Holds at most `max_bytes` of expanded tiles (about 16 KiB per full tile); 0 caches nothing.
  explicit TileCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  TileCache(const TileCache&) = delete;
  TileCache& operator=(const TileCache&) = delete;

  // The cached tile, or nullptr. Counts a hit or a miss.
  std::shared_ptr<const ExpandedTile> Lookup(const TileId& tile);

  // Adds `expanded` as the content of `tile` and evicts the least recently used tiles beyond
  // the capacity. Keeps the existing entry if another thread added the tile first.
  void Insert(const TileId& tile, std::shared_ptr<const ExpandedTile> expanded);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
    size_t tiles = 0;
    size_t bytes = 0;
  };
  Stats stats() const;

  // Appends the cache's metrics in the Prometheus text format.
  void RenderMetrics(std::string* out) const;

 private:
  struct Entry {
    std::shared_ptr<const ExpandedTile> tile;
    std::list<TileId>::iterator use;  // Its place in uses_.
  };

  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<TileId, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::list<TileId> uses_ ABSL_GUARDED_BY(mu_);  // Most recently used first.
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TILE_CACHE_H_
