// vellumd: the Vellum log server. See docs/operations.md.
//
//   vellumd --data-dir DIR [--listen 127.0.0.1:8080] [--signer-key FILE] [--origin ORIGIN]
//           [--token-file FILE] [--max-batch-entries N] [--max-batch-delay-us N]
//           [--tile-cache-mib N] [--http-threads N] [--witness URL=VKEY ... [--witness-quorum K]
//           [--witness-interval-ms N]] [--ingest-secrets DIR] [--k8s-cluster NAME]
//           [--k8s-resources FILE]

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/auth.h"
#include "api/ingest/k8s_audit.h"
#include "api/server/log_server.h"
#include "api/witness_collector.h"
#include "ledger/sequencer.h"
#include "proof/decimal.h"
#include "proof/note.h"
#include "tools/command_line.h"
#include "ledger/file_io.h"
#include "tools/ingest_adapters.h"
#include "tools/serving.h"

namespace vellum {
namespace {

constexpr char kUsage[] =
    "vellumd --data-dir DIR [--listen 127.0.0.1:8080] [--signer-key FILE] [--origin ORIGIN]\n"
    "        [--token-file FILE] [--max-batch-entries N] [--max-batch-delay-us N]\n"
    "        [--tile-cache-mib N] [--http-threads N] [--witness URL=VKEY ... [--witness-quorum K]\n"
    "        [--witness-interval-ms N]] [--ingest-secrets DIR] [--k8s-cluster NAME]\n"
    "        [--k8s-resources FILE]\n"
    "  Serves the Vellum log stored in DIR (created if missing). Without --signer-key the log's\n"
    "  key is DIR/log.key, created on first start (mode 0600) for ORIGIN (default\n"
    "  localhost/vellum). --token-file lists the SHA-256 (hex) of each bearer token allowed to\n"
    "  append; without it the server only listens on loopback. Stops cleanly on SIGTERM.\n"
    "  --tile-cache-mib bounds the expanded tiles kept for proofs (default 128; 0 for none).\n"
    "  --http-threads sets the I/O threads, each keeping the connections dealt to it (default:\n"
    "  half the CPUs, at least 1).\n"
    "  --witness URL=VKEY (repeatable) sends each new checkpoint to that witness\n"
    "  (c2sp.org/tlog-witness); /checkpoint then serves the newest checkpoint cosigned by\n"
    "  --witness-quorum K of them (default: all), at most every --witness-interval-ms (1000).\n"
    "  --ingest-secrets DIR holds the webhook secrets of /v1/ingest/{mlflow,databricks,github},\n"
    "  one file per adapter named after it, one secret per line (two while one is rotated);\n"
    "  an adapter without its file is disabled.\n"
    "  --k8s-cluster names the cluster of /v1/ingest/k8s-audit (default kubernetes);\n"
    "  --k8s-resources FILE lists the model-related resources it records, one\n"
    "  <api group>/<resource> per line (default: KServe and Seldon resources).\n";

constexpr size_t kMaxKeyFileBytes = 4096;
constexpr uint64_t kMaxHttpThreads = 64;

int Fail(const absl::Status& status) {
  std::cerr << "vellumd: " << status.message() << "\n";
  return 1;
}

// Loads the signer key: from --signer-key, or DIR/log.key, created on first start.
absl::StatusOr<std::unique_ptr<NoteSigner>> LoadSigner(const cli::CommandLine& line,
                                                       const std::string& data_dir) {
  absl::optional<std::string> path = line.Get("signer-key");
  absl::optional<std::string> origin = line.Get("origin");
  if (!path.has_value()) {
    path = data_dir + "/log.key";
    struct stat st;
    if (stat(path->c_str(), &st) != 0) {
      absl::StatusOr<GeneratedKey> key = GenerateNoteKey(origin.value_or("localhost/vellum"));
      if (!key.ok()) return key.status();
      absl::Status status = ledger::WriteNewFile(*path, key->signer_key + "\n", 0600);
      if (status.ok()) {
        status = ledger::WriteNewFile(data_dir + "/log.pub", key->verifier_key + "\n", 0644);
      }
      if (!status.ok()) return status;
      std::cerr << "vellumd: created the log key " << *path << "\n";
    }
  }
  absl::StatusOr<std::string> text = ledger::ReadInput(*path, kMaxKeyFileBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer =
      NoteSigner::Create(absl::StripAsciiWhitespace(*text));
  if (!signer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("signer key ", *path, ": ", signer.status().message()));
  }
  if ((*signer)->type() != kNoteSignatureTypeEd25519) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signer key ", *path, " is a witness's cosigner key (type 0x04); the log needs a note key "
        "(vellum keygen without --cosigner)"));
  }
  if (origin.has_value() && *origin != (*signer)->name()) {
    return absl::InvalidArgumentError(absl::StrCat("--origin ", *origin,
                                                   " differs from the key's name ",
                                                   (*signer)->name()));
  }
  return signer;
}

