#include "tools/monitor_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "api/client/monitor.h"
#include "api/http_server.h"
#include "tools/command_support.h"
#include "tools/serving.h"

namespace vellum {
namespace cli {

const char kMonitorUsage[] =
    "vellum monitor --server URL --verifier-key KEY --state-dir DIR [--witness-key WKEY]...\n"
    "               [--min-witnesses K] [--peer URL]... [--listen HOST:PORT]\n"
    "               [--interval-ms 10000] [--once] [--tls-cert FILE --tls-key FILE]\n"
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
    "  lines on stderr and answering /healthz with 503 once it found something. With\n"
    "  --tls-cert (a PEM certificate chain) and --tls-key, --listen serves HTTPS only, and\n"
    "  SIGHUP re-reads both files (a bad file is reported and the old certificate kept).\n";

const FlagSpec kMonitorFlags[11] = {
    {"server"}, {"verifier-key"}, {"state-dir"}, {"witness-key", true}, {"min-witnesses"},
    {"peer", true}, {"listen"}, {"interval-ms"}, {"once", false, true}, {"tls-cert"},
    {"tls-key"},
};

namespace {

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

}  // namespace

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
    absl::StatusOr<api::Peer> peer = api::OpenPeer(url, ClientFlags(line).tls);
    if (!peer.ok()) return UsageError(absl::StrCat("--peer: ", peer.status().message()));
    peers.push_back(*std::move(peer));
  }
  absl::optional<std::pair<std::string, uint16_t>> listen;
  if (absl::optional<std::string> value = line.Get("listen"); value.has_value()) {
    absl::StatusOr<std::pair<std::string, uint16_t>> parsed = ParseListen(*value);
    if (!parsed.ok()) return UsageError(absl::StrCat("--listen: ", parsed.status().message()));
    listen = *parsed;
  }
  absl::StatusOr<std::shared_ptr<api::tls::ServerContext>> tls = TlsServerFlags(line);
  if (!tls.ok()) return UsageError(tls.status().message());
  if (*tls != nullptr && !listen.has_value()) return UsageError("--tls-cert needs --listen");
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
  if (!once) signals.emplace(/*hangup=*/true);
  std::unique_ptr<api::HttpServer> server;
  if (listen.has_value()) {
    api::HttpServer::Options server_options;
    server_options.address = listen->first;
    server_options.port = listen->second;
    server_options.max_body_bytes = 1024;
    server_options.tls = *tls;
    api::Monitor* m = monitor->get();
    absl::StatusOr<std::unique_ptr<api::HttpServer>> started = api::HttpServer::Start(
        server_options,
        [m](api::HttpRequest request, api::HttpServer::Respond respond) {
          respond(m->Serve(request));
        });
    if (!started.ok()) return IoError(started.status());
    server = *std::move(started);
    std::cout << "vellum monitor: serving " << (*tls != nullptr ? "https" : "http") << "://"
              << listen->first << ":" << server->port() << std::endl;
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
  int signal_number;
  while ((signal_number = signals->Wait()) == SIGHUP) ReloadTls(tls->get(), "vellum monitor");
  std::cerr << "vellum monitor: signal " << signal_number << ", stopping\n";
  stop.Notify();
  rounds.join();
  if (server != nullptr) server->Shutdown(absl::Seconds(5));
  return kValid;
}

}  // namespace cli
}  // namespace vellum
