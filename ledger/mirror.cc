#include "ledger/mirror.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ledger/prover.h"
#include "ledger/tile_reader.h"
#include "proof/tile.h"
#include "proof/verify.h"

namespace vellum {
namespace ledger {

absl::StatusOr<std::unique_ptr<Mirror>> Mirror::Open(absl::string_view dir,
                                                     const NoteVerifier& log_key) {
  absl::StatusOr<std::unique_ptr<LevelDbStorage>> storage =
      LevelDbStorage::Open(dir, LevelDbStorage::Options());
  if (!storage.ok()) return storage.status();
  absl::StatusOr<RecoveredLog> recovered = RecoverLog(**storage, log_key);
  if (!recovered.ok()) return recovered.status();
  return std::unique_ptr<Mirror>(new Mirror(*std::move(storage), std::move(recovered->state),
                                            std::move(recovered->head.checkpoint),
                                            std::move(recovered->head.note)));
}

absl::StatusOr<PrefixProof> Mirror::Prefix(uint64_t size) const {
  const uint64_t n = checkpoint_.size;
  if (size > n) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", size, " is past the mirror's size ", n));
  }
  PrefixProof prefix;
  prefix.size = size;
  if (size == 0) {
    prefix.root = EmptyRoot();
    return prefix;
  }
  Prover prover(*storage_);
  // The root at `size` is where the inclusion proof of its last leaf leads.
  absl::StatusOr<std::string> last = prover.Entry(size - 1, n);
  if (!last.ok()) return last.status();
  absl::StatusOr<std::vector<Hash>> path = prover.InclusionProof(size - 1, size, n);
  if (!path.ok()) return path.status();
  absl::StatusOr<Hash> root = RootFromInclusionProof(size - 1, size, HashLeaf(*last), *path);
  if (!root.ok()) return root.status();
  prefix.root = *root;
  absl::StatusOr<std::vector<Hash>> proof = prover.ConsistencyProof(size, n, n);
  if (!proof.ok()) return proof.status();
  prefix.consistency = *std::move(proof);
  return prefix;
}

absl::Status Mirror::Extend(const LogReader& log, const Checkpoint& checkpoint,
                            absl::string_view note) {
  const uint64_t old_size = checkpoint_.size;
  const uint64_t new_size = checkpoint.size;
  if (new_size <= old_size) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the mirror is at tree size ", old_size, ", want a checkpoint past it, got ", new_size));
  }
  TreeState state = state_;
  WriteSet write;
  // The served bundles, as the log has them at new_size, by index.
  absl::flat_hash_map<uint64_t, std::vector<std::string>> served;
  for (uint64_t index = old_size / kTileWidth; index * kTileWidth < new_size; ++index) {
    const EntryBundleId bundle{index, TileWidth(0, index, new_size)};
    absl::StatusOr<std::vector<std::string>> entries = ReadServedBundle(log, bundle);
    if (!entries.ok()) return entries.status();
    const uint64_t first = std::max(old_size, index * kTileWidth) - index * kTileWidth;
    for (uint64_t i = first; i < entries->size(); ++i) {
      const std::string& entry = (*entries)[i];
      state.Append(entry, HashLeaf(entry), &write);
    }
    served.emplace(index, *std::move(entries));
  }
  state.FinishBatch(old_size, &write);

  // Every bundle the grown tree writes holds the mirror's old entries (if the bundle was
  // partial) and the served new ones: the log must serve the same bundle.
  for (const auto& [bundle, data] : write.bundles) {
    absl::StatusOr<std::vector<std::string>> want = ParseEntryBundle(data, bundle.width);
    if (!want.ok()) return want.status();
    const std::vector<std::string>& got = served[bundle.index];
    for (size_t i = 0; i < want->size(); ++i) {
      if (i >= got.size() || got[i] != (*want)[i]) {
        const uint64_t entry = bundle.index * kTileWidth + i;
        return absl::DataLossError(absl::StrCat(
            EntryBundlePath(bundle), " entry ", entry, ": got leaf hash ",
            i < got.size() ? HashToBase64(HashLeaf(got[i])) : "none", ", want ",
            HashToBase64(HashLeaf((*want)[i])), " (the mirror's entry at tree size ", old_size,
            ")"));
      }
    }
  }
  for (const auto& [tile, data] : write.tiles) {
    absl::StatusOr<std::vector<Hash>> want = ParseTileData(data, tile.width);
    if (!want.ok()) return want.status();
    absl::StatusOr<std::vector<Hash>> got = ReadServedTile(log, tile);
    if (!got.ok()) return got.status();
    for (size_t i = 0; i < want->size(); ++i) {
      if ((*got)[i] != (*want)[i]) {
        return absl::DataLossError(absl::StrCat(TilePath(tile), " hash ", i, ": got ",
                                                HashToBase64((*got)[i]), ", want ",
                                                HashToBase64((*want)[i]),
                                                " (recomputed from the entries)"));
      }
    }
  }
  if (state.Root() != checkpoint.root) {
    return absl::DataLossError(absl::StrCat(
        "root of tree size ", new_size, ": the checkpoint has ", HashToBase64(checkpoint.root),
        ", want ", HashToBase64(state.Root()),
        " recomputed from the mirror and the served entries"));
  }
  write.checkpoint = std::string(note);
  if (absl::Status s = storage_->Commit(write); !s.ok()) {
    return absl::InternalError(absl::StrCat("the mirror's store: ", s.message()));
  }
  state_ = std::move(state);
  checkpoint_ = checkpoint;
  note_ = std::string(note);
  return absl::OkStatus();
}

}  // namespace ledger
}  // namespace vellum
