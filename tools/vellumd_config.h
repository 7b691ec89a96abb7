#ifndef VELLUM_TOOLS_VELLUMD_CONFIG_H_
#define VELLUM_TOOLS_VELLUMD_CONFIG_H_

// vellumd's effective configuration: the --config file, if given, with the flags given on the
// command line laid over it (docs/operations.md, "Configuration file and flags").

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "api/config/config.pb.h"
#include "api/witness_collector.h"
#include "ledger/events/logged_clock.h"
#include "tools/command_line.h"

namespace vellum {
namespace cli {

// vellumd's flags, for CommandLine::Parse.
absl::Span<const FlagSpec> VellumdFlags();

struct VellumdConfig {
  api::config::Config config;
  // One line for each flag that replaced a key the file set, for vellumd to print at start.
  std::vector<std::string> overrides;
};

// Builds the configuration vellumd runs with. The file named by --config is loaded first
// (api/config/config_loader.h: relative paths against its folder); then each flag given replaces
// its key (a --witness flag replaces the file's whole witness list), with relative paths made
// absolute against `working_dir`. The result is checked again (ValidateConfig), must name a
// data directory, and gets the default listen address 127.0.0.1:8080. Fails with
// InvalidArgument naming the flag or the key path; nothing is read but the file.
absl::StatusOr<VellumdConfig> BuildVellumdConfig(const CommandLine& line,
                                                 absl::string_view working_dir);

// The witnesses of `witnessing` and the collector's options, checked as WitnessCollector::Start
// would; none when the configuration lists no witnesses.
struct WitnessSetup {
  std::vector<api::WitnessCollector::Witness> witnesses;
  api::WitnessCollector::Options options;
};
absl::StatusOr<WitnessSetup> WitnessesFromConfig(const api::config::Witnessing& witnessing);

// The clocks of logged time with `clock`'s bound on a forward jump (0: no bound).
ledger::LoggedClock::Options ClockOptionsOf(const api::config::Clock& clock);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_VELLUMD_CONFIG_H_
