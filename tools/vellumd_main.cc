// vellumd: the Vellum log server. See docs/operations.md.
//
//   vellumd [--config FILE] [--data-dir DIR] [--listen 127.0.0.1:8080] [--signer-key FILE]
//           [--origin ORIGIN] [--token-file FILE] [--max-batch-entries N] [--max-batch-delay-us N]
//           [--tile-cache-mib N] [--http-threads N] [--witness URL=VKEY ... [--witness-quorum K]
//           [--witness-interval-ms N]] [--ingest-secrets DIR] [--k8s-cluster NAME]
//           [--k8s-resources FILE]

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/auth.h"
#include "api/ingest/k8s_audit.h"
#include "api/server/log_server.h"
#include "api/witness_collector.h"
#include "ledger/file_io.h"
#include "ledger/sequencer.h"
#include "proof/note.h"
#include "tools/command_line.h"
#include "tools/ingest_adapters.h"
#include "tools/serving.h"
#include "tools/vellumd_config.h"

namespace vellum {
namespace {

constexpr char kUsage[] =
    "vellumd [--config FILE] [--data-dir DIR] [--listen 127.0.0.1:8080] [--signer-key FILE]\n"
    "        [--origin ORIGIN]\n"
    "        [--token-file FILE] [--max-batch-entries N] [--max-batch-delay-us N]\n"
    "        [--tile-cache-mib N] [--http-threads N] [--witness URL=VKEY ... [--witness-quorum K]\n"
    "        [--witness-interval-ms N]] [--ingest-secrets DIR] [--k8s-cluster NAME]\n"
    "        [--k8s-resources FILE]\n"
    "  --config FILE reads the YAML configuration (docs/operations.md); a flag given on the\n"
    "  command line overrides its key, and vellumd says so at start. The data directory comes\n"
    "  from --data-dir or the file's data_dir.\n"
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
constexpr size_t kMaxTokenFileBytes = 1 << 20;
constexpr size_t kMaxK8sResourcesBytes = 64 * 1024;
constexpr uint32_t kDefaultTileCacheMib = 128;
constexpr uint64_t kMaxHttpThreads = 64;

int Fail(const absl::Status& status) {
  std::cerr << "vellumd: " << status.message() << "\n";
  return 1;
}

// Loads the signer key: signer_key, or DIR/log.key, created on first start.
absl::StatusOr<std::unique_ptr<NoteSigner>> LoadSigner(const api::config::Config& config) {
  const std::string& data_dir = config.data_dir();
  std::string path = config.signer_key();
  if (path.empty()) {
    path = data_dir + "/log.key";
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      absl::StatusOr<GeneratedKey> key =
          GenerateNoteKey(config.origin().empty() ? "localhost/vellum" : config.origin());
      if (!key.ok()) return key.status();
      absl::Status status = ledger::WriteNewFile(path, key->signer_key + "\n", 0600);
      if (status.ok()) {
        status = ledger::WriteNewFile(data_dir + "/log.pub", key->verifier_key + "\n", 0644);
      }
      if (!status.ok()) return status;
      std::cerr << "vellumd: created the log key " << path << "\n";
    }
  }
  absl::StatusOr<std::string> text = ledger::ReadInput(path, kMaxKeyFileBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer =
      NoteSigner::Create(absl::StripAsciiWhitespace(*text));
  if (!signer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("signer key ", path, ": ", signer.status().message()));
  }
  if ((*signer)->type() != kNoteSignatureTypeEd25519) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signer key ", path, " is a witness's cosigner key (type 0x04); the log needs a note key "
        "(vellum keygen without --cosigner)"));
  }
  if (!config.origin().empty() && config.origin() != (*signer)->name()) {
    return absl::InvalidArgumentError(absl::StrCat("origin ", config.origin(),
                                                   " differs from the key's name ",
                                                   (*signer)->name()));
  }
  return signer;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<cli::CommandLine> line = cli::CommandLine::Parse(args, cli::VellumdFlags());
  if (!line.ok()) {
    std::cerr << "vellumd: " << line.status().message() << "\n" << kUsage;
    return 2;
  }
  if (line->help()) {
    std::cout << kUsage;
    return 0;
  }
  if (!line->positional().empty()) {
    std::cerr << "vellumd: takes no positional arguments\n" << kUsage;
    return 2;
  }
  std::unique_ptr<char, decltype(&free)> cwd(getcwd(nullptr, 0), &free);
  if (cwd == nullptr) return Fail(absl::UnavailableError("cannot read the current folder"));
  absl::StatusOr<cli::VellumdConfig> effective = cli::BuildVellumdConfig(*line, cwd.get());
  if (!effective.ok()) {
    if (!line->Has("config") && !line->Has("data-dir")) {
      std::cerr << "vellumd: " << effective.status().message() << "\n" << kUsage;
      return 2;
    }
    return Fail(effective.status());
  }
  const api::config::Config& config = effective->config;
  if (absl::Status status = cli::CheckServed(config); !status.ok()) return Fail(status);

  auto listen = cli::ParseListen(config.listen());
  if (!listen.ok()) return Fail(listen.status());
  ledger::SequencerOptions sequencer_options;
  if (config.sequencer().has_max_batch_entries()) {
    sequencer_options.max_batch_entries = config.sequencer().max_batch_entries();
  }
  if (config.sequencer().has_max_batch_delay_us()) {
    sequencer_options.max_batch_delay = absl::Microseconds(config.sequencer().max_batch_delay_us());
  }
  const uint64_t tile_cache_mib =
      config.http().has_tile_cache_mib() ? config.http().tile_cache_mib() : kDefaultTileCacheMib;
  // Half the CPUs: the other half is left to the sequencer, the workers, LevelDB's compactions
  // and the kernel's network stack (docs/operations.md, "HTTP threads").
  const int http_threads =
      config.http().has_threads()
          ? static_cast<int>(config.http().threads())
          : static_cast<int>(std::clamp<uint64_t>(std::thread::hardware_concurrency() / 2, 1,
                                                  kMaxHttpThreads));

  std::unique_ptr<api::TokenAuthenticator> auth;
  if (const std::string& path = config.auth().token_file(); !path.empty()) {
    auto contents = ledger::ReadInput(path, kMaxTokenFileBytes);
    if (!contents.ok()) return Fail(contents.status());
    auto parsed = api::TokenAuthenticator::FromFileContents(*contents);
    if (!parsed.ok()) return Fail(parsed.status());
    auth = *std::move(parsed);
  } else if (!cli::IsLoopback(listen->first)) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "refusing to listen on ", listen->first,
        " without a token file (--token-file or auth.token_file): appends would be open to "
        "the network")));
  }

  auto witness_setup = cli::WitnessesFromConfig(config.witnessing());
  if (!witness_setup.ok()) return Fail(witness_setup.status());

  // Configuration files are checked before anything is created in the data directory.
  std::vector<api::ingest::K8sResourceRule> k8s_rules = api::ingest::DefaultK8sResourceRules();
  if (const std::string& path = config.ingest().k8s_resources_file(); !path.empty()) {
    auto text = ledger::ReadInput(path, kMaxK8sResourcesBytes);
    if (!text.ok()) return Fail(text.status());
    auto rules = api::ingest::ParseK8sResourceRules(*text);
    if (!rules.ok()) return Fail(rules.status());
    k8s_rules = *std::move(rules);
  }
  absl::optional<std::string> secrets_dir;
  if (!config.ingest().secrets_dir().empty()) secrets_dir = config.ingest().secrets_dir();
  auto adapters = cli::LoadIngestAdapters(
      secrets_dir,
      config.ingest().k8s_cluster().empty() ? "kubernetes" : config.ingest().k8s_cluster(),
      std::move(k8s_rules));
  if (!adapters.ok()) return Fail(adapters.status());

  const std::string& data_dir = config.data_dir();
  if (mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(absl::UnavailableError(absl::StrCat("cannot create ", data_dir)));
  }
  auto signer = LoadSigner(config);
  if (!signer.ok()) return Fail(signer.status());
  // Block the signals before any thread starts.
  cli::TerminationSignals signals;

  api::LogServerOptions options;
  options.data_dir = data_dir;
  options.signer = signer->get();
  options.sequencer = sequencer_options;
  options.tile_cache_bytes = tile_cache_mib << 20;
  options.auth = auth.get();
  options.witnesses = std::move(witness_setup->witnesses);
  options.witness_options = witness_setup->options;
  for (const auto& adapter : adapters->enabled) options.adapters.push_back(adapter.get());
  options.disabled_adapters = adapters->disabled;
  options.http.address = listen->first;
  options.http.port = listen->second;
  options.http.threads = http_threads;
  auto server = api::LogServer::Open(std::move(options));
  if (!server.ok()) return Fail(server.status());
  const api::WitnessCollector* witnesses = (*server)->witnesses();

  if (line->Has("config")) {
    std::cout << "vellumd: configuration " << *line->Get("config") << "\n";
  }
  for (const std::string& text : effective->overrides) std::cout << "vellumd: " << text << "\n";
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
    std::cout << "vellumd: no token file: appends are open to local clients; listening on "
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
