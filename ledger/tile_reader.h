#ifndef VELLUM_LEDGER_TILE_READER_H_
#define VELLUM_LEDGER_TILE_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ledger/storage.h"
#include "ledger/tile_cache.h"
#include "proof/proof_nodes.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {

// The hashes of `tile` as a log serves it, for readers that check what a log holds against what
// they recompute (the audit, the mirror): a partial tile that is NotFound is read as the prefix
// of the full tile of the same index that superseded it (c2sp.org/tlog-tiles lets a log delete
// superseded partials; every reader of tiles reads them so). Fails with DataLoss for malformed
// data ("tile/0/000: ..."), and with the reader's errors: NotFound (the partial tile's) when
// neither is held.
absl::StatusOr<std::vector<Hash>> ReadServedTile(const LogReader& log, const TileId& tile);

// The entries of `bundle` as a log serves it, read like ReadServedTile() reads tiles. DataLoss
// for malformed data ("tile/entries/000: ...").
absl::StatusOr<std::vector<std::string>> ReadServedBundle(const LogReader& log,
                                                          const EntryBundleId& bundle);

// The bottom row of `tile` as it exists in the committed tree of `tree_size` leaves: a partial tile
// that a later commit superseded is read from the full tile that replaced it. Fails with DataLoss
// if the tile is missing or malformed.
absl::StatusOr<std::vector<Hash>> ReadTileRow(const LogReader& storage, const TileId& tile,
                                              uint64_t tree_size);

// The leaf hashes of leaves [begin, end) of the committed tree of `tree_size` leaves, read from the
// level-0 tiles. Requires begin <= end <= tree_size. Fails as ReadTileRow().
absl::StatusOr<std::vector<Hash>> ReadLeafHashes(const LogReader& storage, uint64_t begin,
                                                 uint64_t end, uint64_t tree_size);

// The entries of entry bundle `bundle_index` of the tree of `tree_size` leaves, read from `log`
// (the full bundle when the partial one was superseded, cut to the tree size). Requires
// bundle_index * 256 < tree_size.
absl::StatusOr<std::vector<std::string>> ReadBundleEntries(const LogReader& log,
                                                           uint64_t bundle_index,
                                                           uint64_t tree_size);

// Reads Merkle tree nodes from the stored tiles of a tree of `tree_size` leaves. Any committed
// size works (ReadTileRow). Each tile is read and expanded (ExpandedTile) once per reader, or taken from a
// shared TileCache, so one reader serves one proof, a group of proofs at the same size, or a scan.
// Thread-compatible.
class TileNodeReader : public NodeReader {
 public:
  // `storage`, and `cache` unless it is nullptr, must outlive the reader.
  TileNodeReader(const LogReader& storage, uint64_t tree_size, TileCache* cache = nullptr);

  TileNodeReader(const TileNodeReader&) = delete;
  TileNodeReader& operator=(const TileNodeReader&) = delete;

  absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId> ids) override;

  // The hash of one perfect node of the tree. Fails with OutOfRange if the node is not complete
  // at tree_size, and with DataLoss if a tile it needs is missing or malformed.
  absl::StatusOr<Hash> ReadNode(NodeId id);

  // `tile` as it exists at tree_size, expanded. DataLoss if missing or malformed.
  absl::StatusOr<std::shared_ptr<const ExpandedTile>> ReadTile(const TileId& tile);

 private:
  // As ReadNode(), pointing into the reader's expanded tile; valid as long as the reader.
  absl::StatusOr<const Hash*> Node(NodeId id);
  // As ReadTile(), without copying the shared pointer; valid as long as the reader.
  absl::StatusOr<const ExpandedTile*> Tile(const TileId& tile);

  const LogReader& storage_;
  const uint64_t tree_size_;
  TileCache* const cache_;
  absl::flat_hash_map<TileId, std::shared_ptr<const ExpandedTile>> tiles_;
  // The tile of the last node read, held in tiles_; nullptr before the first.
  TileId last_tile_id_{};
  const ExpandedTile* last_tile_ = nullptr;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TILE_READER_H_
