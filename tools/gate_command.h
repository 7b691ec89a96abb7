#ifndef VELLUM_TOOLS_GATE_COMMAND_H_
#define VELLUM_TOOLS_GATE_COMMAND_H_

// The vellum commands of the deployment gate (docs/cli.md, docs/gate.md): `vellum gate check`
// asks a server's gate for a CI/CD pipeline (exit 0 allowed, 1 denied, 2 error), `vellum policy
// replay` evaluates every recorded decision again from the log (exit 0 only if every one agrees).

#include "tools/command_line.h"

namespace vellum {
namespace cli {

extern const char kGateCheckUsage[];
extern const FlagSpec kGateCheckFlags[10];
extern const char kPolicyReplayUsage[];
extern const FlagSpec kPolicyReplayFlags[5];

int RunGateCheck(const CommandLine& line);
int RunPolicyReplay(const CommandLine& line);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_GATE_COMMAND_H_
