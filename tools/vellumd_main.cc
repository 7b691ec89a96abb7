// vellumd: the Vellum log server. See docs/operations.md.
//
//   vellumd [--config FILE] [--data-dir DIR] [--listen 127.0.0.1:8080] [--signer-key FILE]
//           [--origin ORIGIN] [--token-file FILE] [--max-batch-entries N] [--max-batch-delay-us N]
//           [--tile-cache-mib N] [--http-threads N] [--witness URL=VKEY ... [--witness-quorum K]
//           [--witness-interval-ms N]] [--ingest-secrets DIR] [--k8s-cluster NAME]
//           [--k8s-resources FILE]

#include <signal.h>
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
#include "absl/types/optional.h"
#include "api/config/policy_loader.h"
#include "api/server/access_rules.h"
#include "api/server/gate_rules.h"
#include "api/ingest/k8s_audit.h"
#include "api/server/http_limits.h"
#include "api/server/log_server.h"
#include "api/server/privacy_rules.h"
#include "api/witness_collector.h"
#include "ledger/events/server_event.h"
#include "ledger/file_io.h"
#include "ledger/policy/deploy_policy.h"
#include "ledger/policy/gate.h"
#include "ledger/privacy/key_file.h"
#include "ledger/privacy/sealed_store.h"
#include "ledger/sequencer.h"
#include "proof/note.h"
#include "tools/command_line.h"
#include "tools/ingest_adapters.h"
#include "tools/serving.h"
#include "tools/vellumd_config.h"
#include "tools/vellumd_runtime.h"

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
    "  Serves the Vellum log stored in DIR (created if missing, mode 0700). Without --signer-key\n"
    "  the log's key is DIR/log.key, created on first start (mode 0600) for ORIGIN (default\n"
    "  localhost/vellum). --token-file lists the SHA-256 (hex) of each bearer token allowed to\n"
    "  append; without it the server only listens on loopback. Stops cleanly on SIGTERM.\n"
    "  Refuses a DIR that is not the running user's with mode 0700, and a key, token or secret\n"
    "  file that others or its group may read or write (docs/operations.md, \"File\n"
    "  permissions\").\n"
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
  if (absl::Status s = ledger::CheckPrivateFile("signer key", path); !s.ok()) return s;
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

// SIGHUP: the configuration file (and the flags) again. Everything is built and checked first,
// the config.applied event (with --config) is durable next, and only then does the new configuration take
// effect; any failure leaves the running one in force. Returns the new configuration.
// The sources privacy rules may name: the adapters, native and vellum.
std::vector<std::string> PrivacySources(const cli::IngestAdapters& adapters) {
  std::vector<std::string> sources = {"native", std::string(ledger::kServerSource)};
  for (const auto& adapter : adapters.enabled) sources.emplace_back(adapter->name());
  for (const auto& [name, reason] : adapters.disabled) sources.push_back(name);
  return sources;
}

