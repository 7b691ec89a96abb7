#ifndef VELLUM_LEDGER_PROVER_H_
#define VELLUM_LEDGER_PROVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/storage.h"
#include "proof/hash.h"

namespace vellum {
namespace ledger {

// Answers read queries from storage: proofs computed from tiles, entries from bundles. Every
// query names the tree size it is about, which must not exceed `committed_size`, the size of the
// latest checkpoint the caller has published. Thread-safe.
class Prover {
 public:
  // `storage` must outlive the prover.
  explicit Prover(const LogReader& storage) : storage_(storage) {}

  // The inclusion proof of leaf `index` in the tree of `size` leaves. InvalidArgument if size is
  // 0 or past committed_size; OutOfRange if index >= size.
  absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                   uint64_t committed_size) const;

  // The smallest index of an entry with `leaf_hash` in the tree of `size` leaves, or NotFound.
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
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PROVER_H_
