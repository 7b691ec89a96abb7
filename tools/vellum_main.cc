// vellum: the command-line tool for auditors and operators.
//
// Exit status: 0 valid, 1 invalid (one line on stderr saying what differs), 2 usage or I/O
// error. Every command takes --help.

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "api/client/http_client.h"
#include "api/http_server.h"
#include "proof/checkpoint.h"
#include "proof/cosigned_checkpoint.h"
#include "proof/decimal.h"
#include "proof/evidence.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"
#include "proof/verify.h"
#include "ledger/log_audit.h"
#include "ledger/stored_head.h"
#include "ledger/stored_log.h"
#include "tools/bench.h"
#include "tools/events_bench.h"
#include "tools/command_line.h"
#include "tools/events_command.h"
#include "ledger/file_io.h"
#include "api/client/http_log_reader.h"
#include "api/client/log_client.h"
#include "api/client/monitor.h"
#include "tools/serving.h"
#include "tools/witness_command.h"

namespace vellum {
namespace cli {
namespace {

constexpr int kValid = 0;
constexpr int kInvalid = 1;
constexpr int kUsage = 2;

// Inputs are bounded: an entry is at most 65,535 bytes; notes, keys and receipts are small.
constexpr size_t kMaxEntryBytes = 65535;
constexpr size_t kMaxDocumentBytes = 1 << 20;

struct Command {
  const char* name;   // e.g. "verify inclusion"
  const char* usage;  // the --help text
  std::vector<FlagSpec> flags;
  std::function<int(const CommandLine&)> run;
};

std::string g_command_name;

int UsageError(absl::string_view message) {
  std::cerr << "vellum " << g_command_name << ": " << message << "\n"
            << "Run 'vellum " << g_command_name << " --help' for usage.\n";
  return kUsage;
}

int IoError(const absl::Status& status) {
  std::cerr << "vellum " << g_command_name << ": " << status.message() << "\n";
  return kUsage;
}

int Invalid(const absl::Status& status) {
  std::cerr << "vellum " << g_command_name << ": invalid: " << status.message() << "\n";
  return kInvalid;
}

// Parses a flag that holds a base64 hash; `name` is the flag's name.
absl::StatusOr<Hash> HashFlag(const CommandLine& line, absl::string_view name) {
  absl::StatusOr<std::string> text = line.Require(name);
  if (!text.ok()) return text.status();
  absl::StatusOr<Hash> hash = HashFromBase64(*text);
  if (!hash.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", hash.status().message()));
  }
  return hash;
}

absl::StatusOr<uint64_t> NumberFlag(const CommandLine& line, absl::string_view name) {
  absl::StatusOr<std::string> text = line.Require(name);
  if (!text.ok()) return text.status();
  return ParseDecimal(*text, absl::StrCat("--", name));
}

// Parses --proof: comma-separated base64 hashes; "" is the empty proof.
absl::StatusOr<std::vector<Hash>> ProofFlag(const CommandLine& line) {
  absl::StatusOr<std::string> text = line.Require("proof");
  if (!text.ok()) return text.status();
  std::vector<Hash> proof;
  if (text->empty()) return proof;
  for (absl::string_view part : absl::StrSplit(*text, ',')) {
    absl::StatusOr<Hash> hash = HashFromBase64(part);
    if (!hash.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--proof hash ", proof.size() + 1, ": ",
                                                     hash.status().message()));
    }
    proof.push_back(*hash);
  }
  return proof;
}

// The one positional argument naming an input file, "-" (standard input) when absent.
absl::StatusOr<std::string> InputArgument(const CommandLine& line) {
  if (line.positional().size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", line.positional().size(), " input files, want at most 1"));
  }
  return line.positional().empty() ? std::string("-") : line.positional()[0];
}

// A verifier key, or the name of a file holding one, as --verifier-key (or `flag`) takes it.
absl::StatusOr<std::unique_ptr<NoteVerifier>> LoadVerifierKey(
    std::string key, absl::string_view flag = "verifier-key") {
  struct stat st;
  if (stat(key.c_str(), &st) == 0) {
    absl::StatusOr<std::string> contents = ledger::ReadInput(key, kMaxDocumentBytes);
    if (!contents.ok()) return contents.status();
    key = std::string(absl::StripTrailingAsciiWhitespace(*contents));
  }
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = NoteVerifier::Create(key);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", verifier.status().message()));
  }
  return verifier;
}

// The witness keys of --witness-key and the policy of --min-witnesses (default: all of them).
struct WitnessPolicy {
  std::vector<std::unique_ptr<NoteVerifier>> keys;
  std::vector<const NoteVerifier*> verifiers;
  size_t min_witnesses = 0;
};

absl::StatusOr<WitnessPolicy> WitnessPolicyFlags(const CommandLine& line) {
  WitnessPolicy policy;
  for (const std::string& value : line.GetAll("witness-key")) {
    absl::StatusOr<std::unique_ptr<NoteVerifier>> key = LoadVerifierKey(value, "witness-key");
    if (!key.ok()) return key.status();
    policy.verifiers.push_back(key->get());
    policy.keys.push_back(*std::move(key));
  }
  policy.min_witnesses = policy.keys.size();
  if (absl::optional<std::string> k = line.Get("min-witnesses"); k.has_value()) {
    absl::StatusOr<uint64_t> value = ParseDecimal(*k, "--min-witnesses");
    if (!value.ok()) return value.status();
    if (*value > policy.keys.size()) {
      return absl::InvalidArgumentError(absl::StrCat("--min-witnesses is ", *value,
                                                     ", want at most the ", policy.keys.size(),
                                                     " --witness-key keys"));
    }
    policy.min_witnesses = *value;
  }
  return policy;
}

absl::StatusOr<std::unique_ptr<NoteVerifier>> VerifierKeyFlag(const CommandLine& line) {
  absl::StatusOr<std::string> value = line.Require("verifier-key");
  if (!value.ok()) return value.status();
  return LoadVerifierKey(*value);
}

