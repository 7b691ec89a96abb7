#include "ledger/tile_reader.h"

#include <algorithm>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

namespace {

// What a log holds for a tile or entry bundle that a later commit may have superseded: the bytes
// of the one asked for, or, when a partial one is NotFound, those of the full one of the same
// index, whose first hashes or entries are the partial one's. `width` is the number of hashes or
// entries `data` holds: the width asked for, or 256.
struct StoredData {
  std::string data;
  uint16_t width = 0;
};

// The read of StoredData: `read(id)`, or `read(full)` when a partial `id` is NotFound; the
// partial one's NotFound when neither is held.
template <typename Id, typename Read>
absl::StatusOr<StoredData> ReadOrSuperseding(const Id& id, const Id& full, Read read) {
  absl::StatusOr<std::string> data = read(id);
  if (data.ok()) return StoredData{*std::move(data), id.width};
  if (!absl::IsNotFound(data.status()) || id.is_full()) return data.status();
  absl::StatusOr<std::string> superseding = read(full);
  if (absl::IsNotFound(superseding.status())) return data.status();
  if (!superseding.ok()) return superseding.status();
  return StoredData{*std::move(superseding), kTileWidth};
}

absl::StatusOr<StoredData> ReadTileData(const LogReader& log, const TileId& tile) {
  return ReadOrSuperseding(tile, TileId{tile.level, tile.index, kTileWidth},
                           [&](const TileId& id) { return log.ReadTile(id); });
}

absl::StatusOr<StoredData> ReadEntryBundleData(const LogReader& log, const EntryBundleId& bundle) {
  return ReadOrSuperseding(bundle, EntryBundleId{bundle.index, kTileWidth},
                           [&](const EntryBundleId& id) { return log.ReadEntryBundle(id); });
}

}  // namespace

absl::StatusOr<std::vector<Hash>> ReadServedTile(const LogReader& log, const TileId& tile) {
  absl::StatusOr<StoredData> data = ReadTileData(log, tile);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<Hash>> hashes = ParseTileData(data->data, data->width);
  if (!hashes.ok()) {
    return absl::DataLossError(absl::StrCat(TilePath(tile), ": ", hashes.status().message()));
  }
  hashes->resize(tile.width);
  return hashes;
}

absl::StatusOr<std::vector<std::string>> ReadServedBundle(const LogReader& log,
                                                          const EntryBundleId& bundle) {
  absl::StatusOr<StoredData> data = ReadEntryBundleData(log, bundle);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<std::string>> entries = ParseEntryBundle(data->data, data->width);
  if (!entries.ok()) {
    return absl::DataLossError(
        absl::StrCat(EntryBundlePath(bundle), ": ", entries.status().message()));
  }
  entries->resize(bundle.width);
  return entries;
}

absl::StatusOr<std::vector<Hash>> ReadTileRow(const LogReader& storage, const TileId& tile,
                                              uint64_t tree_size) {
  absl::StatusOr<StoredData> data = ReadTileData(storage, tile);
  if (absl::IsNotFound(data.status())) {
    return absl::DataLossError(
        absl::StrCat("tile ", TilePath(tile), " is missing for tree size ", tree_size));
  }
  if (!data.ok()) return data.status();
  // A superseding full tile's first `width` hashes are the same.
  data->data.resize(std::min(data->data.size(), size_t{tile.width} * kHashSize));
  absl::StatusOr<std::vector<Hash>> row = ParseTileData(data->data, tile.width);
  if (!row.ok()) {
    return absl::DataLossError(
        absl::StrCat("stored tile ", TilePath(tile), ": ", row.status().message()));
  }
  return row;
}

absl::StatusOr<std::vector<std::string>> ReadBundleEntries(const LogReader& log,
                                                           uint64_t bundle_index,
                                                           uint64_t tree_size) {
  const uint64_t first = bundle_index * kTileWidth;
  if (first >= tree_size) {
    return absl::OutOfRangeError(absl::StrCat("entry bundle ", bundle_index,
                                              " is past the tree of size ", tree_size));
  }
  const uint16_t width = static_cast<uint16_t>(std::min<uint64_t>(kTileWidth, tree_size - first));
  const EntryBundleId id{bundle_index, width};
  absl::StatusOr<StoredData> data = ReadEntryBundleData(log, id);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<std::string>> entries = ParseEntryBundle(data->data);
  if (!entries.ok() || entries->size() < width) {
    return absl::DataLossError(absl::StrCat("stored entry bundle ", EntryBundlePath(id),
                                            " does not hold ", width, " entries"));
  }
  entries->resize(width);
  return entries;
}

