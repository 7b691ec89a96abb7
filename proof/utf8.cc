#include "proof/utf8.h"

#include <algorithm>
#include <cstdint>

namespace vellum {

size_t DecodeUtf8(absl::string_view text, char32_t* code_point) {
  if (text.empty()) return 0;
  // The least code point of each sequence length, which rules out overlong encodings.
  static constexpr char32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(0);
  const size_t length = lead < 0x80            ? 1
                        : (lead & 0xE0) == 0xC0 ? 2
                        : (lead & 0xF0) == 0xE0 ? 3
                        : (lead & 0xF8) == 0xF0 ? 4
                                                : 0;
  if (length == 0 || text.size() < length) return 0;
  char32_t decoded = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    decoded = decoded << 6 | (byte(i) & 0x3F);
  }
  if (decoded < kLeast[length] || decoded > 0x10FFFF ||
      (decoded >= 0xD800 && decoded <= 0xDFFF)) {
    return 0;
  }
  if (code_point != nullptr) *code_point = decoded;
  return length;
}

bool IsValidUtf8(absl::string_view text) {
  while (!text.empty()) {
    const size_t length = DecodeUtf8(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

std::string SanitizeUtf8(absl::string_view text, size_t max_bytes) {
  std::string out;
  while (!text.empty()) {
    const size_t length = DecodeUtf8(text);
    if (out.size() + std::max<size_t>(length, 1) > max_bytes) break;
    if (length == 0) {
      out.push_back('?');
      text.remove_prefix(1);
    } else {
      out.append(text.data(), length);
      text.remove_prefix(length);
    }
  }
  return out;
}

}  // namespace vellum
