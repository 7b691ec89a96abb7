#include "tools/command_line.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace cli {

absl::StatusOr<CommandLine> CommandLine::Parse(absl::Span<const std::string> args,
                                               absl::Span<const FlagSpec> specs) {
  CommandLine line;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || arg == "-" || !absl::StartsWith(arg, "--")) {
      line.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    absl::string_view body = absl::string_view(arg).substr(2);
    absl::optional<std::string> value;
    size_t eq = body.find('=');
    if (eq != absl::string_view::npos) {
      value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    if (body == "help" && !value.has_value()) {
      line.help_ = true;
      continue;
    }
    const FlagSpec* spec = nullptr;
    bool takes_server = false;
    for (const FlagSpec& s : specs) {
      if (body == s.name) spec = &s;
      takes_server |= absl::string_view(s.name) == "server";
    }
    for (const FlagSpec& s : kClientTlsFlags) {
      if (takes_server && body == s.name) spec = &s;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", body));
    }
    if (spec->boolean) {
      if (value.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", body, " takes no value"));
      }
      value = "true";
    } else if (!value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", body, " needs a value"));
      }
      value = args[++i];
    }
    std::vector<std::string>& values = line.values_[std::string(body)];
    if (!spec->repeated && !values.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", body, " given more than once"));
    }
    values.push_back(*std::move(value));
  }
  return line;
}

absl::optional<std::string> CommandLine::Get(absl::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return absl::nullopt;
  return it->second.front();
}

absl::StatusOr<std::string> CommandLine::Require(absl::string_view name) const {
  absl::optional<std::string> value = Get(name);
  if (!value.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("missing required flag --", name));
  }
  return *value;
}

std::vector<std::string> CommandLine::GetAll(absl::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return {};
  return it->second;
}

}  // namespace cli
}  // namespace vellum