int RunKeygen(const CommandLine& line) {
  absl::StatusOr<std::string> origin = line.Require("origin");
  if (!origin.ok()) return UsageError(origin.status().message());
  absl::StatusOr<std::string> prefix = line.Require("out");
  if (!prefix.ok()) return UsageError(prefix.status().message());
  if (!line.positional().empty()) return UsageError("keygen takes no positional arguments");
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey(
      *origin, line.Has("cosigner") ? kNoteSignatureTypeCosignatureV1 : kNoteSignatureTypeEd25519);
  if (!key.ok()) return UsageError(key.status().message());
  absl::Status status = ledger::WriteNewFile(*prefix + ".key", key->signer_key + "\n", 0600);
  if (status.ok()) status = ledger::WriteNewFile(*prefix + ".pub", key->verifier_key + "\n", 0644);
  if (!status.ok()) return IoError(status);
  std::cout << key->verifier_key << "\n";
  return kValid;
}

int RunVerifyInclusion(const CommandLine& line) {
  absl::StatusOr<Hash> leaf_hash = HashFlag(line, "leaf-hash");
  if (!leaf_hash.ok()) return UsageError(leaf_hash.status().message());
  absl::StatusOr<uint64_t> index = NumberFlag(line, "index");
  if (!index.ok()) return UsageError(index.status().message());
  absl::StatusOr<uint64_t> size = NumberFlag(line, "size");
  if (!size.ok()) return UsageError(size.status().message());
  absl::StatusOr<Hash> root = HashFlag(line, "root");
  if (!root.ok()) return UsageError(root.status().message());
  absl::StatusOr<std::vector<Hash>> proof = ProofFlag(line);
  if (!proof.ok()) return UsageError(proof.status().message());
  if (!line.positional().empty()) return UsageError("takes no positional arguments");
  absl::Status status = VerifyInclusion(*index, *size, *leaf_hash, *proof, *root);
  if (!status.ok()) return Invalid(status);
  std::cout << "valid: leaf " << *index << " is in the tree of size " << *size << "\n";
  return kValid;
}

int RunVerifyConsistency(const CommandLine& line) {
  absl::StatusOr<uint64_t> size1 = NumberFlag(line, "size1");
  if (!size1.ok()) return UsageError(size1.status().message());
  absl::StatusOr<uint64_t> size2 = NumberFlag(line, "size2");
  if (!size2.ok()) return UsageError(size2.status().message());
  absl::StatusOr<Hash> root1 = HashFlag(line, "root1");
  if (!root1.ok()) return UsageError(root1.status().message());
  absl::StatusOr<Hash> root2 = HashFlag(line, "root2");
  if (!root2.ok()) return UsageError(root2.status().message());
  absl::StatusOr<std::vector<Hash>> proof = ProofFlag(line);
  if (!proof.ok()) return UsageError(proof.status().message());
  if (!line.positional().empty()) return UsageError("takes no positional arguments");
  absl::Status status = VerifyConsistency(*size1, *size2, *proof, *root1, *root2);
  if (!status.ok()) return Invalid(status);
  std::cout << "valid: the tree of size " << *size2 << " extends the tree of size " << *size1
            << "\n";
  return kValid;
}

int RunVerifyCheckpoint(const CommandLine& line) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = VerifierKeyFlag(line);
  if (!verifier.ok()) return UsageError(verifier.status().message());
  absl::StatusOr<std::string> input = InputArgument(line);
  if (!input.ok()) return UsageError(input.status().message());
  absl::StatusOr<WitnessPolicy> policy = WitnessPolicyFlags(line);
  if (!policy.ok()) return UsageError(policy.status().message());
  absl::StatusOr<std::string> note = ledger::ReadInput(*input, kMaxDocumentBytes);
  if (!note.ok()) return IoError(note.status());
  absl::StatusOr<CosignedCheckpoint> opened =
      OpenCosignedCheckpoint(*note, **verifier, policy->verifiers, policy->min_witnesses);
  if (!opened.ok()) return Invalid(opened.status());
  const Checkpoint& checkpoint = opened->checkpoint;
  std::cout << "origin: " << checkpoint.origin << "\n"
            << "size: " << checkpoint.size << "\n"
            << "root: " << HashToBase64(checkpoint.root) << "\n";
  if (!policy->keys.empty()) {
    std::cout << "cosigned by: " << absl::StrJoin(opened->witnesses, ", ") << "\n";
  }
  return kValid;
}

int RunVerifyReceipt(const CommandLine& line) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = VerifierKeyFlag(line);
  if (!verifier.ok()) return UsageError(verifier.status().message());
  absl::StatusOr<std::string> entry_path = line.Require("entry");
  if (!entry_path.ok()) return UsageError(entry_path.status().message());
  if (line.positional().size() != 1) {
    return UsageError(
        absl::StrCat("got ", line.positional().size(), " receipt files, want exactly 1"));
  }
  absl::StatusOr<std::string> entry = ledger::ReadInput(*entry_path, kMaxEntryBytes);
  if (!entry.ok()) return IoError(entry.status());
  absl::StatusOr<std::string> text = ledger::ReadInput(line.positional()[0], kMaxDocumentBytes);
  if (!text.ok()) return IoError(text.status());
  absl::StatusOr<Receipt> receipt = ParseReceipt(*text);
  if (!receipt.ok()) return Invalid(receipt.status());
  absl::Status status = VerifyReceipt(*receipt, *entry, **verifier);
  if (!status.ok()) return Invalid(status);
  std::cout << "valid: the entry is at index " << receipt->index << "\n";
  return kValid;
}

int RunVerifyEvidence(const CommandLine& line) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = VerifierKeyFlag(line);
  if (!verifier.ok()) return UsageError(verifier.status().message());
  if (line.positional().size() != 1) {
    return UsageError(
        absl::StrCat("got ", line.positional().size(), " evidence files, want exactly 1"));
  }
  absl::StatusOr<std::string> text = ledger::ReadInput(line.positional()[0], kMaxEvidenceSize);
  if (!text.ok()) return IoError(text.status());
  absl::StatusOr<SplitViewEvidence> evidence = ParseEvidence(*text);
  if (!evidence.ok()) return Invalid(evidence.status());
  absl::StatusOr<SplitView> view = VerifyEvidence(*evidence, **verifier);
  if (!view.ok()) return Invalid(view.status());
  std::cout << "valid: split view of " << view->smaller.origin << ": " << view->description
            << "\n";
  return kValid;
}

int RunHashLeaf(const CommandLine& line) {
  absl::StatusOr<std::string> input = InputArgument(line);
  if (!input.ok()) return UsageError(input.status().message());
  absl::StatusOr<std::string> entry = ledger::ReadInput(*input, kMaxEntryBytes);
  if (!entry.ok()) return IoError(entry.status());
  std::cout << HashToBase64(HashLeaf(*entry)) << "\n";
  return kValid;
}

