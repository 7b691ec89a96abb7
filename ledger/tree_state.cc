#include "ledger/tree_state.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/tile_reader.h"

namespace vellum {
namespace ledger {

absl::StatusOr<TreeState> TreeState::Load(const LogReader& storage, uint64_t tree_size) {
  TreeState state;
  TileNodeReader reader(storage, tree_size);
  std::vector<Hash> peaks;
  for (NodeId node : PeakNodes(tree_size)) {
    absl::StatusOr<Hash> hash = reader.ReadNode(node);
    if (!hash.ok()) return hash.status();
    peaks.push_back(*hash);
  }
  absl::StatusOr<CompactRange> range = CompactRange::FromPeaks(tree_size, std::move(peaks));
  if (!range.ok()) return range.status();
  state.range_ = *std::move(range);
  for (const LevelTiles& level : TilesForSize(tree_size)) {
    if (level.partial_width == 0) continue;
    absl::StatusOr<std::shared_ptr<const ExpandedTile>> tile =
        reader.ReadTile({level.level, level.full_tiles, level.partial_width});
    if (!tile.ok()) return tile.status();
    absl::Span<const Hash> row = (*tile)->row();
    state.rows_[level.level].assign(row.begin(), row.end());
  }
  if (uint16_t width = tree_size % kTileWidth; width != 0) {
    EntryBundleId bundle{tree_size / kTileWidth, width};
    absl::StatusOr<std::string> data = storage.ReadEntryBundle(bundle);
    if (!data.ok()) {
      return absl::DataLossError(absl::StrCat("entry bundle ", EntryBundlePath(bundle),
                                              " of tree size ", tree_size, ": ",
                                              data.status().message()));
    }
    absl::StatusOr<std::vector<std::string>> entries = ParseEntryBundle(*data, width);
    if (!entries.ok()) {
      return absl::DataLossError(absl::StrCat("stored entry bundle ", EntryBundlePath(bundle),
                                              ": ", entries.status().message()));
    }
    state.bundle_ = *std::move(entries);
  }
  return state;
}

absl::StatusOr<RecoveredLog> RecoverLog(const LogReader& log, const NoteVerifier& log_key) {
  absl::StatusOr<StoredHead> head = OpenStoredHead(log, log_key);
  if (!head.ok()) return head.status();
  const uint64_t size = head->checkpoint.size;
  absl::StatusOr<TreeState> state = TreeState::Load(log, size);
  if (!state.ok()) return state.status();
  const Hash root = state->Root();
  if (root != head->checkpoint.root) {
    return absl::DataLossError(absl::StrCat(
        "stored tiles of tree size ", size, " have root ", HashToBase64(root),
        ", the signed checkpoint has root ", HashToBase64(head->checkpoint.root)));
  }
  return RecoveredLog{*std::move(head), *std::move(state)};
}

void TreeState::Append(absl::string_view entry, const Hash& leaf_hash, WriteSet* write) {
  const uint64_t index = range_.size();
  bundle_.emplace_back(entry);
  if (bundle_.size() == kTileWidth) {
    write->bundles.emplace_back(EntryBundleId{index / kTileWidth, kTileWidth},
                                *EncodeEntryBundle(bundle_));
    bundle_.clear();
  }
  range_.Append(leaf_hash, [&](NodeId id, const Hash& hash) {
    if (id.level % kTileHeight != 0) return;
    const uint8_t level = static_cast<uint8_t>(id.level / kTileHeight);
    std::vector<Hash>& row = rows_[level];
    row.push_back(hash);
    if (row.size() == kTileWidth) {
      write->tiles.emplace_back(TileId{level, id.index / kTileWidth, kTileWidth},
                                EncodeTileData(row));
      row.clear();
    }
  });
}

void TreeState::FinishBatch(uint64_t batch_start, WriteSet* write) const {
  const uint64_t new_size = size();
  for (uint8_t level = 0; level < kLevels; ++level) {
    const int shift = kTileHeight * level;
    if ((batch_start >> shift) == (new_size >> shift)) break;  // Higher levels are unchanged too.
    const std::vector<Hash>& row = rows_[level];
    if (row.empty()) continue;
    write->tiles.emplace_back(
        TileId{level, (new_size >> shift) / kTileWidth, static_cast<uint16_t>(row.size())},
        EncodeTileData(row));
  }
  if (!bundle_.empty() && batch_start != new_size) {
    write->bundles.emplace_back(
        EntryBundleId{new_size / kTileWidth, static_cast<uint16_t>(bundle_.size())},
        *EncodeEntryBundle(bundle_));
  }
  write->tree_size = new_size;
}

}  // namespace ledger
}  // namespace vellum
