#ifndef VELLUM_TOOLS_LOG_COMMAND_H_
#define VELLUM_TOOLS_LOG_COMMAND_H_

// The vellum commands that talk to a log server (docs/cli.md): `append` an entry (with a
// verified receipt), fetch and verify the `checkpoint`, and `prove` an entry's inclusion.

#include "tools/command_line.h"

namespace vellum {
namespace cli {

// The usage text and flags of each command, for the command table, and the command itself,
// which returns the exit status.
extern const char kAppendUsage[];
extern const FlagSpec kAppendFlags[6];
int RunAppend(const CommandLine& line);

extern const char kCheckpointUsage[];
extern const FlagSpec kCheckpointFlags[2];
int RunCheckpoint(const CommandLine& line);

extern const char kProveUsage[];
extern const FlagSpec kProveFlags[3];
int RunProve(const CommandLine& line);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_LOG_COMMAND_H_
