#ifndef VELLUM_PROOF_BIG_ENDIAN_H_
#define VELLUM_PROOF_BIG_ENDIAN_H_

// Unsigned integers in big-endian byte order, most significant byte first, written one way for
// every format that holds them: entry-bundle lengths, note key ids and cosignature timestamps,
// and the keys of every store (so that byte order is numeric order).

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace vellum {

// Appends the low `bytes` bytes of `value` to `out`. Requires 1 <= bytes <= 8.
inline void AppendBigEndian(uint64_t value, size_t bytes, std::string* out) {
  for (size_t shift = 8 * bytes; shift > 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> (shift - 8)) & 0xff));
  }
}

// The number that `bytes` holds. Requires bytes.size() <= 8.
inline uint64_t ReadBigEndian(absl::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

}  // namespace vellum

#endif  // VELLUM_PROOF_BIG_ENDIAN_H_