// --- Commands that talk to a log server ---------------------------------------------------

// A failed exchange with the server is an I/O error (2); anything else is a verification
// failure (1). See tools/log_client.h.
int ServerFailure(const absl::Status& status) {
  return api::IsExchangeError(status) ? IoError(status) : Invalid(status);
}

absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> ServerFlag(const CommandLine& line) {
  absl::StatusOr<std::string> url = line.Require("server");
  if (!url.ok()) return url.status();
  absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> fetcher = api::HttpLogFetcher::Create(*url);
  if (!fetcher.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--server: ", fetcher.status().message()));
  }
  return fetcher;
}

// An optional decimal flag within [min, max], `fallback` when absent.
absl::StatusOr<uint64_t> NumberFlagOr(const CommandLine& line, absl::string_view name,
                                      uint64_t fallback, uint64_t min, uint64_t max) {
  if (!line.Has(name)) return fallback;
  absl::StatusOr<uint64_t> value = NumberFlag(line, name);
  if (!value.ok()) return value.status();
  if (*value < min || *value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " is ", *value, ", want ", min, " to ", max));
  }
  return value;
}

int RunAppend(const CommandLine& line) {
  absl::StatusOr<std::string> url = line.Require("server");
  if (!url.ok()) return UsageError(url.status().message());
  absl::StatusOr<std::unique_ptr<api::HttpClient>> client =
      api::HttpClient::Create(*url, api::HttpClient::Options());
  if (!client.ok()) return UsageError(absl::StrCat("--server: ", client.status().message()));
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  absl::StatusOr<std::string> input = InputArgument(line);
  if (!input.ok()) return UsageError(input.status().message());
  const bool want_receipt = line.Has("receipt") || line.Has("receipt-out");
  std::unique_ptr<NoteVerifier> verifier;
  if (line.Has("verifier-key")) {
    absl::StatusOr<std::unique_ptr<NoteVerifier>> pinned = VerifierKeyFlag(line);
    if (!pinned.ok()) return UsageError(pinned.status().message());
    verifier = *std::move(pinned);
  }
  absl::StatusOr<std::string> entry = ledger::ReadInput(*input, kMaxEntryBytes);
  if (!entry.ok()) return IoError(entry.status());
  if (entry->empty()) return UsageError("the entry is empty; entries are 1 to 65535 bytes");

  if (want_receipt && verifier == nullptr) {
    // Trust on first use: nothing authenticates a key the server names itself.
    absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> fetcher =
        api::HttpLogFetcher::Create(*url);
    if (!fetcher.ok()) return IoError(fetcher.status());
    absl::StatusOr<std::string> key = api::FetchVerifierKey(**fetcher);
    if (!key.ok()) return ServerFailure(key.status());
    absl::StatusOr<std::unique_ptr<NoteVerifier>> fetched = NoteVerifier::Create(*key);
    if (!fetched.ok()) return Invalid(fetched.status());
    verifier = *std::move(fetched);
    std::cerr << "vellum append: trusting the verifier key the server names, " << *key
              << " (trust on first use; pin a key with --verifier-key)\n";
  }
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/octet-stream"}};
  if (!token->empty()) headers.emplace_back("Authorization", absl::StrCat("Bearer ", *token));
  absl::StatusOr<api::HttpResponse> response = (*client)->Send(
      "POST", want_receipt ? "/v1/entries?receipt=1" : "/v1/entries", *entry, headers);
  if (!response.ok()) return IoError(response.status());
  if (response->status != 200) {
    return IoError(absl::UnavailableError(absl::StrCat(
        "the server refused the entry: ", api::StatusFromResponse(*response).message())));
  }
  if (want_receipt) {
    absl::StatusOr<Receipt> receipt = api::VerifyAppendAnswer(response->body, *entry, *verifier);
    if (!receipt.ok()) return Invalid(receipt.status());
    if (absl::optional<std::string> out = line.Get("receipt-out"); out.has_value()) {
      absl::Status status = ledger::WriteNewFile(*out, FormatReceipt(*receipt), 0644);
      if (!status.ok()) return IoError(status);
    }
    std::cerr << "vellum append: receipt verified: the entry is at index " << receipt->index
              << "\n";
  }
  std::cout << response->body;
  if (!absl::EndsWith(response->body, "\n")) std::cout << "\n";
  return kValid;
}

// A server's verified checkpoint, and the connection and key it was fetched and checked with.
struct ServerSession {
  std::unique_ptr<api::HttpLogFetcher> fetcher;
  std::unique_ptr<NoteVerifier> verifier;
  api::VerifiedCheckpoint checkpoint;
};

// Parses --server and --verifier-key, then fetches and verifies the checkpoint. On failure,
// having said why, returns nullopt and sets `exit_status`.
absl::optional<ServerSession> OpenSession(const CommandLine& line, int* exit_status) {
  ServerSession session;
  absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> fetcher = ServerFlag(line);
  if (!fetcher.ok()) {
    *exit_status = UsageError(fetcher.status().message());
    return absl::nullopt;
  }
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = VerifierKeyFlag(line);
  if (!verifier.ok()) {
    *exit_status = UsageError(verifier.status().message());
    return absl::nullopt;
  }
  if (!line.positional().empty()) {
    *exit_status = UsageError("takes no positional arguments");
    return absl::nullopt;
  }
  absl::StatusOr<api::VerifiedCheckpoint> checkpoint = api::FetchCheckpoint(**fetcher, **verifier);
  if (!checkpoint.ok()) {
    *exit_status = ServerFailure(checkpoint.status());
    return absl::nullopt;
  }
  session.fetcher = *std::move(fetcher);
  session.verifier = *std::move(verifier);
  session.checkpoint = *std::move(checkpoint);
  return session;
}

void PrintCheckpointFields(const Checkpoint& checkpoint) {
  std::cout << "origin: " << checkpoint.origin << "\n"
            << "size: " << checkpoint.size << "\n"
            << "root: " << HashToBase64(checkpoint.root) << "\n";
}

int RunCheckpoint(const CommandLine& line) {
  int exit_status = kUsage;
  absl::optional<ServerSession> session = OpenSession(line, &exit_status);
  if (!session.has_value()) return exit_status;
  PrintCheckpointFields(session->checkpoint.checkpoint);
  std::cout << "\n" << session->checkpoint.note;
  return kValid;
}

