#ifndef VELLUM_PROOF_INTERNAL_REFERENCE_TREE_H_
#define VELLUM_PROOF_INTERNAL_REFERENCE_TREE_H_

// A direct, recursive transcription of the RFC 6962 section 2.1 definitions (MTH, PATH, PROOF),
// written for clarity rather than speed, as the oracle for differential tests. Inputs are leaf
// hashes (HashLeaf of each entry), so MTH of a single leaf is its leaf hash. Test-only.

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "proof/hash.h"

namespace vellum {
namespace internal {

// MTH(D[n]): the root of the tree over `leaves`; EmptyRoot() for none.
Hash ReferenceRoot(absl::Span<const Hash> leaves);

// PATH(m, D[n]): the inclusion proof of leaf `index`. Requires index < leaves.size().
std::vector<Hash> ReferenceInclusionProof(uint64_t index, absl::Span<const Hash> leaves);

// PROOF(m, D[n]): the consistency proof from the first `size1` leaves to all of them. Requires
// size1 <= leaves.size(); returns the empty proof for size1 == 0 and size1 == leaves.size(),
// which the RFC leaves undefined.
std::vector<Hash> ReferenceConsistencyProof(uint64_t size1, absl::Span<const Hash> leaves);

// Leaf hashes for tests: HashLeaf of a distinct entry derived from `seed` and the leaf index.
std::vector<Hash> MakeLeaves(uint64_t count, uint64_t seed = 0);

}  // namespace internal
}  // namespace vellum

#endif  // VELLUM_PROOF_INTERNAL_REFERENCE_TREE_H_
