#ifndef VELLUM_LEDGER_LEAF_INDEX_H_
#define VELLUM_LEDGER_LEAF_INDEX_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "ledger/index_follower.h"
#include "ledger/index_store.h"
#include "proof/hash.h"

namespace vellum {
namespace ledger {

// The leaf-hash index: the smallest index of an entry with a given leaf hash. One record per leaf,
// "i/leaf/<leaf hash:32><index:8 big-endian>" with an empty value, so the first key with a hash's
// prefix holds its smallest index. Fed by an IndexFollower; the index covers only the leaves the
// follower has reached, and every answer says how far that is. Thread-safe.
class LeafHashIndex : public DerivedIndex {
 public:
  // `store` must outlive the index.
  explicit LeafHashIndex(const IndexStore* store) : store_(store) {}

  LeafHashIndex(const LeafHashIndex&) = delete;
  LeafHashIndex& operator=(const LeafHashIndex&) = delete;

  absl::Status Add(const CommittedLeaves& leaves, IndexRecords* records) override;

  struct Lookup {
    // Leaves [0, covered) are indexed.
    uint64_t covered = 0;
    // The smallest index of a leaf with the hash, if there is one below `covered`; then no
    // smaller one exists anywhere in the log.
    absl::optional<uint64_t> index;
  };
  absl::StatusOr<Lookup> Find(const Hash& leaf_hash) const;

 private:
  const IndexStore* const store_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_LEAF_INDEX_H_