int RunProve(const CommandLine& line) {
  absl::StatusOr<uint64_t> index = NumberFlag(line, "index");
  if (!index.ok()) return UsageError(index.status().message());
  int exit_status = kUsage;
  absl::optional<ServerSession> session = OpenSession(line, &exit_status);
  if (!session.has_value()) return exit_status;
  const Checkpoint& checkpoint = session->checkpoint.checkpoint;
  if (*index >= checkpoint.size) {
    return UsageError(absl::StrCat("--index ", *index, " is past the checkpoint's tree size ",
                                   checkpoint.size));
  }
  absl::StatusOr<api::ProvedEntry> proved =
      api::FetchAndVerifyInclusion(*session->fetcher, checkpoint, *index);
  if (!proved.ok()) return ServerFailure(proved.status());
  std::vector<std::string> proof;
  for (const Hash& hash : proved->proof) proof.push_back(HashToBase64(hash));
  PrintCheckpointFields(checkpoint);
  std::cout << "index: " << proved->index << "\n"
            << "leaf hash: " << HashToBase64(proved->leaf_hash) << "\n"
            << "proof: " << absl::StrJoin(proof, ",") << "\n"
            << "valid: entry " << proved->index << " is in the tree of size "
            << proved->tree_size << "\n";
  return kValid;
}

// Runs the full audit of `checkpoint`'s tree, read through `log`, and reports it.
int Audit(const ledger::LogReader& log, const Checkpoint& checkpoint) {
  ledger::AuditOptions options;
  options.progress_every_bundles = 64;
  options.progress = [](const ledger::AuditProgress& p) {
    std::cerr << "vellum " << g_command_name << ": " << p.entries << " of " << p.tree_size
              << " entries verified (" << p.bundles << " bundles, " << p.tiles << " tiles)\n";
  };
  absl::StatusOr<ledger::AuditResult> result = ledger::AuditLog(log, checkpoint, options);
  if (!result.ok()) return ServerFailure(result.status());
  std::cout << "valid: " << result->entries << " entries in " << result->bundles
            << " bundles and " << result->tiles << " tiles agree with the checkpoint of size "
            << checkpoint.size << ", root " << HashToBase64(result->root) << "\n";
  return kValid;
}

int RunVerifyLog(const CommandLine& line) {
  int exit_status = kUsage;
  absl::optional<ServerSession> session = OpenSession(line, &exit_status);
  if (!session.has_value()) return exit_status;
  return Audit(api::HttpLogReader(*session->fetcher), session->checkpoint.checkpoint);
}

int RunFsck(const CommandLine& line) {
  absl::StatusOr<std::string> dir = line.Require("data-dir");
  if (!dir.ok()) return UsageError(dir.status().message());
  if (!line.positional().empty()) return UsageError("takes no positional arguments");
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier =
      LoadVerifierKey(line.Get("verifier-key").value_or(*dir + "/log.pub"));
  if (!verifier.ok()) return UsageError(verifier.status().message());
  absl::StatusOr<std::unique_ptr<ledger::LogReader>> log = ledger::OpenStoredLog(*dir + "/db");
  if (!log.ok()) return IoError(log.status());
  absl::StatusOr<ledger::StoredHead> head = ledger::OpenStoredHead(**log, **verifier);
  if (!head.ok()) return Invalid(head.status());
  if (head->checkpoint.size == 0) {
    std::cout << "valid: the log is empty\n";
    return kValid;
  }
  return Audit(**log, head->checkpoint);
}

// --- Monitor -----------------------------------------------------------------------------------

// Prints what a round found; in the long-running mode, each finding once, as an ALERT line.
void PrintRound(const api::RoundResult& round, bool long_running,
                absl::flat_hash_set<std::string>* shown) {
  for (const api::Finding& finding : round.findings) {
    if (long_running && !shown->insert(finding.message).second) continue;
    std::cerr << (long_running ? "ALERT " : "vellum monitor: invalid: ") << finding.message;
    if (!finding.evidence_path.empty()) std::cerr << "; evidence: " << finding.evidence_path;
    std::cerr << "\n";
  }
  for (const std::string& undecided : round.undecided) {
    std::cerr << "vellum monitor: " << undecided << "\n";
  }
  for (const std::string& error : round.errors) std::cerr << "vellum monitor: " << error << "\n";
}

int RunMonitor(const CommandLine& line) {
  absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> log = ServerFlag(line);
  if (!log.ok()) return UsageError(log.status().message());
  absl::StatusOr<std::unique_ptr<NoteVerifier>> log_key = VerifierKeyFlag(line);
  if (!log_key.ok()) return UsageError(log_key.status().message());
  absl::StatusOr<std::string> state_dir = line.Require("state-dir");
  if (!state_dir.ok()) return UsageError(state_dir.status().message());
  absl::StatusOr<WitnessPolicy> policy = WitnessPolicyFlags(line);
  if (!policy.ok()) return UsageError(policy.status().message());
  absl::StatusOr<uint64_t> interval = NumberFlagOr(line, "interval-ms", 10000, 10, 86400000);
  if (!interval.ok()) return UsageError(interval.status().message());
  if (!line.positional().empty()) return UsageError("takes no positional arguments");
  std::vector<api::Peer> peers;
  for (const std::string& url : line.GetAll("peer")) {
    absl::StatusOr<api::Peer> peer = api::OpenPeer(url);
    if (!peer.ok()) return UsageError(absl::StrCat("--peer: ", peer.status().message()));
    peers.push_back(*std::move(peer));
  }
  absl::optional<std::pair<std::string, uint16_t>> listen;
  if (absl::optional<std::string> value = line.Get("listen"); value.has_value()) {
    absl::StatusOr<std::pair<std::string, uint16_t>> parsed = ParseListen(*value);
    if (!parsed.ok()) return UsageError(absl::StrCat("--listen: ", parsed.status().message()));
    listen = *parsed;
  }
  if (mkdir(state_dir->c_str(), 0755) != 0 && errno != EEXIST) {
    return IoError(absl::InternalError(
        absl::StrCat("cannot create --state-dir ", *state_dir, ": ", std::strerror(errno))));
  }
  api::MonitorOptions options;
  options.state_dir = *state_dir;
  options.log_key = log_key->get();
  options.witness_keys = policy->verifiers;
  options.min_witnesses = policy->min_witnesses;
  absl::StatusOr<std::unique_ptr<api::Monitor>> monitor = api::Monitor::Open(options);
  if (!monitor.ok()) return IoError(monitor.status());
  std::cout << "vellum monitor: mirror of " << (*log_key)->name() << " at tree size "
            << (*monitor)->Health().tree_size << " in " << *state_dir << std::endl;

  const bool once = line.Has("once");
  // Block the signals before any thread starts.
  absl::optional<TerminationSignals> signals;
  if (!once) signals.emplace();
  std::unique_ptr<api::HttpServer> server;
  if (listen.has_value()) {
    api::HttpServer::Options server_options;
    server_options.address = listen->first;
    server_options.port = listen->second;
    server_options.max_body_bytes = 1024;
    api::Monitor* m = monitor->get();
    absl::StatusOr<std::unique_ptr<api::HttpServer>> started = api::HttpServer::Start(
        server_options,
        [m](api::HttpRequest request, api::HttpServer::Respond respond) {
          respond(m->Serve(request));
        });
    if (!started.ok()) return IoError(started.status());
    server = *std::move(started);
    std::cout << "vellum monitor: serving http://" << listen->first << ":" << server->port()
              << std::endl;
  }
  absl::flat_hash_set<std::string> shown;
  if (once) {
    api::RoundResult round = (*monitor)->Round(**log, peers);
    PrintRound(round, false, &shown);
    if (round.ExitCode() == kValid) {
      std::cout << "verified: tree size " << round.tree_size << "\n";
    }
    if (server != nullptr) server->Shutdown(absl::Seconds(1));
    return round.ExitCode();
  }
  absl::Notification stop;
  std::thread rounds([&] {
    do {
      api::RoundResult round = (*monitor)->Round(**log, peers);
      PrintRound(round, true, &shown);
    } while (!stop.WaitForNotificationWithTimeout(absl::Milliseconds(*interval)));
  });
  const int signal_number = signals->Wait();
  std::cerr << "vellum monitor: signal " << signal_number << ", stopping\n";
  stop.Notify();
  rounds.join();
  if (server != nullptr) server->Shutdown(absl::Seconds(5));
  return kValid;
}

