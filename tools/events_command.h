#ifndef VELLUM_TOOLS_EVENTS_COMMAND_H_
#define VELLUM_TOOLS_EVENTS_COMMAND_H_

// The vellum commands for audit events (docs/cli.md): `vellum events` searches a server,
// `vellum decode` prints entries and entry bundles as JSON, `vellum reindex` rebuilds a data
// directory's derived indexes, `vellum holds verify` checks that nothing held was erased or
// purged. Each returns the exit status: 0 done, 1 a proof did not verify,
// 2 usage or I/O errors; messages go to standard error as "vellum <command>: ...".

#include "tools/command_line.h"

namespace vellum {
namespace cli {

extern const char kEventsUsage[];
extern const FlagSpec kEventsFlags[16];
extern const char kDecodeUsage[];
extern const FlagSpec kDecodeFlags[4];
extern const char kHoldsVerifyUsage[];
extern const FlagSpec kHoldsVerifyFlags[2];
extern const char kReindexUsage[];
extern const FlagSpec kReindexFlags[2];

int RunEvents(const CommandLine& line);
int RunDecode(const CommandLine& line);
int RunReindex(const CommandLine& line);
int RunHoldsVerify(const CommandLine& line);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_EVENTS_COMMAND_H_
