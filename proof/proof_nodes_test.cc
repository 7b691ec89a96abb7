#include "proof/proof_nodes.h"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <utility>
#include <vector>

#include "absl/random/distributions.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/compact_range.h"
#include "proof/hash.h"
#include "proof/internal/reference_tree.h"
#include "proof/node_id.h"
#include "proof/verify.h"

namespace vellum {
namespace {

using internal::MakeLeaves;
using internal::ReferenceConsistencyProof;
using internal::ReferenceInclusionProof;
using internal::ReferenceRoot;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr uint64_t kExhaustiveSize = 70;
constexpr uint64_t kSeed = 0x70726f6f66;  // Fixed, printed, so failures reproduce.

// Serves the perfect nodes of a tree built with CompactRange, as the ledger serves them from tiles,
// and refuses any node that is not complete within `limit` leaves.
class TreeReader : public NodeReader {
 public:
  explicit TreeReader(absl::Span<const Hash> leaves) {
    CompactRange range;
    for (const Hash& leaf : leaves) {
      range.Append(leaf, [&](NodeId id, const Hash& hash) {
        if (levels_.size() <= id.level) levels_.resize(id.level + 1);
        EXPECT_EQ(levels_[id.level].size(), id.index) << "nodes must complete in order";
        levels_[id.level].push_back(hash);
      });
    }
  }

  void set_limit(uint64_t limit) { limit_ = limit; }
  int calls() const { return calls_; }

  absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId> ids) override {
    ++calls_;
    std::vector<Hash> hashes;
    for (const NodeId& id : ids) {
      if (((id.index + 1) << id.level) > limit_ || id.level >= levels_.size() ||
          id.index >= levels_[id.level].size()) {
        return absl::NotFoundError(absl::StrCat("node ", id.level, "/", id.index));
      }
      hashes.push_back(levels_[id.level][id.index]);
    }
    return hashes;
  }

 private:
  std::vector<std::vector<Hash>> levels_;
  uint64_t limit_ = UINT64_MAX;
  int calls_ = 0;
};

// Checks that `ids`, plus the leaf range `[extra_begin, extra_end)`, are perfect nodes tiling
// [0, size) exactly, and that the rehash range is well formed.
void ExpectTiling(const ProofNodes& nodes, uint64_t extra_begin, uint64_t extra_end, uint64_t size) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  if (extra_begin < extra_end) ranges.emplace_back(extra_begin, extra_end);
  for (const NodeId& id : nodes.ids) {
    ASSERT_LT(id.level, 64u) << id;
    const uint64_t begin = id.index << id.level;
    const uint64_t length = uint64_t{1} << id.level;
    ASSERT_EQ(begin >> id.level, id.index) << id << " overflows";
    ASSERT_LE(begin, size) << id;
    ASSERT_LE(length, size - begin) << id << " is not complete in size " << size;
    ranges.emplace_back(begin, begin + length);
  }
  std::sort(ranges.begin(), ranges.end());
  uint64_t covered = 0;
  for (const auto& [begin, end] : ranges) {
    ASSERT_EQ(begin, covered) << "gap or overlap in a tree of size " << size;
    covered = end;
  }
  ASSERT_EQ(covered, size);

  ASSERT_LE(nodes.rehash_begin, nodes.rehash_end);
  ASSERT_LE(nodes.rehash_end, nodes.ids.size());
  ASSERT_NE(nodes.rehash_end - nodes.rehash_begin, 1u);
  if (nodes.rehash_begin < nodes.rehash_end) {
    // The folded nodes cover one contiguous range, listed from the right.
    for (size_t i = nodes.rehash_begin + 1; i < nodes.rehash_end; ++i) {
      const NodeId& right = nodes.ids[i - 1];
      const NodeId& left = nodes.ids[i];
      ASSERT_EQ((left.index + 1) << left.level, right.index << right.level);
      ASSERT_LT(right.level, left.level);
    }
  }
}

