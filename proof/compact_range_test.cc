#include "proof/compact_range.h"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <utility>
#include <vector>

#include "absl/numeric/bits.h"
#include "absl/random/distributions.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/hash.h"
#include "proof/internal/reference_tree.h"
#include "proof/node_id.h"

namespace vellum {
namespace {

using internal::MakeLeaves;
using internal::ReferenceRoot;
using ::testing::ElementsAreArray;

constexpr uint64_t kExhaustiveSize = 130;
constexpr uint64_t kSeed = 0x76656c6c756d;  // Fixed, printed, so failures reproduce.

struct Visited {
  NodeId id;
  Hash hash;
  bool operator==(const Visited& other) const { return id == other.id && hash == other.hash; }
  friend std::ostream& operator<<(std::ostream& os, const Visited& v) {
    return os << v.id << " " << HashToBase64(v.hash);
  }
};

// The leaves under `id`, which must be complete in `leaves`.
absl::Span<const Hash> Under(NodeId id, absl::Span<const Hash> leaves) {
  return leaves.subspan(id.index << id.level, uint64_t{1} << id.level);
}

// What appending leaf `size` must report: every node whose last leaf it is, lowest level first.
std::vector<Visited> ExpectedVisits(uint64_t size, absl::Span<const Hash> leaves) {
  std::vector<Visited> want;
  const uint64_t new_size = size + 1;
  for (uint32_t level = 0; level < 64 && (new_size >> level) << level == new_size; ++level) {
    const NodeId id{level, (new_size >> level) - 1};
    want.push_back(Visited{id, ReferenceRoot(Under(id, leaves))});
  }
  return want;
}

TEST(CompactRangeTest, EmptyRangeHasEmptyRoot) {
  CompactRange range;
  EXPECT_EQ(range.size(), 0u);
  EXPECT_TRUE(range.hashes().empty());
  EXPECT_EQ(range.Root(), EmptyRoot());
  EXPECT_TRUE(PeakNodes(0).empty());
}

TEST(CompactRangeTest, MatchesReferenceForEverySize) {
  const std::vector<Hash> leaves = MakeLeaves(kExhaustiveSize);
  CompactRange range;
  for (uint64_t size = 0; size < kExhaustiveSize; ++size) {
    ASSERT_EQ(range.size(), size);
    ASSERT_EQ(range.Root(), ReferenceRoot(absl::MakeConstSpan(leaves).subspan(0, size)))
        << "size " << size;

    std::vector<Visited> visited;
    range.Append(leaves[size], [&](NodeId id, const Hash& hash) {
      visited.push_back(Visited{id, hash});
    });
    ASSERT_THAT(visited, ElementsAreArray(ExpectedVisits(size, leaves))) << "appending " << size;
  }
}

TEST(CompactRangeTest, PeaksAreThePeakNodes) {
  const std::vector<Hash> leaves = MakeLeaves(kExhaustiveSize);
  CompactRange range;
  for (uint64_t size = 0; size <= kExhaustiveSize; ++size) {
    const std::vector<NodeId> ids = PeakNodes(size);
    ASSERT_EQ(ids.size(), static_cast<size_t>(absl::popcount(size)));
    ASSERT_EQ(range.hashes().size(), ids.size()) << "size " << size;
    uint64_t covered = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      // Largest first, left to right, tiling [0, size).
      ASSERT_EQ(ids[i].index << ids[i].level, covered) << "size " << size << " peak " << i;
      covered += uint64_t{1} << ids[i].level;
      EXPECT_EQ(range.hashes()[i], ReferenceRoot(Under(ids[i], leaves)))
          << "size " << size << " peak " << ids[i];
    }
    ASSERT_EQ(covered, size);
    if (size < kExhaustiveSize) range.Append(leaves[size]);
  }
}

TEST(CompactRangeTest, PeakNodesOfLargeSizes) {
  EXPECT_THAT(PeakNodes(1), ElementsAreArray({NodeId{0, 0}}));
  EXPECT_THAT(PeakNodes(6), ElementsAreArray({NodeId{2, 0}, NodeId{1, 2}}));
  EXPECT_THAT(PeakNodes(uint64_t{1} << 63), ElementsAreArray({NodeId{63, 0}}));
  const std::vector<NodeId> all = PeakNodes(UINT64_MAX);
  ASSERT_EQ(all.size(), 64u);
  EXPECT_EQ(all.front(), (NodeId{63, 0}));
  EXPECT_EQ(all[1], (NodeId{62, 2}));
  EXPECT_EQ(all.back(), (NodeId{0, UINT64_MAX - 1}));
}

TEST(CompactRangeTest, FromPeaksRoundTrips) {
  const std::vector<Hash> leaves = MakeLeaves(kExhaustiveSize);
  CompactRange range;
  for (uint64_t size = 0; size < kExhaustiveSize; ++size) {
    absl::StatusOr<CompactRange> resumed = CompactRange::FromPeaks(
        size, std::vector<Hash>(range.hashes().begin(), range.hashes().end()));
    ASSERT_TRUE(resumed.ok()) << resumed.status();
    EXPECT_EQ(resumed->size(), size);
    EXPECT_EQ(resumed->Root(), range.Root());

    // Both must go on identically, reporting the same nodes.
    std::vector<Visited> from_original, from_resumed;
    range.Append(leaves[size], [&](NodeId id, const Hash& hash) {
      from_original.push_back(Visited{id, hash});
    });
    resumed->Append(leaves[size], [&](NodeId id, const Hash& hash) {
      from_resumed.push_back(Visited{id, hash});
    });
    EXPECT_EQ(from_resumed, from_original) << "size " << size;
    EXPECT_EQ(resumed->Root(), range.Root()) << "size " << size + 1;
  }
}

TEST(CompactRangeTest, FromPeaksRejectsWrongPeakCount) {
  const Hash h = HashLeaf("x");
  absl::StatusOr<CompactRange> r = CompactRange::FromPeaks(10, {h, h, h});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "wrong number of peaks for tree size 10: got 3, want 2");

