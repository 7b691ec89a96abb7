#include "fuzz/fuzz_checks.h"

#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace vellum {
namespace fuzz {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  __builtin_trap();
}

void CheckOk(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "fuzz check failed: %s: %s\n", what, status.ToString().c_str());
  __builtin_trap();
}

bool IsJsonStringBody(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == '"') return false;
    if (c == '\\') {
      if (i + 1 >= text.size()) return false;
      const char e = text[i + 1];
      if (e == 'u') {
        if (text.size() - i < 6) return false;
        for (size_t k = i + 2; k < i + 6; ++k) {
          if (!absl::ascii_isxdigit(text[k])) return false;
        }
        i += 6;
      } else if (std::strchr("\"\\/bfnrt", e) != nullptr && e != '\0') {
        i += 2;
      } else {
        return false;
      }
      continue;
    }
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || text.size() - i < length) return false;
    uint32_t code_point = length == 1 ? c : c & (0x7f >> length);
    for (size_t k = 1; k < length; ++k) {
      const unsigned char t = static_cast<unsigned char>(text[i + k]);
      if ((t & 0xc0) != 0x80) return false;
      code_point = code_point << 6 | (t & 0x3f);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

void CheckResponseShape(const api::HttpResponse& response) {
  Check(response.status >= 200 && response.status <= 599, "status outside 200..599");
  Check(response.status < 500, "a 5xx from an in-memory log");
  if (response.status >= 400) {
    Check(response.content_type == "application/json", "an error that is not JSON");
    absl::string_view body = response.body;
    Check(absl::ConsumePrefix(&body, "{\"error\":\"") && absl::ConsumeSuffix(&body, "\"}\n"),
          "an error body that is not {\"error\":\"...\"}\\n");
    Check(IsJsonStringBody(body), "an error message that is not a well-formed JSON string");
  }
  if (response.status == 405) {
    bool allow = false;
    for (const auto& [name, value] : response.headers) allow = allow || name == "Allow";
    Check(allow, "405 without Allow");
  }
}

}  // namespace fuzz
}  // namespace vellum
