#ifndef VELLUM_TOOLS_COMMAND_SUPPORT_H_
#define VELLUM_TOOLS_COMMAND_SUPPORT_H_

// What the vellum commands share: the exit statuses, the error lines they print as
// "vellum <command>: ..." on standard error, and the parsers of the flags several commands take.
// main() names the running command once, before it runs; everything here runs on its thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "api/client/http_client.h"
#include "api/client/log_client.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "tools/command_line.h"

namespace vellum {
namespace cli {

// Exit statuses: 0 valid, 1 invalid (one line on stderr saying what differs), 2 usage or I/O
// error.
inline constexpr int kValid = 0;
inline constexpr int kInvalid = 1;
inline constexpr int kUsage = 2;

// Inputs are bounded: notes, keys and receipts are small (entries: kMaxEntrySize, proof/tile.h).
inline constexpr size_t kMaxDocumentBytes = 1 << 20;

// The running command's name, e.g. "verify inclusion", as the error lines below show it.
void SetCommandName(absl::string_view name);
const std::string& CommandName();

// Print one error line (UsageError adds a pointer to --help) and return the exit status: 2 for
// usage and I/O errors, 1 for invalid input.
int UsageError(absl::string_view message);
int IoError(const absl::Status& status);
int Invalid(const absl::Status& status);

// A failed exchange with the server is an I/O error (2); anything else is a verification
// failure (1). See api/client/log_client.h.
int ServerFailure(const absl::Status& status);

// Parses a flag that holds a base64 hash; `name` is the flag's name.
absl::StatusOr<Hash> HashFlag(const CommandLine& line, absl::string_view name);

// Parses a required decimal flag.
absl::StatusOr<uint64_t> NumberFlag(const CommandLine& line, absl::string_view name);

// An optional decimal flag within [min, max], `fallback` when absent.
absl::StatusOr<uint64_t> NumberFlagOr(const CommandLine& line, absl::string_view name,
                                      uint64_t fallback, uint64_t min, uint64_t max);

// The one positional argument naming an input file, "-" (standard input) when absent.
absl::StatusOr<std::string> InputArgument(const CommandLine& line);

// A verifier key, or the name of a file holding one, as --verifier-key (or `flag`) takes it.
absl::StatusOr<std::unique_ptr<NoteVerifier>> LoadVerifierKey(
    std::string key, absl::string_view flag = "verifier-key");

// The key of the required --verifier-key.
absl::StatusOr<std::unique_ptr<NoteVerifier>> VerifierKeyFlag(const CommandLine& line);

// The witness keys of --witness-key and the policy of --min-witnesses (default: all of them).
struct WitnessPolicy {
  std::vector<std::unique_ptr<NoteVerifier>> keys;
  std::vector<const NoteVerifier*> verifiers;
  size_t min_witnesses = 0;
};

absl::StatusOr<WitnessPolicy> WitnessPolicyFlags(const CommandLine& line);

// The client options of --ca, --client-cert and --client-key (kClientTlsFlags), for https://
// servers.
api::HttpClient::Options ClientFlags(const CommandLine& line);

// A fetcher for the log server at --server, with ClientFlags().
absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> ServerFlag(const CommandLine& line);

// A server's verified checkpoint, and the connection and key it was fetched and checked with.
struct ServerSession {
  std::unique_ptr<api::HttpLogFetcher> fetcher;
  std::unique_ptr<NoteVerifier> verifier;
  api::VerifiedCheckpoint checkpoint;
};

// Parses --server and --verifier-key, then fetches and verifies the checkpoint. On failure,
// having said why, returns nullopt and sets `exit_status`.
absl::optional<ServerSession> OpenSession(const CommandLine& line, int* exit_status);

// Prints a checkpoint's origin, size and root, one per line.
void PrintCheckpointFields(const Checkpoint& checkpoint);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_COMMAND_SUPPORT_H_
