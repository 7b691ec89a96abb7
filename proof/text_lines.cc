#include "proof/text_lines.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace vellum {

bool NextLine(absl::string_view* rest, absl::string_view* line) {
  size_t eol = rest->find('\n');
  if (eol == absl::string_view::npos) return false;
  *line = rest->substr(0, eol);
  rest->remove_prefix(eol + 1);
  return true;
}

absl::Status Annotate(const absl::Status& status, absl::string_view prefix) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

std::string Quote(absl::string_view s) {
  constexpr size_t kMax = 64;
  if (s.size() <= kMax) return absl::StrCat("\"", absl::CHexEscape(s), "\"");
  return absl::StrCat("\"", absl::CHexEscape(s.substr(0, kMax)), "\"...");
}

}  // namespace vellum
