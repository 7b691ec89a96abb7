#include "ledger/tile_cache.h"

#include "ledger/metrics/metrics.h"

namespace vellum {
namespace ledger {

ExpandedTile::ExpandedTile(std::vector<Hash> row)
    : width_(static_cast<uint16_t>(row.size())), nodes_(std::move(row)) {
  // Level k has width >> k nodes: fewer than 2 * width in all.
  nodes_.reserve(2 * size_t{width_});
  size_t begin = 0;
  size_t count = width_;
  offsets_[0] = 0;
  for (uint32_t level = 1; level < kTileHeight; ++level) {
    offsets_[level] = static_cast<uint16_t>(begin + count);
    for (size_t i = 0; i + 1 < count; i += 2) {
      nodes_.push_back(HashChildren(nodes_[begin + i], nodes_[begin + i + 1]));
    }
    begin += count;
    count /= 2;
  }
}

std::shared_ptr<const ExpandedTile> TileCache::Lookup(const TileId& tile) {
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(tile);
    if (it != entries_.end()) {
      uses_.splice(uses_.begin(), uses_, it->second.use);
      hits_++;
      return it->second.tile;
    }
  }
  misses_++;
  return nullptr;
}

void TileCache::Insert(const TileId& tile, std::shared_ptr<const ExpandedTile> expanded) {
  const size_t bytes = expanded->bytes();
  if (bytes > max_bytes_) return;
  std::vector<std::shared_ptr<const ExpandedTile>> evicted;  // Freed after the lock is released.
  absl::MutexLock lock(&mu_);
  if (entries_.contains(tile)) return;
  while (bytes_ + bytes > max_bytes_) {
    auto last = entries_.find(uses_.back());
    bytes_ -= last->second.tile->bytes();
    evicted.push_back(std::move(last->second.tile));
    entries_.erase(last);
    uses_.pop_back();
    evictions_++;
  }
  uses_.push_front(tile);
  entries_.emplace(tile, Entry{std::move(expanded), uses_.begin()});
  bytes_ += bytes;
}

TileCache::Stats TileCache::stats() const {
  Stats stats;
  stats.hits = hits_.load();
  stats.misses = misses_.load();
  stats.evictions = evictions_.load();
  absl::MutexLock lock(&mu_);
  stats.tiles = entries_.size();
  stats.bytes = bytes_;
  return stats;
}

void TileCache::RenderMetrics(std::string* out) const {
  const Stats s = stats();
  RenderMetric("vellum_tile_cache_hits_total", "counter",
               "Proof tile look-ups answered by the expanded-tile cache.", s.hits, out);
  RenderMetric("vellum_tile_cache_misses_total", "counter",
               "Proof tile look-ups that read and expanded a stored tile.", s.misses, out);
  RenderMetric("vellum_tile_cache_evictions_total", "counter",
               "Expanded tiles evicted to stay within the cache's capacity.", s.evictions, out);
  RenderMetric("vellum_tile_cache_tiles", "gauge", "Expanded tiles in the cache.", s.tiles, out);
  RenderMetric("vellum_tile_cache_bytes", "gauge", "Memory held by the expanded-tile cache.",
               s.bytes, out);
}

}  // namespace ledger
}  // namespace vellum
