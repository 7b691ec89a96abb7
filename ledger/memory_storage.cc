#include "ledger/memory_storage.h"

#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

absl::StatusOr<std::pair<uint64_t, std::string>> MemoryStorage::ReadCheckpoint() const {
  absl::MutexLock lock(&mu_);
  return std::make_pair(tree_size_, checkpoint_);
}

absl::StatusOr<std::string> MemoryStorage::ReadTile(const TileId& tile) const {
  absl::MutexLock lock(&mu_);
  auto it = tiles_.find({tile.level, tile.index, tile.width});
  if (it == tiles_.end()) return absl::NotFoundError(absl::StrCat(TilePath(tile), " not found"));
  return it->second;
}

absl::StatusOr<std::string> MemoryStorage::ReadEntryBundle(const EntryBundleId& bundle) const {
  absl::MutexLock lock(&mu_);
  auto it = bundles_.find({bundle.index, bundle.width});
  if (it == bundles_.end()) {
    return absl::NotFoundError(absl::StrCat(EntryBundlePath(bundle), " not found"));
  }
  return it->second;
}

absl::StatusOr<IdempotencyRecord> MemoryStorage::ReadIdempotencyKey(
    absl::string_view key) const {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(key);
  if (it == keys_.end()) return absl::NotFoundError("idempotency key not found");
  return it->second;
}

absl::Status MemoryStorage::Commit(const WriteSet& write) {
  absl::MutexLock lock(&mu_);
  if (write.tree_size <= tree_size_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "commit of tree size ", write.tree_size, ", want more than the stored ", tree_size_));
  }
  for (const auto& [tile, data] : write.tiles) {
    if (tile.is_full()) {
      tiles_.erase(tiles_.lower_bound({tile.level, tile.index, 0}),
                   tiles_.lower_bound({tile.level, tile.index, kTileWidth}));
    }
    tiles_[{tile.level, tile.index, tile.width}] = data;
  }
  for (const auto& [bundle, data] : write.bundles) {
    if (bundle.is_full()) {
      bundles_.erase(bundles_.lower_bound({bundle.index, 0}),
                     bundles_.lower_bound({bundle.index, kTileWidth}));
    }
    bundles_[{bundle.index, bundle.width}] = data;
  }
  for (const auto& [key, record] : write.idempotency_keys) keys_[key] = record;
  tree_size_ = write.tree_size;
  checkpoint_ = write.checkpoint;
  return absl::OkStatus();
}

}  // namespace ledger
}  // namespace vellum
