// Splits the input as a request target and parses its query (and the whole input) with
// api::QueryParams::Parse, comparing the outcome with a plain reference parser written from the
// documented rules: '&'-separated parameters, split at the first '=', '+' is a space, %-escapes
// are exactly two hex digits, names are non-empty and unique, at most 16 parameters of at most
// 1 KiB (as sent) each. Then checks CheckAllowed against the lists the endpoints use.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "api/http.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "query_params_fuzzer: %s\n", what);
  __builtin_trap();
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::optional<std::string> ReferenceDecode(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      if (s.size() - i < 3 || Hex(s[i + 1]) < 0 || Hex(s[i + 2]) < 0) return absl::nullopt;
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    }
  }
  return out;
}

// The parameters of `query`, or nullopt where QueryParams::Parse must fail.
absl::optional<std::map<std::string, std::string>> ReferenceParse(absl::string_view query) {
  std::map<std::string, std::string> params;
  if (query.empty()) return params;
  size_t count = 0;
  for (;;) {
    const size_t amp = query.find('&');
    const absl::string_view part = query.substr(0, amp);
    if (++count > 16 || part.size() > 1024) return absl::nullopt;
    const size_t eq = part.find('=');
    absl::optional<std::string> name = ReferenceDecode(part.substr(0, eq));
    absl::optional<std::string> value =
        ReferenceDecode(eq == absl::string_view::npos ? absl::string_view() : part.substr(eq + 1));
    if (!name.has_value() || !value.has_value() || name->empty()) return absl::nullopt;
    if (!params.emplace(*name, *value).second) return absl::nullopt;
    if (amp == absl::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

bool AllIn(const std::map<std::string, std::string>& params,
           std::initializer_list<absl::string_view> allowed) {
  for (const auto& [name, value] : params) {
    bool found = false;
    for (absl::string_view a : allowed) found = found || a == name;
    if (!found) return false;
  }
  return true;
}

void CheckAllowed(const vellum::api::QueryParams& params,
                  const std::map<std::string, std::string>& want,
                  std::initializer_list<absl::string_view> allowed) {
  absl::Status status = params.CheckAllowed(allowed);
  Check(status.ok() == AllIn(want, allowed), "CheckAllowed disagrees with the reference");
  if (!status.ok()) {
    Check(status.code() == absl::StatusCode::kInvalidArgument,
          "an unknown parameter must be InvalidArgument");
  }
}

void CheckQuery(absl::string_view query) {
  absl::StatusOr<vellum::api::QueryParams> params = vellum::api::QueryParams::Parse(query);
  absl::optional<std::map<std::string, std::string>> want = ReferenceParse(query);
  Check(params.ok() == want.has_value(), "Parse and the reference parser disagree on success");
  if (!params.ok()) {
    Check(params.status().code() == absl::StatusCode::kInvalidArgument,
          "a malformed query must be InvalidArgument");
    return;
  }
  for (const auto& [name, value] : *want) {
    Check(params->Get(name) == value, "Get() differs from the reference value");
  }
  for (absl::string_view name : {"index", "size", "leaf_hash", "from", "to", "receipt"}) {
    if (want->count(std::string(name)) == 0) {
      Check(!params->Get(name).has_value(), "Get() found a parameter that is not there");
    }
  }
  // The lists the endpoints pass.
  CheckAllowed(*params, *want, {"receipt"});
  CheckAllowed(*params, *want, {"index", "leaf_hash", "size"});
  CheckAllowed(*params, *want, {"from", "to"});
  CheckAllowed(*params, *want, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view target(reinterpret_cast<const char*>(data), size);
  auto [path, query] = vellum::api::SplitTarget(target);
  const size_t q = target.find('?');
  if (q == absl::string_view::npos) {
    Check(path == target && query.empty(), "SplitTarget without '?'");
  } else {
    Check(path == target.substr(0, q) && query == target.substr(q + 1), "SplitTarget with '?'");
    Check(path.data() == target.data() && query.data() == target.data() + q + 1,
          "SplitTarget must return views into the target");
  }
  CheckQuery(query);
  CheckQuery(target);
  return 0;
}
