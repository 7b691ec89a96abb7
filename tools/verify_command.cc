#include "tools/verify_command.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "api/client/http_log_reader.h"
#include "ledger/file_io.h"
#include "ledger/identity/token_file.h"
#include "ledger/log_audit.h"
#include "ledger/stored_head.h"
#include "ledger/stored_log.h"
#include "proof/cosigned_checkpoint.h"
#include "proof/crypto.h"
#include "proof/evidence.h"
#include "proof/receipt.h"
#include "proof/tile.h"
#include "proof/verify.h"
#include "tools/command_support.h"

namespace vellum {
namespace cli {

const char kKeygenUsage[] =
    "vellum keygen --origin ORIGIN --out PREFIX [--cosigner]\n"
    "vellum keygen --token --principal NAME [--groups GROUP,...]\n"
    "  Generates an Ed25519 signed-note key named ORIGIN. Writes PREFIX.key (the signer key,\n"
    "  mode 0600) and PREFIX.pub (the verifier key), and prints the verifier key. Existing\n"
    "  files are never overwritten. --cosigner makes a witness key (c2sp.org/tlog-cosignature,\n"
    "  type 0x04), for vellum witness; ORIGIN is then the witness's name.\n"
    "  --token makes a bearer token of 256 random bits instead, and prints two lines: the\n"
    "  token (base64url, for the client's --token-file), then its line for vellumd's\n"
    "  auth.token_file, `<sha256-hex> NAME [GROUP,...]`. The token, 43 characters, also serves\n"
    "  as an ingestion secret.\n";

const FlagSpec kKeygenFlags[6] = {
    {"origin"}, {"out"}, {"cosigner", false, true}, {"token", false, true}, {"principal"},
    {"groups"},
};

const char kVerifyInclusionUsage[] =
    "vellum verify inclusion --leaf-hash B64 --index I --size N --root B64 --proof B64,...\n"
    "  Checks an RFC 6962 inclusion proof: that the leaf with hash B64 is at index I of the\n"
    "  tree of size N with the given root. --proof \"\" is the empty proof.\n";

const FlagSpec kVerifyInclusionFlags[5] = {{"leaf-hash"}, {"index"}, {"size"}, {"root"}, {"proof"}};

const char kVerifyConsistencyUsage[] =
    "vellum verify consistency --size1 M --size2 N --root1 B64 --root2 B64 --proof B64,...\n"
    "  Checks an RFC 6962 consistency proof: that the tree of size N with root2 extends the\n"
    "  tree of size M with root1. --proof \"\" is the empty proof.\n";

const FlagSpec kVerifyConsistencyFlags[5] = {{"size1"}, {"size2"}, {"root1"}, {"root2"}, {"proof"}};

const char kVerifyCheckpointUsage[] =
    "vellum verify checkpoint --verifier-key KEY [--witness-key WKEY]... [--min-witnesses K]\n"
    "                         [FILE|-]\n"
    "  Checks a signed checkpoint (c2sp.org/tlog-checkpoint) against the log's verifier key.\n"
    "  KEY is a verifier key or a file holding one. Prints origin, size and root. With\n"
    "  --witness-key, at least K (default: all) of the witness keys must have cosigned it\n"
    "  (c2sp.org/tlog-cosignature), and a cosignature by a listed witness that does not verify\n"
    "  is invalid; prints the witnesses that cosigned.\n";

const FlagSpec kVerifyCheckpointFlags[3] = {
    {"verifier-key"}, {"witness-key", true}, {"min-witnesses"},
};

const char kVerifyReceiptUsage[] =
    "vellum verify receipt --verifier-key KEY --entry FILE RECEIPT\n"
    "  Checks a c2sp.org/tlog-proof@v1 receipt: its checkpoint is signed by KEY and the entry\n"
    "  in FILE is in that checkpoint's tree at the receipt's index.\n";

const FlagSpec kVerifyReceiptFlags[2] = {{"verifier-key"}, {"entry"}};

const char kVerifyEvidenceUsage[] =
    "vellum verify evidence --verifier-key KEY FILE\n"
    "  Checks split-view evidence (docs/formats.md), as vellum monitor writes it, offline: both\n"
    "  checkpoints are signed by KEY, and either they have the same size and different roots,\n"
    "  or the larger one's consistency proof leads from its root at the smaller size to its\n"
    "  own root while that prefix root differs from the smaller checkpoint's. Exit 0 when the\n"
    "  evidence proves a split view, 1 when it does not, 2 for usage or I/O errors.\n";

const FlagSpec kVerifyEvidenceFlags[1] = {{"verifier-key"}};

const char kHashLeafUsage[] =
    "vellum hash leaf [FILE|-]\n"
    "  Prints the base64 RFC 6962 leaf hash, SHA-256(0x00 || entry), of the entry in FILE.\n";

const char kVerifyLogUsage[] =
    "vellum verify log --server URL --verifier-key KEY\n"
    "  The monitor's audit: fetches and verifies the checkpoint, then every entry bundle and\n"
    "  every tile of every level (c2sp.org/tlog-tiles, full and partial), recomputes every\n"
    "  leaf hash, every tile hash from the level below, and the root. Exit 0 only if all of it\n"
    "  agrees with the checkpoint; 1 with one line naming the first difference, e.g.\n"
    "  \"tile/0/x001/234 hash 17: got X, want Y\" (got: served; want: recomputed). Progress\n"
    "  goes to stderr every 64 bundles. Costs about two hashes per entry, streaming: memory\n"
    "  stays bounded whatever the log's size.\n";

const FlagSpec kVerifyLogFlags[2] = {{"server"}, {"verifier-key"}};

const char kFsckUsage[] =
    "vellum fsck --data-dir DIR [--verifier-key KEY]\n"
    "  Checks a stopped vellumd's store in DIR: the stored checkpoint must be signed by KEY\n"
    "  (default DIR/log.pub), and every entry bundle and tile must agree with it, as\n"
    "  'vellum verify log' checks a live server. LevelDB locks the directory, so run it while\n"
    "  vellumd is stopped. Exit 0 only if everything agrees.\n";

const FlagSpec kFsckFlags[2] = {{"data-dir"}, {"verifier-key"}};

namespace {

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

// Runs the full audit of `checkpoint`'s tree, read through `log`, and reports it.
int Audit(const ledger::LogReader& log, const Checkpoint& checkpoint) {
  ledger::AuditOptions options;
  options.progress_every_bundles = 64;
  options.progress = [](const ledger::AuditProgress& p) {
    std::cerr << "vellum " << CommandName() << ": " << p.entries << " of " << p.tree_size
              << " entries verified (" << p.bundles << " bundles, " << p.tiles << " tiles)\n";
  };
  absl::StatusOr<ledger::AuditResult> result = ledger::AuditLog(log, checkpoint, options);
  if (!result.ok()) return ServerFailure(result.status());
  std::cout << "valid: " << result->entries << " entries in " << result->bundles
            << " bundles and " << result->tiles << " tiles agree with the checkpoint of size "
            << checkpoint.size << ", root " << HashToBase64(result->root) << "\n";
  return kValid;
}

// vellum keygen --token.
int RunKeygenToken(const CommandLine& line) {
  for (const char* flag : {"origin", "out", "cosigner"}) {
    if (line.Has(flag)) return UsageError(absl::StrCat("--token takes no --", flag));
  }
  auto bad_name = [](absl::string_view what, absl::string_view name) {
    return UsageError(
        absl::StrCat(what, " \"", name, "\": want 1 to 256 letters, digits or .-_:@/#+="));
  };
  absl::StatusOr<std::string> principal = line.Require("principal");
  if (!principal.ok()) return UsageError(principal.status().message());
  if (!ledger::identity::IsValidName(*principal)) return bad_name("--principal", *principal);
  const std::string groups = line.Get("groups").value_or("");
  if (!groups.empty()) {
    for (absl::string_view group : absl::StrSplit(groups, ',')) {
      if (!ledger::identity::IsValidName(group)) return bad_name("--groups: group", group);
    }
  }
  if (!line.positional().empty()) return UsageError("keygen takes no positional arguments");
  uint8_t bits[32];
  if (absl::Status s = crypto::RandomBytes(absl::MakeSpan(bits)); !s.ok()) return IoError(s);
  const std::string token =
      absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(bits), 32));
  std::cout << token << "\n"
            << ledger::identity::TokenSet::Line(token, *principal, groups) << "\n";
  return kValid;
}

}  // namespace

int RunKeygen(const CommandLine& line) {
  if (line.Has("token")) return RunKeygenToken(line);
  for (const char* flag : {"principal", "groups"}) {
    if (line.Has(flag)) return UsageError(absl::StrCat("--", flag, " needs --token"));
  }
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
  PrintCheckpointFields(opened->checkpoint);
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
  absl::StatusOr<std::string> entry = ledger::ReadInput(*entry_path, kMaxEntrySize);
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
  absl::StatusOr<std::string> entry = ledger::ReadInput(*input, kMaxEntrySize);
  if (!entry.ok()) return IoError(entry.status());
  std::cout << HashToBase64(HashLeaf(*entry)) << "\n";
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

}  // namespace cli
}  // namespace vellum
