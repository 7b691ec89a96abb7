#ifndef VELLUM_LEDGER_PROVER_H_
#define VELLUM_LEDGER_PROVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ledger/leaf_index.h"
#include "ledger/storage.h"
#include "ledger/tile_cache.h"
#include "proof/hash.h"

namespace vellum {
namespace ledger {

struct ProverOptions {
  // Expanded tiles shared across queries; nullptr expands the tiles of each query anew. Not owned.
  TileCache* tile_cache = nullptr;
  // Look-ups by leaf hash ask this index about the leaves it covers and search the level-0 tiles
  // for the rest, which must then be at most max_leaf_scan leaves. nullptr searches the tiles
  // alone. Not owned.
  const LeafHashIndex* leaf_index = nullptr;
  uint64_t max_leaf_scan = 65536;
};

// Answers read queries from storage: proofs computed from tiles, entries from bundles. Every
// query names the tree size it is about, which must not exceed `committed_size`, the size of the
// latest checkpoint the caller has published. Thread-safe.
class Prover {
 public:
  // `storage`, and what `options` points to, must outlive the prover.
  explicit Prover(const LogReader& storage, const ProverOptions& options = {})
      : storage_(storage), options_(options) {}

  // The inclusion proof of leaf `index` in the tree of `size` leaves. InvalidArgument if size is
  // 0 or past committed_size; OutOfRange if index >= size.
  absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                   uint64_t committed_size) const;

  // The inclusion proofs of leaves `indices` in the tree of `size` leaves, computed together:
  // each tile they need is read and expanded once. Fails as InclusionProof() on the first index
  // that fails.
  absl::StatusOr<std::vector<std::vector<Hash>>> InclusionProofs(
      absl::Span<const uint64_t> indices, uint64_t size, uint64_t committed_size) const;

  // The smallest index of an entry with `leaf_hash` in the tree of `size` leaves, or NotFound.
  // Unavailable if the leaf-hash index is more than max_leaf_scan leaves behind `size`.
  absl::StatusOr<uint64_t> FindLeaf(const Hash& leaf_hash, uint64_t size,
                                    uint64_t committed_size) const;

  // The consistency proof from tree size `from` to `to`. InvalidArgument if from > to or `to`
  // is past committed_size.
  absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to,
                                                     uint64_t committed_size) const;

  // The entry at `index`. OutOfRange if index >= committed_size.
  absl::StatusOr<std::string> Entry(uint64_t index, uint64_t committed_size) const;

 private:
  const LogReader& storage_;
  const ProverOptions options_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PROVER_H_
