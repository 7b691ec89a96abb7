#include "fuzz/fuzz_checks.h"

#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "proof/utf8.h"

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
    const size_t length = DecodeUtf8(text.substr(i));
    if (length == 0) return false;
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
