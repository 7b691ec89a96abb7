#ifndef VELLUM_TOOLS_BENCH_COMMAND_H_
#define VELLUM_TOOLS_BENCH_COMMAND_H_

// The `vellum bench ...` commands (docs/cli.md, docs/benchmarks.md): parse the flags, run a
// harness of api/bench, and print its summary with one JSON object as the last line.

#include "tools/command_line.h"

namespace vellum {
namespace cli {

// The usage text and flags of each command, for the command table, and the command itself,
// which returns the exit status.
extern const char kBenchAppendUsage[];
extern const FlagSpec kBenchAppendFlags[9];
int RunBenchAppend(const CommandLine& line);

extern const char kBenchHttpUsage[];
extern const FlagSpec kBenchHttpFlags[8];
int RunBenchHttp(const CommandLine& line);

extern const char kBenchProofsUsage[];
extern const FlagSpec kBenchProofsFlags[5];
int RunBenchProofs(const CommandLine& line);

extern const char kBenchEventsUsage[];
extern const FlagSpec kBenchEventsFlags[7];
int RunBenchEvents(const CommandLine& line);

extern const char kBenchGateUsage[];
extern const FlagSpec kBenchGateFlags[6];
extern const char kBenchEventsQueryUsage[];
extern const FlagSpec kBenchEventsQueryFlags[6];
int RunBenchEventsQuery(const CommandLine& line);
int RunBenchGate(const CommandLine& line);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_BENCH_COMMAND_H_
