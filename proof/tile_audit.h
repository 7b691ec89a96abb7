#ifndef VELLUM_PROOF_TILE_AUDIT_H_
#define VELLUM_PROOF_TILE_AUDIT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "proof/hash.h"
#include "proof/tile.h"

namespace vellum {

// The recomputation behind a full audit of a log (c2sp.org/tlog-tiles): from the entries of
// every entry bundle, in order, it recomputes each leaf hash, the bottom row of each level-0
// tile, each tile of a higher level from the roots of the tiles below, and the tree's root from
// the tiles, and compares every tile the log serves with the recomputed one. The caller reads
// the entries and the served tiles; this does no I/O. Streams level by level: holds at most one
// row of 256 hashes per tile level, and costs about two hashes per entry. Thread-compatible.
//
//   TileAuditor auditor(size);
//   for each bundle index N: auditor.AddBundle(entries of bundle N at `size`);
//     while (auditor.pending()) auditor.CheckServed(served hashes of *auditor.pending());
//   auditor.CheckRoot(checkpoint root);
class TileAuditor {
 public:
  explicit TileAuditor(uint64_t tree_size);

  // The tile whose recomputed bottom row is complete and waits for CheckServed(), if any.
  const absl::optional<TileId>& pending() const { return pending_; }

  // Feeds the entries of the next entry bundle (bundle 0 first), TileWidth(0, N, tree_size) of
  // them: their leaf hashes are the bottom row of level-0 tile N, which becomes pending().
  // FailedPrecondition while a tile is pending, and InvalidArgument for the wrong number of
  // entries or a bundle past the tree.
  absl::Status AddBundle(absl::Span<const std::string> entries);

  // Compares the bottom row the log serves for pending() with the recomputed one: DataLoss on
  // the first difference ("tile/0/x001/234 hash 17: got <served>, want <recomputed> (the leaf
  // hash of entry 1234017)", or "(the root of tile/0/...)" above level 0). A full tile's root then
  // joins the row of the level above, which may make that tile pending. FailedPrecondition when
  // no tile is pending, InvalidArgument unless `served` has the pending tile's width.
  absl::Status CheckServed(absl::Span<const Hash> served);

  // After every bundle and tile: the root of the tree from the checked partial tiles, which
  // must be `want` (DataLoss "root of tree size N from the tiles: got ..., want the
  // checkpoint's ..."). Internal if bundles or tiles are unchecked.
  absl::StatusOr<Hash> CheckRoot(const Hash& want) const;

  // Tiles checked so far.
  uint64_t tiles() const { return tiles_; }

 private:
  static constexpr size_t kLevels = 8;

  // Adds the recomputed `hash` to level `level`'s row; a complete row becomes pending().
  absl::Status AddHash(size_t level, const Hash& hash);
  absl::StatusOr<Hash> Root() const;

  const uint64_t tree_size_;
  uint64_t tiles_ = 0;
  uint64_t next_bundle_ = 0;
  absl::optional<TileId> pending_;
  std::vector<Hash> pending_row_;
  // rows_[L]: the recomputed bottom row of the next tile of level L >= 1, as far as known.
  std::array<std::vector<Hash>, kLevels> rows_;
  std::array<uint64_t, kLevels> next_index_{};
  // partial_rows_[L]: the checked bottom row of level L's partial tile.
  std::array<std::vector<Hash>, kLevels> partial_rows_;
};

}  // namespace vellum

#endif  // VELLUM_PROOF_TILE_AUDIT_H_
