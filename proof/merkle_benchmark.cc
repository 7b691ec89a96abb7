// Benchmarks for the Merkle code: hashing, compact range appends, roots, proof generation over an
// in-memory tree of 1M leaves, and verification. Run with -c opt; see docs/benchmarks.md.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "proof/compact_range.h"
#include "proof/hash.h"
#include "proof/node_id.h"
#include "proof/proof_nodes.h"
#include "proof/verify.h"

namespace vellum {
namespace {

constexpr size_t kEntrySize = 300;
constexpr uint64_t kTreeSize = 1000000;

std::string Entry(uint64_t i) {
  std::string entry(kEntrySize, 'x');
  for (int b = 0; b < 8; ++b) entry[b] = static_cast<char>(i >> (8 * b));
  return entry;
}

// Perfect nodes held per level in memory, as a warm tile cache would hold them.
class MemoryTree : public NodeReader {
 public:
  explicit MemoryTree(uint64_t size) {
    for (uint64_t i = 0; i < size; ++i) {
      range_.Append(HashLeaf(Entry(i)), [this](NodeId id, const Hash& hash) {
        if (levels_.size() <= id.level) levels_.resize(id.level + 1);
        levels_[id.level].push_back(hash);
      });
    }
  }

  absl::StatusOr<std::vector<Hash>> ReadNodes(absl::Span<const NodeId> ids) override {
    std::vector<Hash> hashes;
    hashes.reserve(ids.size());
    for (const NodeId& id : ids) hashes.push_back(levels_[id.level][id.index]);
    return hashes;
  }

  const Hash& leaf(uint64_t i) const { return levels_[0][i]; }
  Hash root() const { return range_.Root(); }

  // The root at an earlier size, from its stored peaks, as the ledger recovers a compact range.
  Hash RootAt(uint64_t size) {
    const std::vector<NodeId> ids = PeakNodes(size);
    return CompactRange::FromPeaks(size, *ReadNodes(ids))->Root();
  }

 private:
  std::vector<std::vector<Hash>> levels_;
  CompactRange range_;
};

MemoryTree& Tree() {
  static MemoryTree* tree = new MemoryTree(kTreeSize);
  return *tree;
}

std::vector<Hash> LeafHashes(size_t count) {
  std::vector<Hash> leaves;
  leaves.reserve(count);
  for (uint64_t i = 0; i < count; ++i) leaves.push_back(HashLeaf(Entry(i)));
  return leaves;
}

void BM_HashLeaf300(benchmark::State& state) {
  const std::string entry = Entry(42);
  for (auto _ : state) benchmark::DoNotOptimize(HashLeaf(entry));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashLeaf300);

void BM_HashChildren(benchmark::State& state) {
  Hash left = HashLeaf("left");
  const Hash right = HashLeaf("right");
  for (auto _ : state) {
    left = HashChildren(left, right);
    benchmark::DoNotOptimize(left);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashChildren);

// Appends pre-hashed leaves; on average one node hash per leaf besides the visitor calls.
void BM_CompactRangeAppend(benchmark::State& state) {
  const std::vector<Hash> leaves = LeafHashes(1 << 16);
  CompactRange range;
  uint64_t i = 0;
  for (auto _ : state) range.Append(leaves[i++ & 0xffff]);
  benchmark::DoNotOptimize(range.hashes().data());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompactRangeAppend);

void BM_CompactRangeAppendWithVisitor(benchmark::State& state) {
  const std::vector<Hash> leaves = LeafHashes(1 << 16);
  CompactRange range;
  uint64_t i = 0, nodes = 0;
  uint8_t sink = 0;
  for (auto _ : state) {
    range.Append(leaves[i++ & 0xffff], [&](NodeId, const Hash& hash) {
      ++nodes;
      sink ^= hash[0];
    });
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
  state.counters["nodes_per_leaf"] = static_cast<double>(nodes) / state.iterations();
}
BENCHMARK(BM_CompactRangeAppendWithVisitor);

// Leaf hashing plus append: the work Go's tlog does per record when building a tree in memory.
void BM_TreeBuildFrom300ByteRecords(benchmark::State& state) {
  std::string entry = Entry(0);
  CompactRange range;
  uint64_t i = 0;
  for (auto _ : state) {
    entry[0] = static_cast<char>(i++);
    range.Append(HashLeaf(entry));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TreeBuildFrom300ByteRecords);

// Root() of a range with popcount(size) peaks: 1,000,000 has 7; 2^20 - 1 has 20.
void BM_Root(benchmark::State& state) {
  const uint64_t size = state.range(0);
  std::vector<Hash> peaks(PeakNodes(size).size(), HashLeaf("peak"));
  CompactRange range = *CompactRange::FromPeaks(size, peaks);
  for (auto _ : state) benchmark::DoNotOptimize(range.Root());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Root)->Arg(kTreeSize)->Arg((1 << 20) - 1);

void BM_InclusionNodes(benchmark::State& state) {
  std::mt19937_64 gen(1);
  for (auto _ : state) benchmark::DoNotOptimize(InclusionNodes(gen() % kTreeSize, kTreeSize));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionNodes);

void BM_ProveInclusion1M(benchmark::State& state) {
  MemoryTree& tree = Tree();
  std::mt19937_64 gen(2);
  for (auto _ : state) {
    absl::StatusOr<std::vector<Hash>> proof = ProveInclusion(gen() % kTreeSize, kTreeSize, tree);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveInclusion1M);

void BM_ProveConsistency1M(benchmark::State& state) {
  MemoryTree& tree = Tree();
  std::mt19937_64 gen(3);
  for (auto _ : state) {
    absl::StatusOr<std::vector<Hash>> proof =
        ProveConsistency(1 + gen() % (kTreeSize - 1), kTreeSize, tree);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveConsistency1M);

void BM_VerifyInclusion1M(benchmark::State& state) {
  MemoryTree& tree = Tree();
  const Hash root = tree.root();
  std::mt19937_64 gen(4);
  struct Case {
    uint64_t index;
    std::vector<Hash> proof;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 1024; ++i) {
    const uint64_t index = gen() % kTreeSize;
    cases.push_back(Case{index, *ProveInclusion(index, kTreeSize, tree)});
  }
  size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 1023];
    if (!VerifyInclusion(c.index, kTreeSize, tree.leaf(c.index), c.proof, root).ok()) {
      state.SkipWithError("proof did not verify");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyInclusion1M);

void BM_VerifyConsistency1M(benchmark::State& state) {
  MemoryTree& tree = Tree();
  const Hash root2 = tree.root();
  std::mt19937_64 gen(5);
  struct Case {
    uint64_t size1;
    Hash root1;
    std::vector<Hash> proof;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 64; ++i) {
    const uint64_t size1 = 1 + gen() % (kTreeSize - 1);
    cases.push_back(Case{size1, tree.RootAt(size1), *ProveConsistency(size1, kTreeSize, tree)});
  }
  size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 63];
    if (!VerifyConsistency(c.size1, kTreeSize, c.proof, c.root1, root2).ok()) {
      state.SkipWithError("proof did not verify");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyConsistency1M);

}  // namespace
}  // namespace vellum

BENCHMARK_MAIN();
