#include "proof/verify.h"

#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/distributions.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/hash.h"
#include "proof/internal/reference_tree.h"

namespace vellum {
namespace {

using internal::MakeLeaves;
using internal::ReferenceConsistencyProof;
using internal::ReferenceInclusionProof;
using internal::ReferenceRoot;
using ::testing::AnyOf;
using ::testing::MatchesRegex;

constexpr uint64_t kExhaustiveSize = 64;
constexpr uint64_t kSeed = 0x766572696679;  // Fixed, printed, so failures reproduce.

std::string WrongSize(size_t got, size_t want) {
  return absl::StrCat("wrong proof size ", got, ", want ", want);
}

std::string Mismatch(const Hash& got, const Hash& want) {
  return absl::StrCat("root mismatch: got ", HashToBase64(got), ", want ", HashToBase64(want));
}

// A root mismatch against `want`, with a computed root the test does not know in advance.
::testing::Matcher<const std::string&> MismatchAgainst(const Hash& want) {
  // '+' is the only base64 character special in a POSIX extended regular expression.
  return MatchesRegex(absl::StrCat("root mismatch: got [A-Za-z0-9+/]{43}=, want ",
                                   absl::StrReplaceAll(HashToBase64(want), {{"+", "\\+"}})));
}

Hash FlipBit(Hash h, int bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
  return h;
}

#define EXPECT_STATUS(expr, code_, message_)          \
  do {                                                \
    const absl::Status s_ = (expr);                   \
    EXPECT_EQ(s_.code(), absl::StatusCode::code_);    \
    EXPECT_THAT(std::string(s_.message()), message_); \
  } while (0)

// A tree of distinct leaves; the reference roots of its prefixes are computed when first asked.
class Tree {
 public:
  explicit Tree(uint64_t size, uint64_t seed = 0) : leaves_(MakeLeaves(size, seed)) {}
  absl::Span<const Hash> prefix(uint64_t n) const {
    return absl::MakeConstSpan(leaves_).subspan(0, n);
  }
  const Hash& leaf(uint64_t i) const { return leaves_[i]; }
  Hash root(uint64_t n) const {
    auto it = roots_.find(n);
    if (it == roots_.end()) it = roots_.emplace(n, ReferenceRoot(prefix(n))).first;
    return it->second;
  }