void ExpectInclusionShape(uint64_t index, uint64_t size) {
  SCOPED_TRACE(absl::StrCat("inclusion of ", index, " in ", size));
  absl::StatusOr<ProofNodes> nodes = InclusionNodes(index, size);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  ExpectTiling(*nodes, index, index + 1, size);
  // The verifier must agree on the proof length.
  const std::vector<Hash> dummy(nodes->proof_size());
  EXPECT_TRUE(RootFromInclusionProof(index, size, Hash{}, dummy).ok());
}

void ExpectConsistencyShape(uint64_t size1, uint64_t size2) {
  SCOPED_TRACE(absl::StrCat("consistency from ", size1, " to ", size2));
  absl::StatusOr<ProofNodes> nodes = ConsistencyNodes(size1, size2);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  if (size1 == 0 || size1 == size2) {
    EXPECT_THAT(nodes->ids, IsEmpty());
    return;
  }
  // When size1 is a power of two its root is the verifier's own, not part of the proof.
  const bool power_of_two = (size1 & (size1 - 1)) == 0;
  ExpectTiling(*nodes, 0, power_of_two ? size1 : 0, size2);
  // The verifier must agree on the proof length: a dummy proof of it gets past the length check.
  const std::vector<Hash> dummy(nodes->proof_size());
  absl::Status s = VerifyConsistency(size1, size2, dummy, Hash{}, Hash{});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith("root mismatch: "));
}