// --- Benchmarks --------------------------------------------------------------------------------

absl::StatusOr<absl::Duration> MaxSecondsFlag(const CommandLine& line) {
  absl::StatusOr<uint64_t> seconds = NumberFlagOr(line, "max-seconds", 300, 1, 86400);
  if (!seconds.ok()) return seconds.status();
  return absl::Seconds(*seconds);
}

// The flags every HTTP load generator takes: --server, --clients, --requests and --max-seconds.
struct LoadFlags {
  std::string url;
  int clients = 0;
  uint64_t requests = 0;
  absl::Duration max_time;

  // Sets the matching fields of a bench's options.
  template <typename Options>
  void ApplyTo(Options& options) const {
    options.url = url;
    options.clients = clients;
    options.requests = requests;
    options.max_time = max_time;
  }
};

// Parses the LoadFlags and checks that there is no positional argument; InvalidArgument, for a
// usage error, otherwise.
absl::StatusOr<LoadFlags> ParseLoadFlags(const CommandLine& line) {
  LoadFlags flags;
  absl::StatusOr<std::string> url = line.Require("server");
  if (!url.ok()) return url.status();
  flags.url = *url;
  absl::StatusOr<uint64_t> clients = NumberFlag(line, "clients");
  absl::StatusOr<uint64_t> requests = NumberFlag(line, "requests");
  absl::StatusOr<absl::Duration> max_time = MaxSecondsFlag(line);
  for (const absl::Status& s : {clients.status(), requests.status(), max_time.status()}) {
    if (!s.ok()) return s;
  }
  if (!line.positional().empty()) {
    return absl::InvalidArgumentError("takes no positional arguments");
  }
  flags.clients = static_cast<int>(std::min<uint64_t>(*clients, 1 << 20));
  flags.requests = *requests;
  flags.max_time = *max_time;
  return flags;
}

void PrintLatency(const char* what, BenchResult& result) {
  std::cout << absl::StrFormat("%s latency: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", what,
                               result.latency.Percentile(50) * 1e3,
                               result.latency.Percentile(99) * 1e3, result.latency.Max() * 1e3);
  if (result.errors > 0) {
    std::cout << result.errors << " errors; the first: " << result.first_error << "\n";
  }
  if (result.deadline_hit) std::cout << "stopped at the --max-seconds deadline\n";
}

int BenchExit(const BenchResult& result) {
  if (result.errors == 0) return kValid;
  std::cerr << "vellum " << g_command_name << ": " << result.errors
            << " operations failed; the first: " << result.first_error << "\n";
  return kUsage;
}

