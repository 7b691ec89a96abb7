#include "tools/log_command.h"

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/client/http_client.h"
#include "api/client/log_client.h"
#include "api/http.h"
#include "ledger/file_io.h"
#include "proof/receipt.h"
#include "proof/tile.h"
#include "tools/command_support.h"

namespace vellum {
namespace cli {

const char kAppendUsage[] =
    "vellum append --server URL [--token-file FILE] [--receipt] [--receipt-out FILE]\n"
    "              [--verifier-key KEY] [--idempotency-key KEY] [FILE|-]\n"
    "  Appends the entry in FILE (1 to 65535 bytes; standard input by default) to the log at\n"
    "  URL and prints the server's JSON answer (index, leafHash, treeSize). --token-file names\n"
    "  a file holding the bearer token; the token is never printed. With --receipt the answer\n"
    "  carries a c2sp.org/tlog-proof receipt, verified here before it is printed (exit 1 if it\n"
    "  does not verify); --receipt-out also writes it to FILE. The receipt is checked against\n"
    "  KEY (a verifier key or a file holding one); without --verifier-key the key is fetched\n"
    "  from the server's /v1/log, which is trust on first use: it proves only that the server\n"
    "  signed, not that it is the log you mean. --idempotency-key sends KEY as the\n"
    "  Idempotency-Key header: run again with the same KEY after a failure (a 503 or 507 that\n"
    "  says the entry may have been stored), and the entry is never appended twice; a\n"
    "  repeat's answer says \"duplicate\":true.\n";

const FlagSpec kAppendFlags[6] = {
    {"server"},       {"token-file"},   {"receipt", false, true},
    {"receipt-out"}, {"verifier-key"}, {"idempotency-key"},
};

const char kCheckpointUsage[] =
    "vellum checkpoint --server URL --verifier-key KEY\n"
    "  Fetches the log's latest checkpoint, verifies its signature with KEY (a verifier key or\n"
    "  a file holding one), and prints origin, size and root, a blank line, then the signed\n"
    "  note. Exit 1 if it does not verify.\n";

const FlagSpec kCheckpointFlags[2] = {{"server"}, {"verifier-key"}};

const char kProveUsage[] =
    "vellum prove --server URL --verifier-key KEY --index I\n"
    "  Fetches and verifies the log's checkpoint, then fetches entry I and its inclusion proof\n"
    "  for the checkpoint's tree size and verifies the proof locally (RFC 6962). Prints the\n"
    "  checkpoint's fields, the leaf hash and the proof (as --proof for 'vellum verify\n"
    "  inclusion'). Exit 0 only if everything verifies, 1 if not.\n";

const FlagSpec kProveFlags[3] = {{"server"}, {"verifier-key"}, {"index"}};

int RunAppend(const CommandLine& line) {
  absl::StatusOr<std::string> url = line.Require("server");
  if (!url.ok()) return UsageError(url.status().message());
  absl::StatusOr<std::unique_ptr<api::HttpClient>> client =
      api::HttpClient::Create(*url, ClientFlags(line));
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
  absl::StatusOr<std::string> entry = ledger::ReadInput(*input, kMaxEntrySize);
  if (!entry.ok()) return IoError(entry.status());
  if (entry->empty()) return UsageError("the entry is empty; entries are 1 to 65535 bytes");

  if (want_receipt && verifier == nullptr) {
    // Trust on first use: nothing authenticates a key the server names itself.
    absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> fetcher =
        api::HttpLogFetcher::Create(*url, ClientFlags(line));
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
  if (absl::optional<std::string> key = line.Get("idempotency-key"); key.has_value()) {
    headers.emplace_back("Idempotency-Key", *key);
  }
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

}  // namespace cli
}  // namespace vellum
