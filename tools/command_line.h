#ifndef VELLUM_TOOLS_COMMAND_LINE_H_
#define VELLUM_TOOLS_COMMAND_LINE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"

namespace vellum {
namespace cli {

// One flag a command accepts. Flags are written `--name=value` or `--name value`; a boolean flag
// is written `--name` alone.
struct FlagSpec {
  const char* name;
  bool repeated = false;
  bool boolean = false;
};

// The flags of the TLS client (docs/security.md, "TLS") that every command taking --server accepts besides
// its own: --ca FILE, --client-cert FILE and --client-key FILE.
inline constexpr FlagSpec kClientTlsFlags[] = {{"ca"}, {"client-cert"}, {"client-key"}};

// The parsed arguments of one command. Thread-compatible.
class CommandLine {
 public:
  // Parses `args`, the words after the command's name. Unknown flags, missing values and
  // repeated non-repeatable flags are errors. `--help` is always accepted, and so are the
  // kClientTlsFlags when `specs` has "server". "--" ends the flags;
  // "-" is an ordinary positional argument (standard input, by convention).
  static absl::StatusOr<CommandLine> Parse(absl::Span<const std::string> args,
                                           absl::Span<const FlagSpec> specs);

  bool help() const { return help_; }
  bool Has(absl::string_view name) const { return values_.count(std::string(name)) > 0; }
  // The value of a flag given once, or nullopt when absent.
  absl::optional<std::string> Get(absl::string_view name) const;
  // The value of a required flag, or an InvalidArgument error naming it.
  absl::StatusOr<std::string> Require(absl::string_view name) const;
  // Every value of a repeated flag, in order.
  std::vector<std::string> GetAll(absl::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  bool help_ = false;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_COMMAND_LINE_H_
