#include "proof/tile_audit.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "proof/compact_range.h"

namespace vellum {

TileAuditor::TileAuditor(uint64_t tree_size) : tree_size_(tree_size) {}

absl::Status TileAuditor::AddBundle(absl::Span<const std::string> entries) {
  if (pending_.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat(TilePath(*pending_), " is not checked yet"));
  }
  const uint64_t index = next_bundle_;
  const uint16_t width = TileWidth(0, index, tree_size_);
  if (width == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry bundle ", index, " is past the tree of size ", tree_size_));
  }
  if (entries.size() != width) {
    return absl::InvalidArgumentError(absl::StrCat("entry bundle ", index, " has ",
                                                   entries.size(), " entries, want ", width));
  }
  next_bundle_++;
  std::vector<Hash> leaf_hashes;
  leaf_hashes.reserve(width);
  for (const std::string& entry : entries) leaf_hashes.push_back(HashLeaf(entry));
  pending_ = TileId{0, index, width};
  pending_row_ = std::move(leaf_hashes);
  return absl::OkStatus();
}

absl::Status TileAuditor::CheckServed(absl::Span<const Hash> served) {
  if (!pending_.has_value()) return absl::FailedPreconditionError("no tile is pending");
  const TileId tile = *pending_;
  if (served.size() != tile.width) {
    return absl::InvalidArgumentError(absl::StrCat(TilePath(tile), ": ", served.size(),
                                                   " hashes, want ", tile.width));
  }
  tiles_++;
  const std::vector<Hash>& want = pending_row_;
  for (size_t i = 0; i < want.size(); ++i) {
    if (served[i] != want[i]) {
      const uint64_t below = tile.index * kTileWidth + i;
      return absl::DataLossError(absl::StrCat(
          TilePath(tile), " hash ", i, ": got ", HashToBase64(served[i]), ", want ",
          HashToBase64(want[i]),
          tile.level == 0
              ? absl::StrCat(" (the leaf hash of entry ", below, ")")
              : absl::StrCat(" (the root of ",
                             TilePath({static_cast<uint8_t>(tile.level - 1), below, kTileWidth}),
                             ")")));
    }
  }
  pending_.reset();
  std::vector<Hash> row = std::move(pending_row_);
  pending_row_.clear();
  if (!tile.is_full()) {
    partial_rows_[tile.level] = std::move(row);
    return absl::OkStatus();
  }
  absl::StatusOr<Hash> root =
      HashFromTile(tile, row, NodeId{kTileHeight * (tile.level + 1u), tile.index});
  if (!root.ok()) return root.status();
  return AddHash(tile.level + 1, *root);
}

absl::Status TileAuditor::AddHash(size_t level, const Hash& hash) {
  if (level >= kLevels) return absl::InternalError("a tree of more than 2^64 leaves");
  std::vector<Hash>& row = rows_[level];
  row.push_back(hash);
  const uint64_t index = next_index_[level];
  const uint16_t width = TileWidth(static_cast<uint8_t>(level), index, tree_size_);
  if (row.size() < width) return absl::OkStatus();
  next_index_[level]++;
  pending_ = TileId{static_cast<uint8_t>(level), index, width};
  pending_row_.swap(row);
  row.clear();
  row.reserve(kTileWidth);
  return absl::OkStatus();
}

absl::StatusOr<Hash> TileAuditor::Root() const {
  if (pending_.has_value()) {
    return absl::InternalError(absl::StrCat(TilePath(*pending_), " is not checked"));
  }
  const uint64_t bundles = (tree_size_ + kTileWidth - 1) / kTileWidth;
  if (next_bundle_ != bundles) {
    return absl::InternalError(
        absl::StrCat("checked ", next_bundle_, " entry bundles, want ", bundles));
  }
  for (size_t level = 0; level < rows_.size(); ++level) {
    if (!rows_[level].empty()) {
      return absl::InternalError(absl::StrCat("tile level ", level, " has ",
                                              rows_[level].size(), " unchecked hashes"));
    }
  }
  std::vector<Hash> peaks;
  for (NodeId peak : PeakNodes(tree_size_)) {
    absl::StatusOr<NodeTileLocation> where = LocateNode(peak, tree_size_);
    if (!where.ok()) return where.status();
    const std::vector<Hash>& row = partial_rows_[where->tile.level];
    if (where->tile.is_full() || row.size() != where->tile.width) {
      return absl::InternalError(absl::StrCat("peak ", peak.level, "/", peak.index,
                                              " is not in a checked partial tile"));
    }
    absl::StatusOr<Hash> hash = HashFromTile(where->tile, row, peak);
    if (!hash.ok()) return hash.status();
    peaks.push_back(*hash);
  }
  absl::StatusOr<CompactRange> range = CompactRange::FromPeaks(tree_size_, std::move(peaks));
  if (!range.ok()) return range.status();
  return range->Root();
}

absl::StatusOr<Hash> TileAuditor::CheckRoot(const Hash& want) const {
  absl::StatusOr<Hash> root = Root();
  if (!root.ok()) return root.status();
  if (*root != want) {
    return absl::DataLossError(absl::StrCat("root of tree size ", tree_size_,
                                            " from the tiles: got ", HashToBase64(*root),
                                            ", want the checkpoint's ", HashToBase64(want)));
  }
  uint64_t want_tiles = 0;
  for (const LevelTiles& level : TilesForSize(tree_size_)) want_tiles += level.tile_count();
  if (tiles_ != want_tiles) {
    return absl::InternalError(absl::StrCat("checked ", tiles_, " tiles, want ", want_tiles));
  }
  return root;
}

}  // namespace vellum
