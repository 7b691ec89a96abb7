#ifndef VELLUM_PROOF_VERIFY_H_
#define VELLUM_PROOF_VERIFY_H_

// Verification of RFC 6962 / RFC 9162 inclusion and consistency proofs. Depends on hashing alone,
// so that verifiers can vendor it. All functions are pure and thread-safe.
//
// Errors carry the numbers: OutOfRange for "index 8 is past tree size 8"; InvalidArgument for
// "wrong proof size 3, want 4", for size1 > size2, and for "root mismatch: got <b64>, want <b64>",
// where "got" is the root the proof leads to and "want" the one the caller trusts.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proof/hash.h"

namespace vellum {

// Returns the root that `proof` leads to from leaf `index`, with hash `leaf_hash`, in a tree of
// `size` leaves. Fails with OutOfRange unless index < size, and with InvalidArgument if the proof
// does not have exactly the length such a proof has.
absl::StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                            absl::Span<const Hash> proof);

// Checks that `proof` shows leaf `index`, with hash `leaf_hash`, in the tree of `size` leaves
// whose root is `root`. Errors as RootFromInclusionProof, plus InvalidArgument on a root mismatch.
absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             absl::Span<const Hash> proof, const Hash& root);

// Checks that `proof` shows the tree of `size1` leaves with root `root1` to be a prefix of the
// tree of `size2` leaves with root `root2`. Fails with InvalidArgument if size1 > size2, if the
// proof length is wrong, or on a root mismatch (root1 is checked before root2).
//
// Edge cases, as RFC 9162 and transparency-dev/merkle treat them:
//  - size1 == size2 needs an empty proof and root1 == root2.
//  - 0 < size1 < size2 needs a non-empty proof, of a length fixed by the two sizes.
//  - size1 == 0 needs an empty proof, as c2sp.org/tlog-witness requires for "old 0", and
//    root1 == EmptyRoot(); root2 is then unconstrained unless size2 is 0 too. transparency-dev's
//    current verifier and Go's tlog.CheckTree reject size1 == 0 outright instead.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, absl::Span<const Hash> proof,
                               const Hash& root1, const Hash& root2);

}  // namespace vellum

#endif  // VELLUM_PROOF_VERIFY_H_
