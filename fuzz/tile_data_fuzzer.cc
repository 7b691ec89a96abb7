// Reads a tile as a server or client would: the first input byte picks the width the caller
// expects (1..256), the rest is the tile body. Accepted data must re-encode to the body exactly,
// and every node the tile can answer for must be computable from it.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "proof/hash.h"
#include "proof/node_id.h"
#include "proof/tile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint16_t width = static_cast<uint16_t>(data[0]) + 1;
  const absl::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  absl::StatusOr<std::vector<vellum::Hash>> hashes = vellum::ParseTileData(body, width);
  if (!hashes.ok()) {
    if (hashes.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  if (hashes->size() != width || vellum::EncodeTileData(*hashes) != body) __builtin_trap();

  // As tile 1/7: at each level above its bottom row, the first and last node, and the nodes
  // either side of the width's edge. A node is computable exactly when its subtree fits.
  const vellum::TileId tile{1, 7, width};
  for (uint32_t k = 0; k <= 8; ++k) {
    const uint64_t per_tile = uint64_t{256} >> k;  // Nodes of level 8 + k above one tile.
    const uint64_t edge = width >> k;              // The first that does not fit.
    for (uint64_t pos : {uint64_t{0}, edge - 1, edge, per_tile - 1}) {
      if (pos >= per_tile) continue;  // Includes edge - 1 wrapping around when edge == 0.
      const vellum::NodeId node{8 + k, tile.index * per_tile + pos};
      absl::StatusOr<vellum::Hash> hash = vellum::HashFromTile(tile, *hashes, node);
      const bool fits = ((pos + 1) << k) <= width;
      if (hash.ok() != fits) __builtin_trap();
      if (!fits && hash.status().code() != absl::StatusCode::kOutOfRange) __builtin_trap();
    }
  }
  return 0;
}
