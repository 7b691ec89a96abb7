#include "proof/decimal.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace vellum {

absl::StatusOr<uint64_t> ParseDecimal(absl::string_view text, absl::string_view what) {
  constexpr size_t kMaxShown = 24;
  auto error = [&](absl::string_view why) {
    std::string shown(text.substr(0, kMaxShown));
    if (text.size() > kMaxShown) absl::StrAppend(&shown, "...");
    return absl::InvalidArgumentError(
        absl::StrCat(what, " \"", absl::CHexEscape(shown), "\" ", why));
  };
  if (text.empty()) return error("is empty, want a decimal number");
  if (text.size() > 1 && text[0] == '0') return error("has a leading zero");
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : text) {
    if (c < '0' || c > '9') return error("is not a decimal number");
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) return error("overflows 64 bits");
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace vellum
