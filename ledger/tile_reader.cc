#include "ledger/tile_reader.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

TileNodeReader::TileNodeReader(const LogReader& storage, uint64_t tree_size)
    : storage_(storage), tree_size_(tree_size) {}

absl::StatusOr<std::vector<Hash>> TileNodeReader::ReadNodes(absl::Span<const NodeId> ids) {
  std::vector<Hash> hashes;
  hashes.reserve(ids.size());
  for (NodeId id : ids) {
    absl::StatusOr<Hash> hash = ReadNode(id);
    if (!hash.ok()) return hash.status();
    hashes.push_back(*hash);
  }
  return hashes;
}

absl::StatusOr<Hash> TileNodeReader::ReadNode(NodeId id) {
  absl::StatusOr<NodeTileLocation> location = LocateNode(id, tree_size_);
  if (!location.ok()) return location.status();
  absl::StatusOr<const std::vector<Hash>*> hashes = ReadTile(location->tile);
  if (!hashes.ok()) return hashes.status();
  return HashFromTile(location->tile, **hashes, id);
}

absl::StatusOr<const std::vector<Hash>*> TileNodeReader::ReadTile(const TileId& tile) {
  auto cached = cache_.find(tile);
  if (cached != cache_.end()) return &cached->second;
  absl::StatusOr<std::string> data = storage_.ReadTile(tile);
  std::vector<Hash> hashes;
  if (absl::IsNotFound(data.status()) && !tile.is_full()) {
    // Superseded by the full tile, whose first `width` hashes are the same.
    data = storage_.ReadTile({tile.level, tile.index, kTileWidth});
    if (data.ok()) data->resize(std::min(data->size(), size_t{tile.width} * kHashSize));
  }
  if (absl::IsNotFound(data.status())) {
    return absl::DataLossError(absl::StrCat("tile ", TilePath(tile), " is missing for tree size ",
                                            tree_size_));
  }
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<Hash>> parsed = ParseTileData(*data, tile.width);
  if (!parsed.ok()) {
    return absl::DataLossError(
        absl::StrCat("stored tile ", TilePath(tile), ": ", parsed.status().message()));
  }
  return &cache_.emplace(tile, *std::move(parsed)).first->second;
}

}  // namespace ledger
}  // namespace vellum
