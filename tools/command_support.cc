#include "tools/command_support.h"

#include <sys/stat.h>

#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ledger/file_io.h"
#include "proof/decimal.h"

namespace vellum {
namespace cli {
namespace {

std::string& MutableCommandName() {
  static auto* name = new std::string;
  return *name;
}

}  // namespace

void SetCommandName(absl::string_view name) { MutableCommandName() = std::string(name); }

const std::string& CommandName() { return MutableCommandName(); }

int UsageError(absl::string_view message) {
  std::cerr << "vellum " << CommandName() << ": " << message << "\n"
            << "Run 'vellum " << CommandName() << " --help' for usage.\n";
  return kUsage;
}

int IoError(const absl::Status& status) {
  std::cerr << "vellum " << CommandName() << ": " << status.message() << "\n";
  return kUsage;
}

int Invalid(const absl::Status& status) {
  std::cerr << "vellum " << CommandName() << ": invalid: " << status.message() << "\n";
  return kInvalid;
}

int ServerFailure(const absl::Status& status) {
  return api::IsExchangeError(status) ? IoError(status) : Invalid(status);
}

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

absl::StatusOr<std::string> InputArgument(const CommandLine& line) {
  if (line.positional().size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", line.positional().size(), " input files, want at most 1"));
  }
  return line.positional().empty() ? std::string("-") : line.positional()[0];
}

absl::StatusOr<std::unique_ptr<NoteVerifier>> LoadVerifierKey(
    std::string key, absl::string_view flag) {
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

absl::StatusOr<std::unique_ptr<NoteVerifier>> VerifierKeyFlag(const CommandLine& line) {
  absl::StatusOr<std::string> value = line.Require("verifier-key");
  if (!value.ok()) return value.status();
  return LoadVerifierKey(*value);
}

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

api::HttpClient::Options ClientFlags(const CommandLine& line) {
  api::HttpClient::Options options;
  options.tls.ca_file = line.Get("ca").value_or("");
  options.tls.cert_file = line.Get("client-cert").value_or("");
  options.tls.key_file = line.Get("client-key").value_or("");
  return options;
}

absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> ServerFlag(const CommandLine& line) {
  absl::StatusOr<std::string> url = line.Require("server");
  if (!url.ok()) return url.status();
  absl::StatusOr<std::unique_ptr<api::HttpLogFetcher>> fetcher =
      api::HttpLogFetcher::Create(*url, ClientFlags(line));
  if (!fetcher.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--server: ", fetcher.status().message()));
  }
  return fetcher;
}

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

}  // namespace cli
}  // namespace vellum