int RunBenchAppend(const CommandLine& line) {
  AppendBenchOptions options;
  absl::StatusOr<std::string> dir = line.Require("data-dir");
  if (!dir.ok()) return UsageError(dir.status().message());
  options.data_dir = *dir;
  absl::StatusOr<uint64_t> entries = NumberFlag(line, "entries");
  absl::StatusOr<uint64_t> bytes = NumberFlagOr(line, "entry-bytes", 300, 1, kMaxEntryBytes);
  absl::StatusOr<uint64_t> clients = NumberFlagOr(line, "clients", options.clients, 1, 1024);
  absl::StatusOr<uint64_t> batch = NumberFlagOr(line, "batch", options.batch, 1, 100000);
  absl::StatusOr<uint64_t> max_batch =
      NumberFlagOr(line, "max-batch-entries", options.max_batch_entries, 1, 1000000);
  absl::StatusOr<uint64_t> delay = NumberFlagOr(line, "max-batch-delay-us", 0, 0, 1000000);
  absl::StatusOr<absl::Duration> max_time = MaxSecondsFlag(line);
  for (const absl::Status& s : {entries.status(), bytes.status(), clients.status(),
                                batch.status(), max_batch.status(), delay.status(),
                                max_time.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  if (!line.positional().empty()) return UsageError("takes no positional arguments");
  options.entries = *entries;
  options.entry_bytes = *bytes;
  options.clients = static_cast<int>(*clients);
  options.batch = *batch;
  options.max_batch_entries = *max_batch;
  options.max_batch_delay = absl::Microseconds(*delay);
  options.max_time = *max_time;
  absl::StatusOr<AppendBenchResult> result = RunAppendBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  BenchResult& bench = result->bench;
  std::cout << absl::StrFormat(
      "appended %d entries of %d bytes in %.3f s: %.0f entries/s, durable (synced LevelDB)\n",
      bench.entries, options.entry_bytes, bench.seconds,
      bench.seconds > 0 ? bench.entries / bench.seconds : 0.0);
  std::cout << absl::StrFormat(
      "%d clients, %d entries per Append call; %d group commits, %.1f entries each\n",
      options.clients, options.batch, result->batches,
      result->batches > 0 ? static_cast<double>(bench.entries) / result->batches : 0.0);
  PrintLatency("Append", bench);
  if (line.Has("metrics")) std::cout << result->metrics;
  std::cout << AppendBenchJson(options, *result) << "\n";
  return BenchExit(bench);
}

int RunBenchHttp(const CommandLine& line) {
  HttpAppendBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  absl::StatusOr<uint64_t> batch = NumberFlagOr(line, "batch", 1, 1, 100000);
  absl::StatusOr<uint64_t> bytes = NumberFlagOr(line, "entry-bytes", 300, 1, kMaxEntryBytes);
  for (const absl::Status& s : {load.status(), batch.status(), bytes.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  load->ApplyTo(options);
  options.batch = *batch;
  options.receipt = line.Has("receipt");
  options.entry_bytes = *bytes;
  options.token = *token;
  absl::StatusOr<BenchResult> result = RunHttpAppendBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  std::cout << absl::StrFormat(
      "%d requests of %d entries (%d bytes each%s) from %d keep-alive clients in %.3f s: "
      "%.0f requests/s, %.0f entries/s\n",
      result->operations, options.batch, options.entry_bytes,
      options.receipt ? ", with receipts" : "", options.clients, result->seconds,
      result->seconds > 0 ? result->operations / result->seconds : 0.0,
      result->seconds > 0 ? result->entries / result->seconds : 0.0);
  PrintLatency("Request", *result);
  std::cout << HttpAppendBenchJson(options, *result) << "\n";
  return BenchExit(*result);
}

int RunBenchProofs(const CommandLine& line) {
  ProofBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  absl::StatusOr<uint64_t> seed = NumberFlagOr(line, "seed", 1, 0, UINT64_MAX);
  for (const absl::Status& s : {load.status(), seed.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  load->ApplyTo(options);
  options.seed = *seed;
  absl::StatusOr<ProofBenchResult> result = RunProofBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  BenchResult& bench = result->bench;
  std::cout << absl::StrFormat(
      "%d inclusion proofs at random indices of tree size %d from %d keep-alive clients in "
      "%.3f s: %.0f proofs/s\n",
      bench.operations, result->tree_size, options.clients, bench.seconds,
      bench.seconds > 0 ? bench.operations / bench.seconds : 0.0);
  PrintLatency("Request", bench);
  std::cout << ProofBenchJson(options, *result) << "\n";
  return BenchExit(bench);
}

int RunBenchEvents(const CommandLine& line) {
  EventIngestBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  if (!load.ok()) return UsageError(load.status().message());
  const std::string format = line.Get("format").value_or("json");
  if (format != "json" && format != "protobuf") {
    return UsageError(absl::StrCat("--format: got \"", format, "\", want json or protobuf"));
  }
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  load->ApplyTo(options);
  options.format = format == "json" ? EventFormat::kJson : EventFormat::kProtobuf;
  options.token = *token;
  absl::StatusOr<EventIngestBenchResult> result = RunEventIngestBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  BenchResult& bench = result->bench;
  std::cout << absl::StrFormat(
      "%d events (%s) from %d keep-alive clients in %.3f s: %.0f events/s; log size %d; "
      "indexes caught up %.3f s after the last answer\n",
      bench.operations, format, options.clients, bench.seconds,
      bench.seconds > 0 ? bench.operations / bench.seconds : 0.0, result->tree_size,
      result->index_lag_seconds);
  PrintLatency("Request", bench);
  std::cout << EventIngestBenchJson(options, *result) << "\n";
  return BenchExit(bench);
}

int RunBenchEventsQuery(const CommandLine& line) {
  EventQueryBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  absl::StatusOr<uint64_t> seed = NumberFlagOr(line, "seed", 1, 0, UINT64_MAX);
  for (const absl::Status& s : {load.status(), seed.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  load->ApplyTo(options);
  options.seed = *seed;
  options.token = *token;
  absl::StatusOr<EventQueryBenchResult> result = RunEventQueryBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  std::cout << absl::StrFormat(
      "searches of a log of %d entries (events logged over %.1f s), %d keep-alive clients:\n",
      result->tree_size,
      absl::ToDoubleSeconds(result->last_logged - result->first_logged), options.clients);
  BenchResult all;
  for (QueryShapeResult& variant : result->shapes) {
    BenchResult& bench = variant.bench;
    std::cout << absl::StrFormat(
        "  %-20s %6d queries, %8.0f queries/s, p50 %8.3f ms, p99 %8.3f ms, %5.1f matches each\n",
        variant.name, bench.operations, bench.seconds > 0 ? bench.operations / bench.seconds : 0.0,
        bench.latency.Percentile(50) * 1e3, bench.latency.Percentile(99) * 1e3,
        bench.operations > 0 ? static_cast<double>(variant.matches) / bench.operations : 0.0);
    all.Merge(bench);
  }
  if (all.errors > 0) std::cout << all.errors << " errors; the first: " << all.first_error << "\n";
  if (all.deadline_hit) std::cout << "stopped at the --max-seconds deadline\n";
  std::cout << EventQueryBenchJson(options, *result) << "\n";
  return BenchExit(all);
}

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"keygen",
       "vellum keygen --origin ORIGIN --out PREFIX [--cosigner]\n"
       "  Generates an Ed25519 signed-note key named ORIGIN. Writes PREFIX.key (the signer key,\n"
       "  mode 0600) and PREFIX.pub (the verifier key), and prints the verifier key. Existing\n"
       "  files are never overwritten. --cosigner makes a witness key (c2sp.org/tlog-cosignature,\n"
       "  type 0x04), for vellum witness; ORIGIN is then the witness's name.\n",
       {{"origin"}, {"out"}, {"cosigner", false, true}},
       RunKeygen},
      {"witness", kWitnessUsage, {std::begin(kWitnessFlags), std::end(kWitnessFlags)},
       RunWitness},
      {"verify inclusion",
       "vellum verify inclusion --leaf-hash B64 --index I --size N --root B64 --proof B64,...\n"
       "  Checks an RFC 6962 inclusion proof: that the leaf with hash B64 is at index I of the\n"
       "  tree of size N with the given root. --proof \"\" is the empty proof.\n",
       {{"leaf-hash"}, {"index"}, {"size"}, {"root"}, {"proof"}},
       RunVerifyInclusion},
      {"verify consistency",
       "vellum verify consistency --size1 M --size2 N --root1 B64 --root2 B64 --proof B64,...\n"
       "  Checks an RFC 6962 consistency proof: that the tree of size N with root2 extends the\n"
       "  tree of size M with root1. --proof \"\" is the empty proof.\n",
       {{"size1"}, {"size2"}, {"root1"}, {"root2"}, {"proof"}},
       RunVerifyConsistency},
      {"verify checkpoint",
       "vellum verify checkpoint --verifier-key KEY [--witness-key WKEY]... [--min-witnesses K]\n"
       "                         [FILE|-]\n"
       "  Checks a signed checkpoint (c2sp.org/tlog-checkpoint) against the log's verifier key.\n"
       "  KEY is a verifier key or a file holding one. Prints origin, size and root. With\n"
       "  --witness-key, at least K (default: all) of the witness keys must have cosigned it\n"
       "  (c2sp.org/tlog-cosignature), and a cosignature by a listed witness that does not verify\n"
       "  is invalid; prints the witnesses that cosigned.\n",
       {{"verifier-key"}, {"witness-key", true}, {"min-witnesses"}},
       RunVerifyCheckpoint},
      {"verify evidence",
       "vellum verify evidence --verifier-key KEY FILE\n"
       "  Checks split-view evidence (docs/formats.md), as vellum monitor writes it, offline: both\n"
       "  checkpoints are signed by KEY, and either they have the same size and different roots,\n"
       "  or the larger one's consistency proof leads from its root at the smaller size to its\n"
       "  own root while that prefix root differs from the smaller checkpoint's. Exit 0 when the\n"
       "  evidence proves a split view, 1 when it does not, 2 for usage or I/O errors.\n",
       {{"verifier-key"}},
       RunVerifyEvidence},
      {"verify receipt",
       "vellum verify receipt --verifier-key KEY --entry FILE RECEIPT\n"
       "  Checks a c2sp.org/tlog-proof@v1 receipt: its checkpoint is signed by KEY and the entry\n"
       "  in FILE is in that checkpoint's tree at the receipt's index.\n",
       {{"verifier-key"}, {"entry"}},
       RunVerifyReceipt},
      {"hash leaf",
       "vellum hash leaf [FILE|-]\n"
       "  Prints the base64 RFC 6962 leaf hash, SHA-256(0x00 || entry), of the entry in FILE.\n",
       {},
       RunHashLeaf},
      {"append",
       "vellum append --server URL [--token-file FILE] [--receipt] [--receipt-out FILE]\n"
       "              [--verifier-key KEY] [FILE|-]\n"
       "  Appends the entry in FILE (1 to 65535 bytes; standard input by default) to the log at\n"
       "  URL and prints the server's JSON answer (index, leafHash, treeSize). --token-file names\n"
       "  a file holding the bearer token; the token is never printed. With --receipt the answer\n"
       "  carries a c2sp.org/tlog-proof receipt, verified here before it is printed (exit 1 if it\n"
       "  does not verify); --receipt-out also writes it to FILE. The receipt is checked against\n"
       "  KEY (a verifier key or a file holding one); without --verifier-key the key is fetched\n"
       "  from the server's /v1/log, which is trust on first use: it proves only that the server\n"
       "  signed, not that it is the log you mean.\n",
       {{"server"}, {"token-file"}, {"receipt", false, true}, {"receipt-out"},
        {"verifier-key"}},
       RunAppend},
      {"checkpoint",
       "vellum checkpoint --server URL --verifier-key KEY\n"
       "  Fetches the log's latest checkpoint, verifies its signature with KEY (a verifier key or\n"
       "  a file holding one), and prints origin, size and root, a blank line, then the signed\n"
       "  note. Exit 1 if it does not verify.\n",
       {{"server"}, {"verifier-key"}},
       RunCheckpoint},
      {"prove",
       "vellum prove --server URL --verifier-key KEY --index I\n"
       "  Fetches and verifies the log's checkpoint, then fetches entry I and its inclusion proof\n"
       "  for the checkpoint's tree size and verifies the proof locally (RFC 6962). Prints the\n"
       "  checkpoint's fields, the leaf hash and the proof (as --proof for 'vellum verify\n"
       "  inclusion'). Exit 0 only if everything verifies, 1 if not.\n",
       {{"server"}, {"verifier-key"}, {"index"}},
       RunProve},
      {"verify log",
       "vellum verify log --server URL --verifier-key KEY\n"
       "  The monitor's audit: fetches and verifies the checkpoint, then every entry bundle and\n"
       "  every tile of every level (c2sp.org/tlog-tiles, full and partial), recomputes every\n"
       "  leaf hash, every tile hash from the level below, and the root. Exit 0 only if all of it\n"
       "  agrees with the checkpoint; 1 with one line naming the first difference, e.g.\n"
       "  \"tile/0/x001/234 hash 17: got X, want Y\" (got: served; want: recomputed). Progress\n"
       "  goes to stderr every 64 bundles. Costs about two hashes per entry, streaming: memory\n"
       "  stays bounded whatever the log's size.\n",
       {{"server"}, {"verifier-key"}},
       RunVerifyLog},
      {"fsck",
       "vellum fsck --data-dir DIR [--verifier-key KEY]\n"
       "  Checks a stopped vellumd's store in DIR: the stored checkpoint must be signed by KEY\n"
       "  (default DIR/log.pub), and every entry bundle and tile must agree with it, as\n"
       "  'vellum verify log' checks a live server. LevelDB locks the directory, so run it while\n"
       "  vellumd is stopped. Exit 0 only if everything agrees.\n",
       {{"data-dir"}, {"verifier-key"}},
       RunFsck},
      {"monitor",
       "vellum monitor --server URL --verifier-key KEY --state-dir DIR [--witness-key WKEY]...\n"
       "               [--min-witnesses K] [--peer URL]... [--listen HOST:PORT]\n"
       "               [--interval-ms 10000] [--once]\n"
       "  Follows the log at URL: verifies each new checkpoint (KEY's signature; with\n"
       "  --witness-key, at least K valid cosignatures, default all), its consistency with the\n"
       "  last trusted one, and every new entry bundle and tile, kept in a verified mirror in\n"
       "  DIR (resumed on restart). Each round it also fetches the checkpoint of every --peer (a\n"
       "  monitor's base URL, or a full URL ending in .../checkpoint?..., such as a witness's\n"
       "  /v1/witness/checkpoint?origin=...) and compares it with the mirror. A split view is\n"
       "  written to DIR as evidence for 'vellum verify evidence'. With --listen it serves\n"
       "  /checkpoint (the latest verified checkpoint), /healthz and /metrics. --once runs one\n"
       "  round: exit 0 if all verified, 1 on a split view or inconsistency, 2 if an exchange\n"
       "  failed. Otherwise it runs a round every --interval-ms until SIGTERM, printing ALERT\n"
       "  lines on stderr and answering /healthz with 503 once it found something.\n",
       {{"server"}, {"verifier-key"}, {"state-dir"}, {"witness-key", true}, {"min-witnesses"},
        {"peer", true}, {"listen"}, {"interval-ms"}, {"once", false, true}},
       RunMonitor},
      {"bench append",
       "vellum bench append --data-dir DIR --entries N [--entry-bytes 300] [--clients 32]\n"
       "                    [--batch 128] [--max-batch-entries 4096] [--max-batch-delay-us 0]\n"
       "                    [--max-seconds 300] [--metrics]\n"
       "  Measures durable appends in-process: creates a new log in DIR (which must not hold one)\n"
       "  and appends N entries through the real sequencer and LevelDB store, every batch synced\n"
       "  before it is acknowledged. C client threads each call Append with --batch entries at a\n"
       "  time; the sequencer merges concurrent calls into group commits of at most\n"
       "  --max-batch-entries. Prints a summary, then as the last line one JSON object: entries,\n"
       "  seconds, entries_per_second, batches, p50/p99/max Append latency. --metrics also\n"
       "  prints the sequencer's metrics (batch sizes, commit latency histograms).\n",
       {{"data-dir"}, {"entries"}, {"entry-bytes"}, {"clients"}, {"batch"},
        {"max-batch-entries"}, {"max-batch-delay-us"}, {"max-seconds"},
        {"metrics", false, true}},
       RunBenchAppend},
      {"bench http",
       "vellum bench http --server URL --clients C --requests N [--batch 1] [--receipt]\n"
       "                  [--entry-bytes 300] [--token-file FILE] [--max-seconds 300]\n"
       "  Load generator for appends: C threads, each with its own keep-alive connection, send N\n"
       "  requests in all: single-entry POST /v1/entries (with ?receipt=1 if --receipt) when\n"
       "  --batch is 1, else POST /v1/entries:batch with --batch entries (binary protobuf).\n"
       "  Answers are asked for as binary protobuf and checked. Prints requests/s, entries/s and\n"
       "  p50/p99/max latency; the last line is one JSON object. Only run it against your own\n"
       "  server: every request appends to the log for good.\n",
       {{"server"}, {"clients"}, {"requests"}, {"batch"}, {"receipt", false, true},
        {"entry-bytes"}, {"token-file"}, {"max-seconds"}},
       RunBenchHttp},
      {"bench proofs",
       "vellum bench proofs --server URL --clients C --requests N [--seed 1] [--max-seconds 300]\n"
       "  Load generator for proofs: reads the log's size from /v1/log, then C keep-alive clients\n"
       "  request N inclusion proofs in all (binary protobuf) at uniformly random indices for\n"
       "  that size. Prints proofs/s and p50/p99/max latency; the last line is one JSON object.\n",
       {{"server"}, {"clients"}, {"requests"}, {"seed"}, {"max-seconds"}},
       RunBenchProofs},
      {"bench events",
       "vellum bench events --server URL --clients C --requests N [--format json|protobuf]\n"
       "                    [--token-file FILE] [--max-seconds 300]\n"
       "  Load generator for event ingestion: C threads, each with its own keep-alive\n"
       "  connection, POST N distinct synthetic audit events in all to /v1/events (proto3 JSON by\n"
       "  default), with varied actors, models, versions, actions and outcomes. Then waits for the\n"
       "  server's indexes to cover the log (from /metrics). Prints events/s, p50/p99/max latency\n"
       "  and the index catch-up time; the last line is one JSON object. Only run it against your\n"
       "  own server: every event is logged for good.\n",
       {{"server"}, {"clients"}, {"requests"}, {"format"}, {"token-file"}, {"max-seconds"}},
       RunBenchEvents},
      {"bench events-query",
       "vellum bench events-query --server URL --clients C --requests N [--seed 1]\n"
       "                          [--token-file FILE] [--max-seconds 300]\n"
       "  Load generator for event search: N random GET /v1/events in all, split evenly over\n"
       "  eight variants run one after another: by actor, by model and version, by action and\n"
       "  outcome, by a logged-time window of 1% of the log's span, each without and with\n"
       "  proof=1, limit 100. Prints queries/s, p50/p99 latency and matches per variant; the last\n"
       "  line is one JSON object.\n",
       {{"server"}, {"clients"}, {"requests"}, {"seed"}, {"token-file"}, {"max-seconds"}},
       RunBenchEventsQuery},
      {"events", kEventsUsage, {std::begin(kEventsFlags), std::end(kEventsFlags)},
       [](const CommandLine& line) {
         std::unique_ptr<NoteVerifier> verifier;
         if (line.Has("verify")) {
           absl::StatusOr<std::unique_ptr<NoteVerifier>> key = VerifierKeyFlag(line);
           if (!key.ok()) return UsageError(key.status().message());
           verifier = *std::move(key);
         }
         return RunEvents(line, verifier.get());
       }},
      {"decode", kDecodeUsage, {std::begin(kDecodeFlags), std::end(kDecodeFlags)}, RunDecode},
      {"reindex", kReindexUsage, {std::begin(kReindexFlags), std::end(kReindexFlags)},
       RunReindex},
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
  g_command_name = found->name;
  std::vector<std::string> rest(args.begin() + words, args.end());
  absl::StatusOr<CommandLine> line = CommandLine::Parse(rest, found->flags);
  if (!line.ok()) return UsageError(line.status().message());
  if (line->help()) {
    std::cout << found->usage;
    return kValid;
  }
  return found->run(*line);
}

}  // namespace
}  // namespace cli
}  // namespace vellum

int main(int argc, char** argv) { return vellum::cli::Main(argc, argv); }