TEST(ProofNodesTest, InclusionErrors) {
  absl::StatusOr<ProofNodes> nodes = InclusionNodes(7, 5);
  EXPECT_EQ(nodes.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(nodes.status().message(), "index 7 is past tree size 5");

  nodes = InclusionNodes(5, 5);
  EXPECT_EQ(nodes.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(nodes.status().message(), "index 5 is past tree size 5");

  nodes = InclusionNodes(0, 0);
  EXPECT_EQ(nodes.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(nodes.status().message(), "index 0 is past tree size 0");
}

TEST(ProofNodesTest, ConsistencyErrorsAndEmptyProofs) {
  absl::StatusOr<ProofNodes> nodes = ConsistencyNodes(9, 8);
  EXPECT_EQ(nodes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nodes.status().message(), "size1 9 is greater than size2 8");

  for (auto [size1, size2] : {std::pair<uint64_t, uint64_t>{0, 0},
                              {0, 1},
                              {0, 1000},
                              {1, 1},
                              {1000, 1000},
                              {UINT64_MAX, UINT64_MAX}}) {
    nodes = ConsistencyNodes(size1, size2);
    ASSERT_TRUE(nodes.ok()) << nodes.status();
    EXPECT_THAT(nodes->ids, IsEmpty()) << size1 << " " << size2;
    EXPECT_EQ(nodes->proof_size(), 0u);
  }
}

// Worked examples, checked by hand against RFC 9162's definitions.
TEST(ProofNodesTest, KnownShapes) {
  // Leaf 2 of 5: leaf 3, node [0,2), then the lone leaf 4 standing for [4,5).
  absl::StatusOr<ProofNodes> nodes = InclusionNodes(2, 5);
  ASSERT_TRUE(nodes.ok());
  EXPECT_THAT(nodes->ids, ElementsAreArray({NodeId{0, 3}, NodeId{1, 0}, NodeId{0, 4}}));
  EXPECT_EQ(nodes->rehash_begin, nodes->rehash_end);

  // Leaf 0 of 7: [4,7) is imperfect and folds from leaf 6 and node [4,6).
  nodes = InclusionNodes(0, 7);
  ASSERT_TRUE(nodes.ok());
  EXPECT_THAT(nodes->ids,
              ElementsAreArray({NodeId{0, 1}, NodeId{1, 1}, NodeId{0, 6}, NodeId{1, 2}}));
  EXPECT_EQ(nodes->rehash_begin, 2u);
  EXPECT_EQ(nodes->rehash_end, 4u);
  EXPECT_EQ(nodes->proof_size(), 3u);

  // Leaf 6 of 7: leaf 6 is alone at the right edge; its proof is the left peaks, bottom up.
  nodes = InclusionNodes(6, 7);
  ASSERT_TRUE(nodes.ok());
  EXPECT_THAT(nodes->ids, ElementsAreArray({NodeId{1, 2}, NodeId{2, 0}}));

  // 6 to 8: the size-6 tree's last peak [4,6), its sibling [6,8), then [0,4).
  nodes = ConsistencyNodes(6, 8);
  ASSERT_TRUE(nodes.ok());
  EXPECT_THAT(nodes->ids, ElementsAreArray({NodeId{1, 2}, NodeId{1, 3}, NodeId{2, 0}}));

  // 4 to 7: size 4 is a power of two, so its root is omitted; [4,7) folds from two nodes.
  nodes = ConsistencyNodes(4, 7);
  ASSERT_TRUE(nodes.ok());
  EXPECT_THAT(nodes->ids, ElementsAreArray({NodeId{0, 6}, NodeId{1, 2}}));
  EXPECT_EQ(nodes->rehash_begin, 0u);
  EXPECT_EQ(nodes->rehash_end, 2u);
  EXPECT_EQ(nodes->proof_size(), 1u);
}

TEST(ProofNodesTest, InclusionMatchesReferenceExhaustively) {
  const std::vector<Hash> leaves = MakeLeaves(kExhaustiveSize);
  TreeReader reader(leaves);
  for (uint64_t size = 1; size <= kExhaustiveSize; ++size) {
    const absl::Span<const Hash> tree = absl::MakeConstSpan(leaves).subspan(0, size);
    const Hash root = ReferenceRoot(tree);
    reader.set_limit(size);
    for (uint64_t index = 0; index < size; ++index) {
      ExpectInclusionShape(index, size);
      absl::StatusOr<std::vector<Hash>> proof = ProveInclusion(index, size, reader);
      ASSERT_TRUE(proof.ok()) << proof.status() << " index " << index << " size " << size;
      ASSERT_EQ(*proof, ReferenceInclusionProof(index, tree))
          << "index " << index << " size " << size;
      ASSERT_TRUE(VerifyInclusion(index, size, leaves[index], *proof, root).ok());
    }
  }
}

TEST(ProofNodesTest, ConsistencyMatchesReferenceExhaustively) {
  const std::vector<Hash> leaves = MakeLeaves(kExhaustiveSize);
  TreeReader reader(leaves);
  std::vector<Hash> roots;
  for (uint64_t size = 0; size <= kExhaustiveSize; ++size) {
    roots.push_back(ReferenceRoot(absl::MakeConstSpan(leaves).subspan(0, size)));
  }
  for (uint64_t size2 = 0; size2 <= kExhaustiveSize; ++size2) {
    const absl::Span<const Hash> tree = absl::MakeConstSpan(leaves).subspan(0, size2);
    reader.set_limit(size2);
    for (uint64_t size1 = 0; size1 <= size2; ++size1) {
      ExpectConsistencyShape(size1, size2);
      absl::StatusOr<std::vector<Hash>> proof = ProveConsistency(size1, size2, reader);
      ASSERT_TRUE(proof.ok()) << proof.status() << " " << size1 << " -> " << size2;
      ASSERT_EQ(*proof, ReferenceConsistencyProof(size1, tree)) << size1 << " -> " << size2;
      ASSERT_TRUE(VerifyConsistency(size1, size2, *proof, roots[size1], roots[size2]).ok())
          << size1 << " -> " << size2;
    }
  }
}

TEST(ProofNodesTest, RandomProofsOnLargerTreeMatchReference) {
  std::cout << "random seed: " << kSeed << std::endl;
  std::mt19937_64 gen(kSeed);
  constexpr uint64_t kLeaves = 3000;
  const std::vector<Hash> leaves = MakeLeaves(kLeaves, /*seed=*/2);
  TreeReader reader(leaves);
  for (int i = 0; i < 150; ++i) {
    const uint64_t size = absl::Uniform<uint64_t>(absl::IntervalClosed, gen, 1, kLeaves);
    const uint64_t index = absl::Uniform<uint64_t>(gen, 0, size);
    const absl::Span<const Hash> tree = absl::MakeConstSpan(leaves).subspan(0, size);
    reader.set_limit(size);
    absl::StatusOr<std::vector<Hash>> proof = ProveInclusion(index, size, reader);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(*proof, ReferenceInclusionProof(index, tree))
        << "index " << index << " size " << size << " (seed " << kSeed << ")";

    const uint64_t size1 = absl::Uniform<uint64_t>(absl::IntervalClosed, gen, 0, size);
    proof = ProveConsistency(size1, size, reader);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(*proof, ReferenceConsistencyProof(size1, tree))
        << size1 << " -> " << size << " (seed " << kSeed << ")";
  }
}

// Sizes far beyond what can be hashed: check the index math alone, including near 2^64.
TEST(ProofNodesTest, RandomHugeSizesTileTheTree) {
  std::cout << "random seed: " << kSeed << std::endl;
  std::mt19937_64 gen(kSeed);
  std::vector<uint64_t> sizes = {UINT64_MAX,           UINT64_MAX - 1,      uint64_t{1} << 63,
                                 (uint64_t{1} << 63) + 1, (uint64_t{1} << 63) - 1, 1000000};
  for (int i = 0; i < 200; ++i) {
    // Vary the bit length too, so that small and large trees are both drawn.
    const int bits = absl::Uniform<int>(absl::IntervalClosed, gen, 1, 64);
    sizes.push_back(std::max<uint64_t>(1, gen() >> (64 - bits)));
  }
  for (uint64_t size : sizes) {
    for (uint64_t index : {uint64_t{0}, size - 1, size / 2, absl::Uniform<uint64_t>(gen, 0, size)}) {
      ExpectInclusionShape(index, size);
      const uint64_t size1 = index + 1;
      ExpectConsistencyShape(size1, size);
      ExpectConsistencyShape(index, size);
    }
  }
}

TEST(ProofNodesTest, ReaderErrorsPassThrough) {
  class FailingReader : public NodeReader {
   public:
    absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId>) override {
      return absl::UnavailableError("tile 0/x001 not reachable");
    }
  } failing;
  absl::StatusOr<std::vector<Hash>> proof = ProveInclusion(3, 10, failing);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(proof.status().message(), "tile 0/x001 not reachable");

  proof = ProveConsistency(3, 10, failing);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kUnavailable);

  // Proofs with no nodes never reach the reader.
  proof = ProveInclusion(0, 1, failing);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_THAT(*proof, IsEmpty());
  proof = ProveConsistency(0, 10, failing);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_THAT(*proof, IsEmpty());
  proof = ProveConsistency(10, 10, failing);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_THAT(*proof, IsEmpty());

  proof = ProveInclusion(10, 10, failing);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(proof.status().message(), "index 10 is past tree size 10");
  proof = ProveConsistency(11, 10, failing);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(proof.status().message(), "size1 11 is greater than size2 10");
}

TEST(ProofNodesTest, ReaderReturningWrongCountIsInternal) {
  class ShortReader : public NodeReader {
   public:
    absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId> ids) override {
      return std::vector<Hash>(ids.size() - 1);
    }
  } short_reader;
  absl::StatusOr<std::vector<Hash>> proof = ProveInclusion(0, 7, short_reader);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(proof.status().message(), "node reader returned 3 hashes for 4 nodes");
}

TEST(ProofNodesTest, RehashChecksItsInput) {
  absl::StatusOr<ProofNodes> nodes = InclusionNodes(0, 7);
  ASSERT_TRUE(nodes.ok());
  absl::StatusOr<std::vector<Hash>> proof = nodes->Rehash(std::vector<Hash>(3));
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(proof.status().message(), "got 3 hashes, want 4");

  ProofNodes bad = *nodes;
  bad.rehash_end = 9;
  proof = bad.Rehash(std::vector<Hash>(4));
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(proof.status().message(), "bad rehash range [2, 9) for 4 ids");

  const Hash a = HashLeaf("a"), b = HashLeaf("b"), c = HashLeaf("c"), d = HashLeaf("d");
  proof = nodes->Rehash({a, b, c, d});
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_THAT(*proof, ElementsAreArray({a, b, HashChildren(d, c)}));
}

}  // namespace
}  // namespace vellum
