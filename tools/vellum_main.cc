// vellum: the command-line tool for auditors and operators. This file holds the command table
// and the dispatch; the commands live in tools/*_command.cc.
//
// Exit status: 0 valid, 1 invalid (one line on stderr saying what differs), 2 usage or I/O
// error. Every command takes --help.

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "tools/bench_command.h"
#include "tools/command_line.h"
#include "tools/command_support.h"
#include "tools/events_command.h"
#include "tools/gate_command.h"
#include "tools/log_command.h"
#include "tools/monitor_command.h"
#include "tools/verify_command.h"
#include "tools/witness_command.h"

namespace vellum {
namespace cli {
namespace {

struct Command {
  const char* name;   // e.g. "verify inclusion"
  const char* usage;  // the --help text
  absl::Span<const FlagSpec> flags;
  int (*run)(const CommandLine&);
};

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"keygen", kKeygenUsage, kKeygenFlags, RunKeygen},
      {"witness", kWitnessUsage, kWitnessFlags, RunWitness},
      {"verify inclusion", kVerifyInclusionUsage, kVerifyInclusionFlags, RunVerifyInclusion},
      {"verify consistency", kVerifyConsistencyUsage, kVerifyConsistencyFlags,
       RunVerifyConsistency},
      {"verify checkpoint", kVerifyCheckpointUsage, kVerifyCheckpointFlags, RunVerifyCheckpoint},
      {"verify evidence", kVerifyEvidenceUsage, kVerifyEvidenceFlags, RunVerifyEvidence},
      {"verify receipt", kVerifyReceiptUsage, kVerifyReceiptFlags, RunVerifyReceipt},
      {"hash leaf", kHashLeafUsage, {}, RunHashLeaf},
      {"append", kAppendUsage, kAppendFlags, RunAppend},
      {"checkpoint", kCheckpointUsage, kCheckpointFlags, RunCheckpoint},
      {"prove", kProveUsage, kProveFlags, RunProve},
      {"verify log", kVerifyLogUsage, kVerifyLogFlags, RunVerifyLog},
      {"fsck", kFsckUsage, kFsckFlags, RunFsck},
      {"monitor", kMonitorUsage, kMonitorFlags, RunMonitor},
      {"bench append", kBenchAppendUsage, kBenchAppendFlags, RunBenchAppend},
      {"bench http", kBenchHttpUsage, kBenchHttpFlags, RunBenchHttp},
      {"bench proofs", kBenchProofsUsage, kBenchProofsFlags, RunBenchProofs},
      {"bench events", kBenchEventsUsage, kBenchEventsFlags, RunBenchEvents},
      {"bench events-query", kBenchEventsQueryUsage, kBenchEventsQueryFlags, RunBenchEventsQuery},
      {"bench gate", kBenchGateUsage, kBenchGateFlags, RunBenchGate},
      {"events", kEventsUsage, kEventsFlags, RunEvents},
      {"decode", kDecodeUsage, kDecodeFlags, RunDecode},
      {"reindex", kReindexUsage, kReindexFlags, RunReindex},
      {"holds verify", kHoldsVerifyUsage, kHoldsVerifyFlags, RunHoldsVerify},
      {"gate check", kGateCheckUsage, kGateCheckFlags, RunGateCheck},
      {"policy replay", kPolicyReplayUsage, kPolicyReplayFlags, RunPolicyReplay},
  };
  return *commands;
}

void PrintOverview(std::ostream& out) {
  out << "vellum: verify Vellum logs offline and online, append to them, manage keys, and\n"
         "benchmark a log.\n\nCommands:\n";
  for (const Command& command : Commands()) {
    out << "  " << command.name << "\n";
  }
  out << "\nExit status: 0 valid, 1 invalid, 2 usage or I/O error.\n"
      << "Run 'vellum COMMAND --help' for a command's flags.\n";
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    PrintOverview(args.empty() ? std::cerr : std::cout);
    return args.empty() ? kUsage : kValid;
  }
  // Commands are one or two words; match the longest.
  const Command* found = nullptr;
  size_t words = 0;
  for (const Command& command : Commands()) {
    std::vector<absl::string_view> name = absl::StrSplit(command.name, ' ');
    if (name.size() <= args.size() && std::equal(name.begin(), name.end(), args.begin()) &&
        name.size() > words) {
      found = &command;
      words = name.size();
    }
  }
  if (found == nullptr) {
    size_t shown = std::min<size_t>(2, args.size());
    std::cerr << "vellum: unknown command \""
              << absl::StrJoin(args.begin(), args.begin() + shown, " ") << "\"\n\n";
    PrintOverview(std::cerr);
    return kUsage;
  }
  SetCommandName(found->name);
  std::vector<std::string> rest(args.begin() + words, args.end());
  absl::StatusOr<CommandLine> line = CommandLine::Parse(rest, found->flags);
  if (!line.ok()) return UsageError(line.status().message());
  if (line->help()) {
    std::cout << found->usage;
    for (const FlagSpec& flag : found->flags) {
      if (absl::string_view(flag.name) != "server") continue;
      std::cout << "  For an https:// URL: --ca FILE (the CAs to trust; default the system's),\n"
                   "  --client-cert FILE and --client-key FILE (a client certificate, for mTLS).\n";
    }
    return kValid;
  }
  return found->run(*line);
}

}  // namespace
}  // namespace cli
}  // namespace vellum

int main(int argc, char** argv) { return vellum::cli::Main(argc, argv); }