absl::StatusOr<api::config::Config> Reload(const cli::CommandLine& line,
                                           absl::string_view working_dir,
                                           const api::config::Config& running,
                                           api::LogServer& server,
                                           api::tls::ServerContext* tls,
                                           std::shared_ptr<cli::IngestAdapters>* adapter_set) {
  absl::StatusOr<cli::VellumdConfig> effective = cli::BuildVellumdConfig(line, working_dir);
  if (!effective.ok()) return effective.status();
  const api::config::Config& next = effective->config;
  if (absl::Status s = cli::CheckReloadable(running, next); !s.ok()) return s;
  if (absl::Status s = cli::CheckSecretFiles(next); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const api::AccessRules>> access = api::BuildAccessRules(next);
  if (!access.ok()) return access.status();
  // The same files, read again: a certificate renewed in place, checked before anything changes.
  absl::StatusOr<std::shared_ptr<api::tls::ServerContext>> fresh_tls =
      cli::TlsFromConfig(next.tls());
  if (!fresh_tls.ok()) return fresh_tls.status();
  absl::StatusOr<std::shared_ptr<cli::IngestAdapters>> adapters = cli::AdaptersFromConfig(next);
  if (!adapters.ok()) return adapters.status();
  // Retention rules that lengthen retention take effect (and are on record); shorter ones are
  // refused, and then nothing of the reload takes effect.
  absl::StatusOr<ledger::Custodian::Options> privacy =
      api::PrivacyOptionsOf(next, PrivacySources(**adapters));
  if (!privacy.ok()) return privacy.status();
  // The policy file, checked before anything changes; put in force below.
  absl::optional<ledger::policy::DeployPolicy> policy;
  if (!next.policy_file().empty()) {
    absl::StatusOr<ledger::policy::DeployPolicy> loaded =
        api::config::LoadPolicyFile(next.policy_file());
    if (!loaded.ok()) return loaded.status();
    policy = *std::move(loaded);
  }
  if (absl::Status s = server.custodian()->ConfigureRetention(privacy->retention); !s.ok()) {
    return s;
  }
  if (line.Has("config")) {
    absl::StatusOr<ledger::AuditEvent> applied = cli::ConfigAppliedEvent(next, "reload");
    if (!applied.ok()) return applied.status();
    std::vector<ledger::AuditEvent> events;
    events.push_back(*std::move(applied));
    if (absl::Status s = server.AppendServerEvents(std::move(events)); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("config.applied: ", s.message()));
    }
  }
  if (policy.has_value() && server.gate() != nullptr) {
    absl::StatusOr<ledger::policy::Gate::PolicyInForce> applied =
        server.gate()->Apply(*std::move(policy), "reload", ledger::policy::Gate::Caller());
    if (!applied.ok()) {
      return absl::Status(applied.status().code(),
                          absl::StrCat("policy.applied: ", applied.status().message()));
    }
  }
  if (tls != nullptr) {
    if (absl::Status s = tls->Reload(); !s.ok()) {
      std::cout << "vellumd: warning: the TLS files changed again during the reload; the old "
                   "certificate stays: "
                << s.message() << "\n";
    }
  }
  server.ReplaceAccess(*std::move(access));
  std::vector<const api::ingest::Adapter*> enabled;
  for (const auto& adapter : (*adapters)->enabled) enabled.push_back(adapter.get());
  server.ReplaceAdapters(std::move(enabled), (*adapters)->disabled, *adapters);
  *adapter_set = *std::move(adapters);
  return next;
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
  api::config::Config config = effective->config;

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

  if (absl::Status s = cli::CheckSecretFiles(config); !s.ok()) return Fail(s);
  auto access = api::BuildAccessRules(config);
  if (!access.ok()) return Fail(access.status());
  const bool loopback = cli::IsLoopback(listen->first);
  if (!config.has_auth() && !loopback) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "refusing to listen on ", listen->first,
        " without an auth section (or --token-file): every local caller may append, so a "
        "server without one serves loopback only")));
  }
  auto tls = cli::TlsFromConfig(config.tls());
  if (!tls.ok()) return Fail(tls.status());
  if (*tls == nullptr && !loopback && !config.insecure_plaintext()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "refusing to listen on ", listen->first,
        " without TLS (tls.cert_file and tls.key_file): credentials would cross the network in "
        "clear; set insecure_plaintext: true to allow it")));
  }

  auto witness_setup = cli::WitnessesFromConfig(config.witnessing());
  if (!witness_setup.ok()) return Fail(witness_setup.status());

  // Configuration files are checked before anything is created in the data directory.
  auto adapters = cli::AdaptersFromConfig(config);
  if (!adapters.ok()) return Fail(adapters.status());
  std::shared_ptr<cli::IngestAdapters> adapter_set = *std::move(adapters);

  const std::string& data_dir = config.data_dir();
  if (mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(absl::UnavailableError(absl::StrCat("cannot create ", data_dir)));
  }
  if (absl::Status s = ledger::CheckPrivateDirectory("data directory", data_dir); !s.ok()) {
    return Fail(s);
  }
  auto signer = LoadSigner(config);
  if (!signer.ok()) return Fail(signer.status());
  // The personal data (docs/privacy.md): sealed by default, under a lookup key made on first
  // start unless the configuration names one.
  auto privacy = api::PrivacyOptionsOf(config, PrivacySources(*adapter_set));
  if (!privacy.ok()) return Fail(privacy.status());
  const std::string lookup_key_file = config.privacy().lookup_key_file().empty()
                                          ? ledger::DefaultLookupKeyFile(data_dir)
                                          : config.privacy().lookup_key_file();
  auto lookup_key =
      ledger::LoadOrCreateKeyFile("lookup key", lookup_key_file, ledger::kLookupKeySize);
  if (!lookup_key.ok()) return Fail(lookup_key.status());
  // Block the signals before any thread starts.
  cli::TerminationSignals signals(/*hangup=*/true);

  api::LogServerOptions options;
  options.data_dir = data_dir;
  options.signer = signer->get();
  options.sequencer = sequencer_options;
  options.tile_cache_bytes = tile_cache_mib << 20;
  options.access = *std::move(access);
  options.witnesses = std::move(witness_setup->witnesses);
  options.witness_options = witness_setup->options;
  for (const auto& adapter : adapter_set->enabled) options.adapters.push_back(adapter.get());
  options.disabled_adapters = adapter_set->disabled;
  options.http.address = listen->first;
  options.http.port = listen->second;
  options.http.threads = http_threads;
  options.http.tls = *tls;
  if (absl::Status s = api::ApplyHttpLimits(config.http(), &options.http, &options.body_limits);
      !s.ok()) {
    return Fail(s);
  }
  options.denials = cli::DenialOptionsOf(config.audit());
  auto quotas = api::QuotasOf(config);
  if (!quotas.ok()) return Fail(quotas.status());
  options.quotas = *std::move(quotas);
  options.clock = cli::ClockOptionsOf(config.clock());
  options.lookup_key = *std::move(lookup_key);
  options.privacy = *std::move(privacy);
  auto admission = api::AdmissionConfigOf(config.gate().admission());
  if (!admission.ok()) return Fail(admission.status());
  options.admission = *std::move(admission);
  if (!config.policy_file().empty()) {
    auto policy = api::config::LoadPolicyFile(config.policy_file());
    if (!policy.ok()) return Fail(policy.status());
    options.policy = *std::move(policy);
  }
  // A configuration file is the deployed form, and each one that takes effect is on the record;
  // a run from flags alone (development, tests) records none, and says so below.
  const bool recorded = line->Has("config");
  if (recorded) {
    auto applied = cli::ConfigAppliedEvent(config, "start");
    if (!applied.ok()) return Fail(applied.status());
    options.startup_events.push_back(*std::move(applied));
  }
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
            << "vellumd: configuration " << cli::ConfigSha256Hex(config)
            << (recorded ? " applied (config.applied)\n"
                         : " from flags alone: not recorded in the log (use --config)\n")
            << "vellumd: serving " << (*tls != nullptr ? "https://" : "http://") << listen->first
            << ":" << (*server)->port() << "\n";
  if (*tls == nullptr && !loopback) {
    std::cout << "vellumd: warning: serving plaintext HTTP beyond loopback (insecure_plaintext)\n";
  }
  if (witnesses != nullptr) {
    std::cout << "vellumd: /checkpoint serves checkpoints cosigned by "
              << witnesses->quorum() << " of " << witnesses->Status().size()
              << " witnesses\n";
  }
  for (const std::string& text : adapter_set->startup_lines) std::cout << "vellumd: " << text << "\n";
  if (!config.has_auth()) {
    std::cout << "vellumd: no auth section: local callers hold every permission but the "
                 "governing ones; listening on loopback only\n";
  }
  std::cout.flush();

  int signal_number;
  while ((signal_number = signals.Wait()) == SIGHUP) {
    // A bad file changes nothing: the configuration in force stays.
    absl::StatusOr<api::config::Config> reloaded =
        Reload(*line, cwd.get(), config, **server, tls->get(), &adapter_set);
    if (!reloaded.ok()) {
      std::cout << "vellumd: reload refused, the configuration " << cli::ConfigSha256Hex(config)
                << " stays in force: " << reloaded.status().message() << "\n";
    } else {
      config = *std::move(reloaded);
      std::cout << "vellumd: reloaded: configuration " << cli::ConfigSha256Hex(config)
                << (recorded ? " applied (config.applied)\n" : " applied\n");
    }
    std::cout.flush();
  }
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
