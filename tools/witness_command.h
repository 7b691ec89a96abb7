#ifndef VELLUM_TOOLS_WITNESS_COMMAND_H_
#define VELLUM_TOOLS_WITNESS_COMMAND_H_

// `vellum witness`: runs a c2sp.org/tlog-witness witness until SIGTERM (docs/witness.md).

#include "tools/command_line.h"

namespace vellum {
namespace cli {

// The command's usage text and flags, for the command table.
extern const char kWitnessUsage[];
extern const FlagSpec kWitnessFlags[8];

// Runs the witness; returns the exit status: 0 after a clean stop, 1 when it cannot start for
// a reason other than usage (for example the data directory is in use, holds no state without
// --init, or one with --init, or one of another key), 2 for usage errors.
int RunWitness(const CommandLine& line);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_WITNESS_COMMAND_H_
