#ifndef VELLUM_TOOLS_VERIFY_COMMAND_H_
#define VELLUM_TOOLS_VERIFY_COMMAND_H_

// The vellum commands that check a log (docs/cli.md): `keygen`, the offline checks of proofs,
// checkpoints, receipts and evidence (`verify ...`, `hash leaf`), and the full audits of a live
// server (`verify log`) and of a stopped vellumd's store (`fsck`).

#include "tools/command_line.h"

namespace vellum {
namespace cli {

// The usage text and flags of each command, for the command table, and the command itself,
// which returns the exit status.
extern const char kKeygenUsage[];
extern const FlagSpec kKeygenFlags[6];
int RunKeygen(const CommandLine& line);

extern const char kVerifyInclusionUsage[];
extern const FlagSpec kVerifyInclusionFlags[5];
int RunVerifyInclusion(const CommandLine& line);

extern const char kVerifyConsistencyUsage[];
extern const FlagSpec kVerifyConsistencyFlags[5];
int RunVerifyConsistency(const CommandLine& line);

extern const char kVerifyCheckpointUsage[];
extern const FlagSpec kVerifyCheckpointFlags[3];
int RunVerifyCheckpoint(const CommandLine& line);

extern const char kVerifyReceiptUsage[];
extern const FlagSpec kVerifyReceiptFlags[2];
int RunVerifyReceipt(const CommandLine& line);

extern const char kVerifyEvidenceUsage[];
extern const FlagSpec kVerifyEvidenceFlags[1];
int RunVerifyEvidence(const CommandLine& line);

extern const char kHashLeafUsage[];
int RunHashLeaf(const CommandLine& line);

extern const char kVerifyLogUsage[];
extern const FlagSpec kVerifyLogFlags[2];
int RunVerifyLog(const CommandLine& line);

extern const char kFsckUsage[];
extern const FlagSpec kFsckFlags[2];
int RunFsck(const CommandLine& line);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_VERIFY_COMMAND_H_
