#ifndef VELLUM_LEDGER_TILE_READER_H_
#define VELLUM_LEDGER_TILE_READER_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ledger/storage.h"
#include "proof/proof_nodes.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {

// Reads Merkle tree nodes from the stored tiles of a tree of `tree_size` leaves, recomputing the
// nodes between tile levels. Any committed size works: a partial tile that a later commit
// superseded is read from the full tile that replaced it. Caches the tiles it reads, so one
// reader serves one proof or one scan. Thread-compatible.
class TileNodeReader : public NodeReader {
 public:
  // `storage` must outlive the reader.
  TileNodeReader(const LogReader& storage, uint64_t tree_size);

  TileNodeReader(const TileNodeReader&) = delete;
  TileNodeReader& operator=(const TileNodeReader&) = delete;

  absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId> ids) override;

  // The hash of one perfect node of the tree. Fails with OutOfRange if the node is not complete
  // at tree_size, and with DataLoss if a tile it needs is missing or malformed.
  absl::StatusOr<Hash> ReadNode(NodeId id);

  // The bottom-row hashes of `tile` as it exists at tree_size. DataLoss if missing or malformed.
  absl::StatusOr<const std::vector<Hash>*> ReadTile(const TileId& tile);

 private:
  const LogReader& storage_;
  const uint64_t tree_size_;
  absl::flat_hash_map<TileId, std::vector<Hash>> cache_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TILE_READER_H_