  r = CompactRange::FromPeaks(0, {h});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "wrong number of peaks for tree size 0: got 1, want 0");

  r = CompactRange::FromPeaks(7, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "wrong number of peaks for tree size 7: got 0, want 3");

  EXPECT_TRUE(CompactRange::FromPeaks(UINT64_MAX, std::vector<Hash>(64, h)).ok());
}

// A range resumed at a huge size must still combine its peaks in the right order.
TEST(CompactRangeTest, FromPeaksAtLargeSizeAppendsCorrectly) {
  const uint64_t size = (uint64_t{1} << 40) + 3;  // Peaks at levels 40, 1, 0.
  const Hash a = HashLeaf("a"), b = HashLeaf("b"), c = HashLeaf("c"), d = HashLeaf("d");
  absl::StatusOr<CompactRange> range = CompactRange::FromPeaks(size, {a, b, c});
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->Root(), HashChildren(a, HashChildren(b, c)));

  std::vector<Visited> visited;
  range->Append(d, [&](NodeId id, const Hash& hash) { visited.push_back(Visited{id, hash}); });
  const Hash level1 = HashChildren(c, d);
  const Hash level2 = HashChildren(b, level1);
  EXPECT_THAT(visited, ElementsAreArray({
                           Visited{NodeId{0, size}, d},
                           Visited{NodeId{1, size >> 1}, level1},
                           Visited{NodeId{2, size >> 2}, level2},
                       }));
  EXPECT_EQ(range->size(), size + 1);
  EXPECT_THAT(range->hashes(), ElementsAreArray({a, level2}));
  EXPECT_EQ(range->Root(), HashChildren(a, level2));
}

TEST(CompactRangeTest, RandomLargerSizesMatchReference) {
  std::cout << "random seed: " << kSeed << std::endl;
  std::mt19937_64 gen(kSeed);
  constexpr uint64_t kMax = 5000;
  const std::vector<Hash> leaves = MakeLeaves(kMax, /*seed=*/1);
  CompactRange range;
  std::vector<uint64_t> checkpoints;
  for (int i = 0; i < 20; ++i) checkpoints.push_back(absl::Uniform<uint64_t>(gen, 0, kMax + 1));
  std::sort(checkpoints.begin(), checkpoints.end());
  size_t next = 0;
  for (uint64_t size = 0; size <= kMax; ++size) {
    while (next < checkpoints.size() && checkpoints[next] == size) {
      ASSERT_EQ(range.Root(), ReferenceRoot(absl::MakeConstSpan(leaves).subspan(0, size)))
          << "size " << size << " (seed " << kSeed << ")";
      ++next;
    }
    if (size < kMax) range.Append(leaves[size]);
  }
}

}  // namespace
}  // namespace vellum
