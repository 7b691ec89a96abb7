#include "proof/internal/reference_tree.h"

#include "absl/strings/str_cat.h"

namespace vellum {
namespace internal {
namespace {

// The largest power of two smaller than n. Requires n > 1.
size_t SplitPoint(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

void Path(uint64_t m, absl::Span<const Hash> d, std::vector<Hash>* out) {
  const size_t n = d.size();
  if (n == 1) return;
  const size_t k = SplitPoint(n);
  if (m < k) {
    Path(m, d.subspan(0, k), out);
    out->push_back(ReferenceRoot(d.subspan(k)));
  } else {
    Path(m - k, d.subspan(k), out);
    out->push_back(ReferenceRoot(d.subspan(0, k)));
  }
}

void Subproof(uint64_t m, absl::Span<const Hash> d, bool b, std::vector<Hash>* out) {
  const size_t n = d.size();
  if (m == n) {
    if (!b) out->push_back(ReferenceRoot(d));
    return;
  }
  const size_t k = SplitPoint(n);
  if (m <= k) {
    Subproof(m, d.subspan(0, k), b, out);
    out->push_back(ReferenceRoot(d.subspan(k)));
  } else {
    Subproof(m - k, d.subspan(k), false, out);
    out->push_back(ReferenceRoot(d.subspan(0, k)));
  }
}

}  // namespace

Hash ReferenceRoot(absl::Span<const Hash> leaves) {
  const size_t n = leaves.size();
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaves[0];
  const size_t k = SplitPoint(n);
  return HashChildren(ReferenceRoot(leaves.subspan(0, k)), ReferenceRoot(leaves.subspan(k)));
}

std::vector<Hash> ReferenceInclusionProof(uint64_t index, absl::Span<const Hash> leaves) {
  std::vector<Hash> proof;
  Path(index, leaves, &proof);
  return proof;
}

std::vector<Hash> ReferenceConsistencyProof(uint64_t size1, absl::Span<const Hash> leaves) {
  std::vector<Hash> proof;
  if (size1 == 0 || size1 == leaves.size()) return proof;
  Subproof(size1, leaves, true, &proof);
  return proof;
}

std::vector<Hash> MakeLeaves(uint64_t count, uint64_t seed) {
  std::vector<Hash> leaves;
  leaves.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    leaves.push_back(HashLeaf(absl::StrCat("entry ", seed, "/", i)));
  }
  return leaves;
}

}  // namespace internal
}  // namespace vellum
