// vellum: the command-line tool for auditors and operators.
//
// Exit status: 0 valid, 1 invalid (one line on stderr saying what differs), 2 usage or I/O
// error. Every command takes --help.

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "proof/checkpoint.h"
#include "proof/decimal.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"
#include "proof/verify.h"
#include "tools/command_line.h"
#include "tools/file_io.h"

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

// --verifier-key holds a verifier key, or the name of a file holding one.
absl::StatusOr<std::unique_ptr<NoteVerifier>> VerifierKeyFlag(const CommandLine& line) {
  absl::StatusOr<std::string> value = line.Require("verifier-key");
  if (!value.ok()) return value.status();
  std::string key = *value;
  struct stat st;
  if (stat(key.c_str(), &st) == 0) {
    absl::StatusOr<std::string> contents = ReadInput(key, kMaxDocumentBytes);
    if (!contents.ok()) return contents.status();
    key = std::string(absl::StripTrailingAsciiWhitespace(*contents));
  }
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = NoteVerifier::Create(key);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--verifier-key: ", verifier.status().message()));
  }
  return verifier;
}

int RunKeygen(const CommandLine& line) {
  absl::StatusOr<std::string> origin = line.Require("origin");
  if (!origin.ok()) return UsageError(origin.status().message());
  absl::StatusOr<std::string> prefix = line.Require("out");
  if (!prefix.ok()) return UsageError(prefix.status().message());
  if (!line.positional().empty()) return UsageError("keygen takes no positional arguments");
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey(*origin);
  if (!key.ok()) return UsageError(key.status().message());
  absl::Status status = WriteNewFile(*prefix + ".key", key->signer_key + "\n", 0600);
  if (status.ok()) status = WriteNewFile(*prefix + ".pub", key->verifier_key + "\n", 0644);
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
  absl::StatusOr<std::string> note = ReadInput(*input, kMaxDocumentBytes);
  if (!note.ok()) return IoError(note.status());
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(*note, **verifier);
  if (!checkpoint.ok()) return Invalid(checkpoint.status());
  std::cout << "origin: " << checkpoint->origin << "\n"
            << "size: " << checkpoint->size << "\n"
            << "root: " << HashToBase64(checkpoint->root) << "\n";
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
  absl::StatusOr<std::string> entry = ReadInput(*entry_path, kMaxEntryBytes);
  if (!entry.ok()) return IoError(entry.status());
  absl::StatusOr<std::string> text = ReadInput(line.positional()[0], kMaxDocumentBytes);
  if (!text.ok()) return IoError(text.status());
  absl::StatusOr<Receipt> receipt = ParseReceipt(*text);
  if (!receipt.ok()) return Invalid(receipt.status());
  absl::Status status = VerifyReceipt(*receipt, *entry, **verifier);
  if (!status.ok()) return Invalid(status);
  std::cout << "valid: the entry is at index " << receipt->index << "\n";
  return kValid;
}

int RunHashLeaf(const CommandLine& line) {
  absl::StatusOr<std::string> input = InputArgument(line);
  if (!input.ok()) return UsageError(input.status().message());
  absl::StatusOr<std::string> entry = ReadInput(*input, kMaxEntryBytes);
  if (!entry.ok()) return IoError(entry.status());
  std::cout << HashToBase64(HashLeaf(*entry)) << "\n";
  return kValid;
}

const std::vector<Command>& Commands() {
  static const auto* commands = new std::vector<Command>{
      {"keygen",
       "vellum keygen --origin ORIGIN --out PREFIX\n"
       "  Generates an Ed25519 signed-note key named ORIGIN. Writes PREFIX.key (the signer key,\n"
       "  mode 0600) and PREFIX.pub (the verifier key), and prints the verifier key. Existing\n"
       "  files are never overwritten.\n",
       {{"origin"}, {"out"}},
       RunKeygen},
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
       "vellum verify checkpoint --verifier-key KEY [FILE|-]\n"
       "  Checks a signed checkpoint (c2sp.org/tlog-checkpoint) against the log's verifier key.\n"
       "  KEY is a verifier key or a file holding one. Prints origin, size and root.\n",
       {{"verifier-key"}},
       RunVerifyCheckpoint},
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
  };
  return *commands;
}

void PrintOverview(std::ostream& out) {
  out << "vellum: verify Vellum logs offline, and manage keys.\n\nCommands:\n";
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
