#ifndef VELLUM_PROOF_COMPACT_RANGE_H_
#define VELLUM_PROOF_COMPACT_RANGE_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proof/hash.h"
#include "proof/node_id.h"

namespace vellum {

// Returns the ids of the perfect subtrees that make up a tree of `size` leaves (its peaks), largest
// first: one per set bit of `size`. These are the hashes a CompactRange of that size holds.
// Thread-safe.
std::vector<NodeId> PeakNodes(uint64_t size);

// The compact Merkle range [0, size()): the hashes of the tree's peaks, enough to append leaves and
// compute the RFC 6962 root without the rest of the tree. It owns at most 64 hashes and does not
// allocate while appending. Thread-compatible.
class CompactRange {
 public:
  // Called once for every node an append completes, lowest level first, starting with the
  // appended leaf itself at level 0. `hash` is valid only during the call.
  using Visitor = absl::FunctionRef<void(NodeId id, const Hash& hash)>;

  // An empty range (size 0).
  CompactRange();

  // Resumes from stored state: `peaks` are the hashes of PeakNodes(size), largest first. Fails
  // with InvalidArgument unless there are exactly popcount(size) of them. The hashes themselves
  // cannot be checked here; compare Root() with a signed checkpoint for that.
  static absl::StatusOr<CompactRange> FromPeaks(uint64_t size, std::vector<Hash> peaks);

  // Appends the leaf with hash `leaf_hash` (HashLeaf of the entry) at index size(), and reports
  // the leaf and every node it completes to `visitor`. Requires size() < 2^64 - 1.
  void Append(const Hash& leaf_hash, Visitor visitor);
  void Append(const Hash& leaf_hash);

  // The RFC 6962 root of the tree of size() leaves; EmptyRoot() when size() is 0. Costs
  // popcount(size()) - 1 node hashes.
  Hash Root() const;

  uint64_t size() const { return size_; }

  // The peak hashes, largest subtree first, matching PeakNodes(size()).
  absl::Span<const Hash> hashes() const { return peaks_; }

 private:
  CompactRange(uint64_t size, std::vector<Hash> peaks);

  uint64_t size_;
  std::vector<Hash> peaks_;
};

}  // namespace vellum

#endif  // VELLUM_PROOF_COMPACT_RANGE_H_
