// Parses the input as a tile path and as an entry bundle path. Whatever a parser accepts must be
// canonical: formatting the parsed id gives back the input byte for byte.

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "proof/tile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view path(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<vellum::TileId> tile = vellum::ParseTilePath(path);
  if (tile.ok()) {
    if (vellum::TilePath(*tile) != path) __builtin_trap();
    if (tile->width < 1 || tile->width > vellum::kTileWidth) __builtin_trap();
    if (tile->level > vellum::kMaxTileLevel) __builtin_trap();
  } else if (tile.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  absl::StatusOr<vellum::EntryBundleId> bundle = vellum::ParseEntryBundlePath(path);
  if (bundle.ok()) {
    if (vellum::EntryBundlePath(*bundle) != path) __builtin_trap();
    if (bundle->width < 1 || bundle->width > vellum::kTileWidth) __builtin_trap();
  } else if (bundle.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  if (tile.ok() && bundle.ok()) __builtin_trap();
  return 0;
}