 private:
  std::vector<Hash> leaves_;
  mutable std::map<uint64_t, Hash> roots_;
};

// The length a correct proof has, from the reference implementation (which is content-blind).
size_t InclusionLength(uint64_t index, uint64_t size) {
  return ReferenceInclusionProof(index, std::vector<Hash>(size)).size();
}

size_t ConsistencyLength(uint64_t size1, uint64_t size2) {
  return ReferenceConsistencyProof(size1, std::vector<Hash>(size2)).size();
}

// Verifies the correct proof, then checks that each corruption of it is rejected precisely.
void CheckInclusion(const Tree& tree, uint64_t index, uint64_t size) {
  SCOPED_TRACE(absl::StrCat("leaf ", index, " of ", size));
  const std::vector<Hash> proof = ReferenceInclusionProof(index, tree.prefix(size));
  const Hash& leaf = tree.leaf(index);
  const Hash root = tree.root(size);
  const ::testing::Matcher<const std::string&> mismatch = MismatchAgainst(root);

  absl::StatusOr<Hash> computed = RootFromInclusionProof(index, size, leaf, proof);
  ASSERT_TRUE(computed.ok()) << computed.status();
  ASSERT_EQ(*computed, root);
  ASSERT_TRUE(VerifyInclusion(index, size, leaf, proof, root).ok());

  // Every bit of every proof hash matters; spot-check the first, a middle and the last bit.
  for (size_t i = 0; i < proof.size(); ++i) {
    for (int bit : {0, 131, 255}) {
      std::vector<Hash> bad = proof;
      bad[i] = FlipBit(bad[i], bit);
      EXPECT_STATUS(VerifyInclusion(index, size, leaf, bad, root), kInvalidArgument,
                    mismatch);
    }
  }

  EXPECT_STATUS(VerifyInclusion(index, size, FlipBit(leaf, 7), proof, root), kInvalidArgument,
                mismatch);
  EXPECT_STATUS(VerifyInclusion(index, size, leaf, proof, FlipBit(root, 200)), kInvalidArgument,
                Mismatch(root, FlipBit(root, 200)));
  EXPECT_STATUS(VerifyInclusion(index, size, tree.leaf(size), proof, root), kInvalidArgument,
                mismatch);

  // Wrong lengths: one hash too few, one too many at either end.
  if (!proof.empty()) {
    const std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
    EXPECT_STATUS(VerifyInclusion(index, size, leaf, truncated, root), kInvalidArgument,
                  WrongSize(proof.size() - 1, proof.size()));
  }
  std::vector<Hash> extended = proof;
  extended.push_back(root);
  EXPECT_STATUS(VerifyInclusion(index, size, leaf, extended, root), kInvalidArgument,
                WrongSize(proof.size() + 1, proof.size()));
  std::vector<Hash> prepended = {leaf};
  prepended.insert(prepended.end(), proof.begin(), proof.end());
  EXPECT_STATUS(VerifyInclusion(index, size, leaf, prepended, root), kInvalidArgument,
                WrongSize(proof.size() + 1, proof.size()));

  // Wrong index or size: either the length no longer fits, or the path leads elsewhere. A size
  // change that keeps the path's shape (say 3 -> 4 for leaf 0) cannot be caught: RFC 6962 proofs
  // bind the root, not the size, so only changes that move the fork are tried.
  auto expect_rejected = [&](uint64_t index2, uint64_t size2) {
    SCOPED_TRACE(absl::StrCat("claimed as leaf ", index2, " of ", size2));
    if (index2 >= size2) {
      EXPECT_STATUS(VerifyInclusion(index2, size2, leaf, proof, root), kOutOfRange,
                    absl::StrCat("index ", index2, " is past tree size ", size2));
      return;
    }
    const size_t want = InclusionLength(index2, size2);
    if (want != proof.size()) {
      EXPECT_STATUS(VerifyInclusion(index2, size2, leaf, proof, root), kInvalidArgument,
                    WrongSize(proof.size(), want));
    } else {
      EXPECT_STATUS(VerifyInclusion(index2, size2, leaf, proof, root), kInvalidArgument,
                    mismatch);
    }
  };
  if (index > 0) expect_rejected(index - 1, size);
  expect_rejected(index + 1, size);
  if ((index ^ 2) != index) expect_rejected(index ^ 2, size);
  expect_rejected(index, size * 2);
  expect_rejected(index, size / 2);
}

void CheckConsistency(const Tree& tree, uint64_t size1, uint64_t size2) {
  SCOPED_TRACE(absl::StrCat("consistency ", size1, " -> ", size2));
  const std::vector<Hash> proof = ReferenceConsistencyProof(size1, tree.prefix(size2));
  const Hash root1 = tree.root(size1);
  const Hash root2 = tree.root(size2);
  ASSERT_TRUE(VerifyConsistency(size1, size2, proof, root1, root2).ok());

  if (size1 == 0) {
    EXPECT_STATUS(VerifyConsistency(0, size2, {root2}, root1, root2), kInvalidArgument,
                  WrongSize(1, 0));
    EXPECT_STATUS(VerifyConsistency(0, size2, proof, tree.leaf(0), root2), kInvalidArgument,
                  Mismatch(tree.leaf(0), EmptyRoot()));
    return;
  }
  if (size1 == size2) {
    EXPECT_STATUS(VerifyConsistency(size1, size2, {root1}, root1, root2), kInvalidArgument,
                  WrongSize(1, 0));
    EXPECT_STATUS(VerifyConsistency(size1, size2, proof, root1, FlipBit(root2, 3)),
                  kInvalidArgument, Mismatch(root1, FlipBit(root2, 3)));
    return;
  }

  const ::testing::Matcher<const std::string&> either_mismatch =
      AnyOf(MismatchAgainst(root1), MismatchAgainst(root2));
  for (size_t i = 0; i < proof.size(); ++i) {
    for (int bit : {0, 100, 255}) {
      std::vector<Hash> bad = proof;
      bad[i] = FlipBit(bad[i], bit);
      EXPECT_STATUS(VerifyConsistency(size1, size2, bad, root1, root2), kInvalidArgument,
                    either_mismatch);
    }
  }
  EXPECT_STATUS(VerifyConsistency(size1, size2, proof, FlipBit(root1, 9), root2),
                kInvalidArgument,
                AnyOf(MismatchAgainst(FlipBit(root1, 9)), MismatchAgainst(root2)));
  EXPECT_STATUS(VerifyConsistency(size1, size2, proof, root1, FlipBit(root2, 9)),
                kInvalidArgument, Mismatch(root2, FlipBit(root2, 9)));
  EXPECT_STATUS(VerifyConsistency(size1, size2, proof, root2, root1), kInvalidArgument,
                AnyOf(MismatchAgainst(root2), MismatchAgainst(root1)));

  EXPECT_STATUS(VerifyConsistency(size1, size2, {}, root1, root2), kInvalidArgument,
                WrongSize(0, proof.size()));
  const std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
  EXPECT_STATUS(VerifyConsistency(size1, size2, truncated, root1, root2), kInvalidArgument,
                WrongSize(proof.size() - 1, proof.size()));
  for (const Hash& extra : {root1, root2, proof[0]}) {
    std::vector<Hash> extended = proof;
    extended.push_back(extra);
    EXPECT_STATUS(VerifyConsistency(size1, size2, extended, root1, root2), kInvalidArgument,
                  WrongSize(proof.size() + 1, proof.size()));
    std::vector<Hash> prepended = {extra};
    prepended.insert(prepended.end(), proof.begin(), proof.end());
    EXPECT_STATUS(VerifyConsistency(size1, size2, prepended, root1, root2), kInvalidArgument,
                  WrongSize(proof.size() + 1, proof.size()));
  }

  // As for inclusion, only size changes that alter the proof's shape are tried.
  auto expect_rejected = [&](uint64_t s1, uint64_t s2) {
    SCOPED_TRACE(absl::StrCat("claimed as ", s1, " -> ", s2));
    const absl::Status s = VerifyConsistency(s1, s2, proof, root1, root2);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    if (s1 > s2) {
      EXPECT_EQ(s.message(), absl::StrCat("size1 ", s1, " is greater than size2 ", s2));
    } else if (s1 == 0 || s1 == s2) {
      EXPECT_EQ(s.message(), WrongSize(proof.size(), 0));
    } else if (const size_t want = ConsistencyLength(s1, s2); want != proof.size()) {
      EXPECT_EQ(s.message(), WrongSize(proof.size(), want));
    } else {
      EXPECT_THAT(std::string(s.message()),
                  either_mismatch);
    }
  };
  expect_rejected(size1 - 1, size2);
  expect_rejected(size1 + 1, size2);
  expect_rejected(size1 ^ 2, size2);
  expect_rejected(size1, size2 * 2);
  expect_rejected(size1, size2 / 2);
}

TEST(VerifyInclusionTest, ExhaustiveSmallTrees) {
  const Tree tree(kExhaustiveSize * 2 + 1);
  for (uint64_t size = 1; size <= kExhaustiveSize; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      CheckInclusion(tree, index, size);
      if (testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(VerifyConsistencyTest, ExhaustiveSmallTrees) {
  const Tree tree(kExhaustiveSize * 2 + 1);
  for (uint64_t size2 = 0; size2 <= kExhaustiveSize; ++size2) {
    for (uint64_t size1 = 0; size1 <= size2; ++size1) {
      CheckConsistency(tree, size1, size2);
      if (testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(VerifyTest, RandomLargerTrees) {
  std::cout << "random seed: " << kSeed << std::endl;
  std::mt19937_64 gen(kSeed);
  constexpr uint64_t kLeaves = 2000;
  const Tree tree(kLeaves * 2 + 1, /*seed=*/3);
  for (int i = 0; i < 40; ++i) {
    const uint64_t size = absl::Uniform<uint64_t>(absl::IntervalClosed, gen, 1, kLeaves);
    const uint64_t index = absl::Uniform<uint64_t>(gen, 0, size);
    const uint64_t size1 = absl::Uniform<uint64_t>(absl::IntervalClosed, gen, 0, size);
    SCOPED_TRACE(absl::StrCat("seed ", kSeed, " draw ", i));
    CheckInclusion(tree, index, size);
    CheckConsistency(tree, size1, size);
  }
}

TEST(VerifyInclusionTest, OutOfRange) {
  const Hash h = HashLeaf("x");
  EXPECT_STATUS(VerifyInclusion(8, 8, h, {}, h), kOutOfRange, "index 8 is past tree size 8");
  EXPECT_STATUS(VerifyInclusion(0, 0, h, {}, h), kOutOfRange, "index 0 is past tree size 0");
  EXPECT_STATUS(RootFromInclusionProof(UINT64_MAX, 5, h, {}).status(), kOutOfRange,
                "index 18446744073709551615 is past tree size 5");
}

TEST(VerifyInclusionTest, SingleLeafTree) {
  const Hash h = HashLeaf("data");
  EXPECT_TRUE(VerifyInclusion(0, 1, h, {}, h).ok());
  EXPECT_STATUS(VerifyInclusion(0, 1, h, {h}, h), kInvalidArgument, WrongSize(1, 0));
  EXPECT_STATUS(VerifyInclusion(0, 1, h, {}, EmptyRoot()), kInvalidArgument,
                Mismatch(h, EmptyRoot()));
}

// Lengths near 2^64 exercise the shift arithmetic without building a tree.
TEST(VerifyInclusionTest, HugeTreeProofLengths) {
  const Hash h = HashLeaf("x");
  // Leaf 0 of 2^64 - 1: 63 levels below the fork, the last of them imperfect.
  EXPECT_STATUS(VerifyInclusion(0, UINT64_MAX, h, {}, h), kInvalidArgument, WrongSize(0, 64));
  // The last leaf's path runs along the right edge: one left peak per set bit below it.
  EXPECT_STATUS(VerifyInclusion(UINT64_MAX - 1, UINT64_MAX, h, {}, h), kInvalidArgument,
                WrongSize(0, 63));
  EXPECT_STATUS(VerifyInclusion(uint64_t{1} << 63, (uint64_t{1} << 63) + 1, h, {}, h),
                kInvalidArgument, WrongSize(0, 1));
  EXPECT_STATUS(VerifyInclusion(0, uint64_t{1} << 63, h, {}, h), kInvalidArgument,
                WrongSize(0, 63));
}

TEST(VerifyConsistencyTest, EdgeCases) {
  const Hash a = HashLeaf("a"), b = HashLeaf("b");
  const Hash e = EmptyRoot();

  EXPECT_STATUS(VerifyConsistency(9, 8, {}, a, b), kInvalidArgument,
                "size1 9 is greater than size2 8");
  EXPECT_STATUS(VerifyConsistency(1, 0, {}, a, b), kInvalidArgument,
                "size1 1 is greater than size2 0");

  // Equal sizes: empty proof, equal roots.
  EXPECT_TRUE(VerifyConsistency(1, 1, {}, a, a).ok());
  EXPECT_TRUE(VerifyConsistency(UINT64_MAX, UINT64_MAX, {}, a, a).ok());
  EXPECT_STATUS(VerifyConsistency(1, 1, {}, a, b), kInvalidArgument, Mismatch(a, b));
  EXPECT_STATUS(VerifyConsistency(1, 1, {e}, e, e), kInvalidArgument, WrongSize(1, 0));

  // From the empty tree: empty proof, and root1 must be the empty tree's.
  EXPECT_TRUE(VerifyConsistency(0, 0, {}, e, e).ok());
  EXPECT_TRUE(VerifyConsistency(0, 1, {}, e, a).ok());
  EXPECT_TRUE(VerifyConsistency(0, UINT64_MAX, {}, e, b).ok());
  EXPECT_STATUS(VerifyConsistency(0, 0, {}, a, a), kInvalidArgument, Mismatch(a, e));
  EXPECT_STATUS(VerifyConsistency(0, 0, {}, e, b), kInvalidArgument, Mismatch(e, b));
  EXPECT_STATUS(VerifyConsistency(0, 1, {}, a, b), kInvalidArgument, Mismatch(a, e));
  EXPECT_STATUS(VerifyConsistency(0, 0, {e}, e, e), kInvalidArgument, WrongSize(1, 0));
  EXPECT_STATUS(VerifyConsistency(0, 1, {e}, e, e), kInvalidArgument, WrongSize(1, 0));

  // Growing needs a proof.
  EXPECT_STATUS(VerifyConsistency(1, 2, {}, a, b), kInvalidArgument, WrongSize(0, 1));
  EXPECT_STATUS(VerifyConsistency(1, UINT64_MAX, {}, a, b), kInvalidArgument, WrongSize(0, 64));
  EXPECT_STATUS(VerifyConsistency(UINT64_MAX - 1, UINT64_MAX, {}, a, b), kInvalidArgument,
                WrongSize(0, 64));
}

// The 8-leaf example tree of RFC 6962's test data, with the proofs transparency-dev/merkle checks.
TEST(VerifyTest, KnownAnswers) {
  auto hex = [](absl::string_view h) {
    Hash out;
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<uint8_t>(std::stoi(std::string(h.substr(2 * i, 2)), nullptr, 16));
    }
    return out;
  };
  const std::vector<std::string> entries = {
      "",           std::string("\x00", 1), "\x10", "\x20\x21",   "\x30\x31",
      "\x40\x41\x42\x43", "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  std::vector<Hash> leaves;
  for (const std::string& entry : entries) leaves.push_back(HashLeaf(entry));
  const Hash root8 = hex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  const Hash root6 = hex("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef");
  ASSERT_EQ(ReferenceRoot(leaves), root8);
  ASSERT_EQ(ReferenceRoot(absl::MakeConstSpan(leaves).subspan(0, 6)), root6);

  EXPECT_TRUE(VerifyInclusion(
                  5, 8, leaves[5],
                  {hex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                   hex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                   hex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")},
                  root8)
                  .ok());
  EXPECT_TRUE(VerifyConsistency(
                  6, 8,
                  {hex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                   hex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                   hex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")},
                  root6, root8)
                  .ok());
}

}  // namespace
}  // namespace vellum