absl::StatusOr<std::vector<Hash>> ReadLeafHashes(const LogReader& storage, uint64_t begin,
                                                 uint64_t end, uint64_t tree_size) {
  std::vector<Hash> hashes;
  hashes.reserve(end - begin);
  for (uint64_t index = begin; index < end;) {
    const uint64_t tile_index = index / kTileWidth;
    absl::StatusOr<std::vector<Hash>> row =
        ReadTileRow(storage, {0, tile_index, TileWidth(0, tile_index, tree_size)}, tree_size);
    if (!row.ok()) return row.status();
    const uint64_t row_end = std::min(end, tile_index * kTileWidth + row->size());
    for (; index < row_end; ++index) hashes.push_back((*row)[index % kTileWidth]);
  }
  return hashes;
}

TileNodeReader::TileNodeReader(const LogReader& storage, uint64_t tree_size, TileCache* cache)
    : storage_(storage), tree_size_(tree_size), cache_(cache) {}

absl::StatusOr<std::vector<Hash>> TileNodeReader::ReadNodes(absl::Span<const NodeId> ids) {
  // Every node is located before any is copied: the copies' loads are then independent, so the
  // processor overlaps their cache misses: a random leaf's proof reads nodes from all over a
  // large cache (docs/benchmarks.md, "Proof serving").
  absl::InlinedVector<const Hash*, 64> nodes;
  nodes.reserve(ids.size());
  for (NodeId id : ids) {
    absl::StatusOr<const Hash*> node = Node(id);
    if (!node.ok()) return node.status();
    nodes.push_back(*node);
  }
  std::vector<Hash> hashes;
  hashes.reserve(nodes.size());
  for (const Hash* node : nodes) hashes.push_back(*node);
  return hashes;
}

absl::StatusOr<Hash> TileNodeReader::ReadNode(NodeId id) {
  absl::StatusOr<const Hash*> node = Node(id);
  if (!node.ok()) return node.status();
  return **node;
}

absl::StatusOr<const Hash*> TileNodeReader::Node(NodeId id) {
  absl::StatusOr<NodeTileLocation> location = LocateNode(id, tree_size_);
  if (!location.ok()) return location.status();
  // A proof's nodes come tile by tile, so most share the previous node's tile.
  if (last_tile_ == nullptr || last_tile_id_ != location->tile) {
    absl::StatusOr<const ExpandedTile*> tile = Tile(location->tile);
    if (!tile.ok()) return tile.status();
    last_tile_id_ = location->tile;
    last_tile_ = *tile;
  }
  return &last_tile_->Node(location->level_in_tile, location->begin);
}

absl::StatusOr<std::shared_ptr<const ExpandedTile>> TileNodeReader::ReadTile(const TileId& tile) {
  absl::StatusOr<const ExpandedTile*> expanded = Tile(tile);
  if (!expanded.ok()) return expanded.status();
  return tiles_.find(tile)->second;
}

absl::StatusOr<const ExpandedTile*> TileNodeReader::Tile(const TileId& tile) {
  auto known = tiles_.find(tile);
  if (known != tiles_.end()) return known->second.get();
  std::shared_ptr<const ExpandedTile> expanded;
  if (cache_ != nullptr) expanded = cache_->Lookup(tile);
  if (expanded == nullptr) {
    absl::StatusOr<std::vector<Hash>> row = ReadTileRow(storage_, tile, tree_size_);
    if (!row.ok()) return row.status();
    expanded = std::make_shared<const ExpandedTile>(*std::move(row));
    if (cache_ != nullptr) cache_->Insert(tile, expanded);
  }
  return tiles_.emplace(tile, std::move(expanded)).first->second.get();
}

}  // namespace ledger
}  // namespace vellum
