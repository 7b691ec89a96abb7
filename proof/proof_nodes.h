#ifndef VELLUM_PROOF_PROOF_NODES_H_
#define VELLUM_PROOF_PROOF_NODES_H_

// Proof generation as index arithmetic: which stored nodes an RFC 6962 / RFC 9162 inclusion or
// consistency proof needs, and how to turn their hashes into the proof. Fetching the hashes is the
// caller's job, through NodeReader.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proof/hash.h"
#include "proof/node_id.h"

namespace vellum {

// The stored nodes a proof needs. Every id is a perfect subtree node, as held in tiles.
//
// A proof hash that stands for an imperfect subtree on the tree's right edge has no stored node.
// It is represented by the perfect nodes that cover its leaves, ids[rehash_begin, rehash_end),
// listed lowest (rightmost) first; Rehash folds them into that one hash. There is at most one such
// range per proof, and it is either empty or holds at least two ids.
struct ProofNodes {
  std::vector<NodeId> ids;
  size_t rehash_begin = 0;
  size_t rehash_end = 0;

  // The number of hashes in the finished proof.
  size_t proof_size() const {
    return rehash_end - rehash_begin < 2 ? ids.size() : ids.size() - (rehash_end - rehash_begin) + 1;
  }

  // Turns the hashes of `ids` (same order) into the proof, bottom level first. Fails with
  // InvalidArgument if the number of hashes differs from ids.size(). Thread-safe.
  absl::StatusOr<std::vector<Hash>> Rehash(absl::Span<const Hash> hashes) const;
};

// The nodes for the inclusion proof (RFC 9162 section 2.1.3) of leaf `index` in the tree of `size`
// leaves. Fails with OutOfRange unless index < size. Thread-safe.
absl::StatusOr<ProofNodes> InclusionNodes(uint64_t index, uint64_t size);

// The nodes for the consistency proof (RFC 9162 section 2.1.4) from tree size `size1` to `size2`.
// Fails with InvalidArgument if size1 > size2. The proof is empty when size1 == size2 (the roots
// must simply be equal) and when size1 == 0 (the empty tree is a prefix of every tree); see
// VerifyConsistency for how those cases verify. Thread-safe.
absl::StatusOr<ProofNodes> ConsistencyNodes(uint64_t size1, uint64_t size2);

// Reads stored node hashes for proof generation; the ledger implements it over its tiles.
class NodeReader {
 public:
  virtual ~NodeReader() = default;

  // Returns the hashes of `ids`, in the same order. Every id is a perfect node of the tree the
  // proof is for. Errors are passed through to the caller of ProveInclusion/ProveConsistency.
  virtual absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId> ids) = 0;
};

// Returns the inclusion proof of leaf `index` in the tree of `size` leaves, reading nodes from
// `reader` (not called when the proof is empty). Fails with OutOfRange unless index < size, with
// Internal if `reader` returns the wrong number of hashes, and with the reader's error. Safe to
// call concurrently if `reader` is.
absl::StatusOr<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size,
                                                 NodeReader& reader);

// Returns the consistency proof from tree size `size1` to `size2` (empty when size1 == size2 or
// size1 == 0), reading nodes from `reader`. Fails with InvalidArgument if size1 > size2, with
// Internal if `reader` returns the wrong number of hashes, and with the reader's error. Safe to
// call concurrently if `reader` is.
absl::StatusOr<std::vector<Hash>> ProveConsistency(uint64_t size1, uint64_t size2,
                                                   NodeReader& reader);

}  // namespace vellum

#endif  // VELLUM_PROOF_PROOF_NODES_H_
