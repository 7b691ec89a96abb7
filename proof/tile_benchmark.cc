// Tile path formatting and parsing, entry bundle encoding and parsing, and computing nodes from
// tile data. Run: bazel run -c opt //proof:tile_benchmark

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "proof/hash.h"
#include "proof/node_id.h"
#include "proof/tile.h"

namespace vellum {
namespace {

// A partial tile with a 3-group index, the common shape for a log of some millions of entries.
const TileId kTile{0, 1234067, 112};

void BM_TilePathFormat(benchmark::State& state) {
  for (auto _ : state) {
    std::string path = TilePath(kTile);
    benchmark::DoNotOptimize(path);
  }
}
BENCHMARK(BM_TilePathFormat);

void BM_TilePathParse(benchmark::State& state) {
  const std::string path = TilePath(kTile);
  for (auto _ : state) {
    auto tile = ParseTilePath(path);
    benchmark::DoNotOptimize(tile);
  }
}
BENCHMARK(BM_TilePathParse);

void BM_TilePathParseRejects(benchmark::State& state) {
  const std::string path = "tile/0/x001/x234/067.p/256";
  for (auto _ : state) {
    auto tile = ParseTilePath(path);
    benchmark::DoNotOptimize(tile);
  }
}
BENCHMARK(BM_TilePathParseRejects);

std::vector<std::string> Entries(size_t count, size_t size) {
  std::vector<std::string> entries;
  for (size_t i = 0; i < count; ++i) entries.push_back(std::string(size, static_cast<char>(i)));
  return entries;
}

void BM_EntryBundleEncode(benchmark::State& state) {
  const std::vector<std::string> entries = Entries(256, 300);
  for (auto _ : state) {
    auto data = EncodeEntryBundle(entries);
    benchmark::DoNotOptimize(data);
  }
  state.SetBytesProcessed(state.iterations() * 256 * 302);
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_EntryBundleEncode);

void BM_EntryBundleParse(benchmark::State& state) {
  const std::string data = *EncodeEntryBundle(Entries(256, 300));
  for (auto _ : state) {
    auto entries = ParseEntryBundle(data, 256);
    benchmark::DoNotOptimize(entries);
  }
  state.SetBytesProcessed(state.iterations() * data.size());
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_EntryBundleParse);

void BM_TileDataParse(benchmark::State& state) {
  const std::string data(256 * kHashSize, 'h');
  for (auto _ : state) {
    auto hashes = ParseTileData(data, 256);
    benchmark::DoNotOptimize(hashes);
  }
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_TileDataParse);

// Computing a node k levels above a full tile's bottom row costs 2^k - 1 hashes.
void BM_HashFromTile(benchmark::State& state) {
  const uint32_t k = static_cast<uint32_t>(state.range(0));
  std::vector<Hash> hashes;
  for (int i = 0; i < 256; ++i) hashes.push_back(HashLeaf(absl::StrCat(i)));
  const TileId tile{0, 3, 256};
  const NodeId node{k, (uint64_t{3} * 256) >> k};
  for (auto _ : state) {
    auto hash = HashFromTile(tile, hashes, node);
    benchmark::DoNotOptimize(hash);
  }
}
BENCHMARK(BM_HashFromTile)->Arg(0)->Arg(1)->Arg(4)->Arg(8);

}  // namespace
}  // namespace vellum

BENCHMARK_MAIN();
