#ifndef VELLUM_TOOLS_MONITOR_COMMAND_H_
#define VELLUM_TOOLS_MONITOR_COMMAND_H_

// `vellum monitor`: follows a log, keeps a verified mirror, compares it with peers, and with
// --listen serves what it verified (docs/cli.md).

#include "tools/command_line.h"

namespace vellum {
namespace cli {

// The usage text and flags of each command, for the command table, and the command itself,
// which returns the exit status.
extern const char kMonitorUsage[];
extern const FlagSpec kMonitorFlags[11];
int RunMonitor(const CommandLine& line);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_MONITOR_COMMAND_H_
