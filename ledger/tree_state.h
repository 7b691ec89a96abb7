#ifndef VELLUM_LEDGER_TREE_STATE_H_
#define VELLUM_LEDGER_TREE_STATE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ledger/storage.h"
#include "ledger/stored_head.h"
#include "proof/compact_range.h"
#include "proof/note.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {

// The right edge of the log held in memory: the compact range, the hashes of every level's
// partial tile, and the entries of the partial entry bundle. That is enough to extend the tree and
// produce every tile and bundle it changes without reading storage. Copyable, so the sequencer
// can keep the last committed state and drop a batch whose write failed. Thread-compatible.
class TreeState {
 public:
  // The empty tree.
  TreeState() = default;

  // Loads the state of the committed tree of `tree_size` leaves from its stored tiles and
  // bundle. Fails with DataLoss if any of them is missing or malformed.
  static absl::StatusOr<TreeState> Load(const LogReader& storage, uint64_t tree_size);

  // Appends one entry of a batch, whose leaf hash is `leaf_hash`, and adds to `write` the full
  // tiles and bundle it completes. Requires an entry of 0..65535 bytes.
  void Append(absl::string_view entry, const Hash& leaf_hash, WriteSet* write);

  // Ends a batch that started at tree size `batch_start`: adds to `write` the partial tiles and
  // the partial bundle whose width changed, and sets write->tree_size.
  void FinishBatch(uint64_t batch_start, WriteSet* write) const;

  uint64_t size() const { return range_.size(); }
  Hash Root() const { return range_.Root(); }

 private:
  // The number of tile levels a 64-bit tree can have.
  static constexpr int kLevels = 8;

  CompactRange range_;
  // rows_[L] holds the bottom row of level L's partial tile: fewer than 256 hashes.
  std::array<std::vector<Hash>, kLevels> rows_;
  // The entries of the partial bundle: fewer than 256.
  std::vector<std::string> bundle_;
};

// A stored log, opened and checked: its head and the tree state of its size.
struct RecoveredLog {
  StoredHead head;
  TreeState state;
};

// What opening a stored log checks, for every holder of a store that extends it: opens the stored
// checkpoint with `log_key` (OpenStoredHead), loads the tree state of its size from the stored
// tiles and bundle (TreeState::Load), and checks that the recomputed root is the checkpoint's
// (DataLoss "stored tiles of tree size N have root X, the signed checkpoint has root Y").
// Thread-safe when `log` is.
absl::StatusOr<RecoveredLog> RecoverLog(const LogReader& log, const NoteVerifier& log_key);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TREE_STATE_H_
