// Parses the input as an entry bundle. Whatever the parser accepts must re-encode to exactly the
// input, and parsing with the count it found must agree.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proof/tile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<std::string>> entries = vellum::ParseEntryBundle(bytes);
  if (!entries.ok()) {
    if (entries.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  if (entries->empty() || entries->size() > vellum::kTileWidth) __builtin_trap();
  absl::StatusOr<std::string> encoded = vellum::EncodeEntryBundle(*entries);
  if (!encoded.ok() || *encoded != bytes) __builtin_trap();
  const auto count = static_cast<uint16_t>(entries->size());
  absl::StatusOr<std::vector<std::string>> exact = vellum::ParseEntryBundle(bytes, count);
  if (!exact.ok() || *exact != *entries) __builtin_trap();
  if (count > 1 && vellum::ParseEntryBundle(bytes, count - 1).ok()) __builtin_trap();
  if (count < vellum::kTileWidth && vellum::ParseEntryBundle(bytes, count + 1).ok()) {
    __builtin_trap();
  }
  return 0;
}
