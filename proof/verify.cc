#include "proof/verify.h"

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace {

// x >> n, defined for every n (C++ leaves shifts by 64 or more undefined).
uint64_t ShiftRight(uint64_t x, int n) { return n >= 64 ? 0 : x >> n; }

// How an audit path for node `index`, at some level, splits in a tree whose last node at that
// level is `last`: `inner` hashes below the fork of the paths to `index` and to `last` (left or
// right siblings), then `border` left siblings along the right edge above it.
struct PathShape {
  int inner;
  int border;
};

PathShape ShapeOf(uint64_t index, uint64_t last) {
  const int inner = absl::bit_width(index ^ last);
  return PathShape{inner, absl::popcount(ShiftRight(index, inner))};
}

absl::Status WrongProofSize(size_t got, size_t want) {
  return absl::InvalidArgumentError(absl::StrCat("wrong proof size ", got, ", want ", want));
}

absl::Status CheckRoot(const Hash& got, const Hash& want) {
  if (got == want) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("root mismatch: got ", HashToBase64(got), ", want ", HashToBase64(want)));
}

// Hashes `seed`, the node `index` at some level, up through the `inner` part of its audit path.
Hash ChainInner(Hash seed, uint64_t index, absl::Span<const Hash> inner) {
  for (size_t i = 0; i < inner.size(); ++i) {
    seed = ((index >> i) & 1) ? HashChildren(inner[i], seed) : HashChildren(seed, inner[i]);
  }
  return seed;
}

// Like ChainInner, but skips right siblings: the result is the hash of the same subtree as it was
// when `index` was its last node.
Hash ChainInnerLeftOnly(Hash seed, uint64_t index, absl::Span<const Hash> inner) {
  for (size_t i = 0; i < inner.size(); ++i) {
    if ((index >> i) & 1) seed = HashChildren(inner[i], seed);
  }
  return seed;
}

Hash ChainBorder(Hash seed, absl::Span<const Hash> border) {
  for (const Hash& h : border) seed = HashChildren(h, seed);
  return seed;
}

}  // namespace

absl::StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                            absl::Span<const Hash> proof) {
  if (index >= size) {
    return absl::OutOfRangeError(absl::StrCat("index ", index, " is past tree size ", size));
  }
  const PathShape shape = ShapeOf(index, size - 1);
  const size_t want = shape.inner + shape.border;
  if (proof.size() != want) return WrongProofSize(proof.size(), want);
  return ChainBorder(ChainInner(leaf_hash, index, proof.subspan(0, shape.inner)),
                     proof.subspan(shape.inner));
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             absl::Span<const Hash> proof, const Hash& root) {
  absl::StatusOr<Hash> computed = RootFromInclusionProof(index, size, leaf_hash, proof);
  if (!computed.ok()) return computed.status();
  return CheckRoot(*computed, root);
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, absl::Span<const Hash> proof,
                               const Hash& root1, const Hash& root2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        absl::StrCat("size1 ", size1, " is greater than size2 ", size2));
  }
  if (size1 == 0 || size1 == size2) {
    if (!proof.empty()) return WrongProofSize(proof.size(), 0);
    if (size1 == 0) {
      if (absl::Status s = CheckRoot(root1, EmptyRoot()); !s.ok()) return s;
    }
    if (size1 == size2) return CheckRoot(root1, root2);
    return absl::OkStatus();
  }

  // The proof starts from the last peak of the size1 tree, node `index` at `level`, and is its
  // audit path in the size2 tree. That node is omitted when it is the size1 root itself.
  const int level = absl::countr_zero(size1);
  const uint64_t index = (size1 - 1) >> level;
  const PathShape shape = ShapeOf(index, (size2 - 1) >> level);
  const size_t seeded = index == 0 ? 0 : 1;
  const size_t want = seeded + shape.inner + shape.border;
  if (proof.size() != want) return WrongProofSize(proof.size(), want);

  const Hash& seed = seeded ? proof[0] : root1;
  const absl::Span<const Hash> path = proof.subspan(seeded);
  const absl::Span<const Hash> inner = path.subspan(0, shape.inner);
  const absl::Span<const Hash> border = path.subspan(shape.inner);

  // Left siblings alone rebuild the size1 root; with the right siblings they give the size2 root.
  if (absl::Status s = CheckRoot(ChainBorder(ChainInnerLeftOnly(seed, index, inner), border), root1);
      !s.ok()) {
    return s;
  }
  return CheckRoot(ChainBorder(ChainInner(seed, index, inner), border), root2);
}

}  // namespace vellum