// The witnesses of the --witness flags and the collector's options, checked as
// WitnessCollector::Start would; no witnesses when there are no --witness flags.
struct WitnessConfig {
  std::vector<api::WitnessCollector::Witness> witnesses;
  api::WitnessCollector::Options options;
};

absl::StatusOr<WitnessConfig> ParseWitnesses(const cli::CommandLine& line) {
  WitnessConfig config;
  for (const std::string& spec : line.GetAll("witness")) {
    size_t equals = spec.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--witness ", spec.substr(0, 80), ": want URL=VKEY"));
    }
    auto key = NoteVerifier::Create(spec.substr(equals + 1));
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--witness ", spec.substr(0, equals), ": ", key.status().message()));
    }
    config.witnesses.push_back({spec.substr(0, equals), *std::move(key)});
  }
  if (config.witnesses.empty()) {
    if (line.Has("witness-quorum") || line.Has("witness-interval-ms")) {
      return absl::InvalidArgumentError("--witness-quorum and --witness-interval-ms need --witness");
    }
    return config;
  }
  config.options.quorum = config.witnesses.size();
  if (auto v = line.Get("witness-quorum"); v.has_value()) {
    auto n = ParseDecimal(*v, "--witness-quorum");
    if (!n.ok()) return n.status();
    config.options.quorum = *n;
  }
  if (auto v = line.Get("witness-interval-ms"); v.has_value()) {
    auto n = ParseDecimal(*v, "--witness-interval-ms");
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::InvalidArgumentError("--witness-interval-ms must be at least 1");
    config.options.interval = absl::Milliseconds(*n);
  }
  if (absl::Status s = api::WitnessCollector::Check(config.witnesses, config.options); !s.ok()) {
    return s;
  }
  return config;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static const cli::FlagSpec kFlags[] = {
      {"data-dir"},   {"listen"},           {"signer-key"},         {"origin"},
      {"token-file"}, {"max-batch-entries"}, {"max-batch-delay-us"}, {"tile-cache-mib"},
      {"http-threads"}, {"witness", true}, {"witness-quorum"}, {"witness-interval-ms"},
      {"ingest-secrets"}, {"k8s-cluster"}, {"k8s-resources"},
  };
  absl::StatusOr<cli::CommandLine> line = cli::CommandLine::Parse(args, kFlags);
  if (!line.ok()) {
    std::cerr << "vellumd: " << line.status().message() << "\n" << kUsage;
    return 2;
  }
  if (line->help()) {
    std::cout << kUsage;
    return 0;
  }
  absl::StatusOr<std::string> data_dir = line->Require("data-dir");
  if (!data_dir.ok() || !line->positional().empty()) {
    std::cerr << "vellumd: "
              << (data_dir.ok() ? "takes no positional arguments" : data_dir.status().message())
              << "\n"
              << kUsage;
    return 2;
  }
  auto listen = cli::ParseListen(line->Get("listen").value_or("127.0.0.1:8080"));
  if (!listen.ok()) return Fail(listen.status());
  ledger::SequencerOptions sequencer_options;
  if (auto v = line->Get("max-batch-entries"); v.has_value()) {
    auto n = ParseDecimal(*v, "--max-batch-entries");
    if (!n.ok() || *n == 0) return Fail(absl::InvalidArgumentError("bad --max-batch-entries"));
    sequencer_options.max_batch_entries = *n;
  }
  if (auto v = line->Get("max-batch-delay-us"); v.has_value()) {
    auto n = ParseDecimal(*v, "--max-batch-delay-us");
    if (!n.ok()) return Fail(n.status());
    sequencer_options.max_batch_delay = absl::Microseconds(*n);
  }
  uint64_t tile_cache_mib = 128;
  if (auto v = line->Get("tile-cache-mib"); v.has_value()) {
    auto n = ParseDecimal(*v, "--tile-cache-mib");
    if (!n.ok()) return Fail(n.status());
    tile_cache_mib = *n;
  }
  // Half the CPUs: the other half is left to the sequencer, the workers, LevelDB's compactions
  // and the kernel's network stack (docs/operations.md, "HTTP threads").
  int http_threads = static_cast<int>(std::clamp<uint64_t>(
      std::thread::hardware_concurrency() / 2, 1, kMaxHttpThreads));
  if (auto v = line->Get("http-threads"); v.has_value()) {
    auto n = ParseDecimal(*v, "--http-threads");
    if (!n.ok()) return Fail(n.status());
    if (*n < 1 || *n > kMaxHttpThreads) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--http-threads: got ", *n, ", want 1 to ", kMaxHttpThreads)));
    }
    http_threads = static_cast<int>(*n);
  }

  std::unique_ptr<api::TokenAuthenticator> auth;
  if (auto path = line->Get("token-file"); path.has_value()) {
    auto contents = ledger::ReadInput(*path, 1 << 20);
    if (!contents.ok()) return Fail(contents.status());
    auto parsed = api::TokenAuthenticator::FromFileContents(*contents);
    if (!parsed.ok()) return Fail(parsed.status());
    auth = *std::move(parsed);
  } else if (!cli::IsLoopback(listen->first)) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "refusing to listen on ", listen->first,
        " without --token-file: appends would be open to the network")));
  }

  auto witness_config = ParseWitnesses(*line);
  if (!witness_config.ok()) return Fail(witness_config.status());

  // Configuration files are checked before anything is created in the data directory.
  std::vector<api::ingest::K8sResourceRule> k8s_rules = api::ingest::DefaultK8sResourceRules();
  if (auto path = line->Get("k8s-resources"); path.has_value()) {
    auto text = ledger::ReadInput(*path, 64 * 1024);
    if (!text.ok()) return Fail(text.status());
    auto rules = api::ingest::ParseK8sResourceRules(*text);
    if (!rules.ok()) return Fail(rules.status());
    k8s_rules = *std::move(rules);
  }
  auto adapters = cli::LoadIngestAdapters(line->Get("ingest-secrets"),
                                          line->Get("k8s-cluster").value_or("kubernetes"),
                                          std::move(k8s_rules));
  if (!adapters.ok()) return Fail(adapters.status());

  if (mkdir(data_dir->c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(absl::UnavailableError(absl::StrCat("cannot create ", *data_dir)));
  }
  auto signer = LoadSigner(*line, *data_dir);
  if (!signer.ok()) return Fail(signer.status());
  // Block the signals before any thread starts.
  cli::TerminationSignals signals;

  api::LogServerOptions options;
  options.data_dir = *data_dir;
  options.signer = signer->get();
  options.sequencer = sequencer_options;
  options.tile_cache_bytes = tile_cache_mib << 20;
  options.auth = auth.get();
  options.witnesses = std::move(witness_config->witnesses);
  options.witness_options = witness_config->options;
  for (const auto& adapter : adapters->enabled) options.adapters.push_back(adapter.get());
  options.disabled_adapters = adapters->disabled;
  options.http.address = listen->first;
  options.http.port = listen->second;
  options.http.threads = http_threads;
  auto server = api::LogServer::Open(std::move(options));
  if (!server.ok()) return Fail(server.status());
  const api::WitnessCollector* witnesses = (*server)->witnesses();

  std::cout << "vellumd: log " << (*signer)->name() << " at tree size "
            << (*server)->sequencer().Head()->size << "\n"
            << "vellumd: verifier key " << (*signer)->VerifierKey() << "\n"
            << "vellumd: serving http://" << listen->first << ":" << (*server)->port() << "\n";
  if (witnesses != nullptr) {
    std::cout << "vellumd: /checkpoint serves checkpoints cosigned by "
              << witnesses->quorum() << " of " << witnesses->Status().size()
              << " witnesses\n";
  }
  for (const std::string& text : adapters->startup_lines) std::cout << "vellumd: " << text << "\n";
  if (auth == nullptr) {
    std::cout << "vellumd: no --token-file: appends are open to local clients; listening on "
                 "loopback only\n";
  }
  std::cout.flush();

  int signal_number = signals.Wait();
  std::cout << "vellumd: signal " << signal_number << ", shutting down\n";
  (*server)->Shutdown();
  std::cout << "vellumd: stopped at tree size "
            << (*server)->log().storage().ReadCheckpoint()->first
            << "\n";
  return 0;
}

}  // namespace
}  // namespace vellum

int main(int argc, char** argv) { return vellum::Main(argc, argv); }
