#include "tools/witness_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/http.h"
#include "api/http_server.h"
#include "api/witness_service.h"
#include "ledger/witness/witness.h"
#include "ledger/work_queue.h"
#include "proof/add_checkpoint.h"
#include "proof/note.h"
#include "ledger/file_io.h"
#include "tools/serving.h"

namespace vellum {
namespace cli {

const char kWitnessUsage[] =
    "vellum witness --data-dir DIR --signer-key FILE (--log ORIGIN=VKEY ... | --logs-file FILE)\n"
    "               [--init] [--listen 127.0.0.1:8090] [--tls-cert FILE --tls-key FILE]\n"
    "  Runs a witness (c2sp.org/tlog-witness): POST /add-checkpoint cosigns a log's checkpoint\n"
    "  when it is signed by the log's key and consistent with the last one this witness cosigned;\n"
    "  GET /v1/witness/checkpoint?origin=ORIGIN serves that latest cosigned checkpoint, and\n"
    "  GET /evidence what it kept of logs that contradicted it. The state lives in DIR (one\n"
    "  process at a time) and is bound to the key: --init creates it, once, for a new witness;\n"
    "  without --init it must exist. FILE holds a cosigner key (vellum keygen\n"
    "  --cosigner). Each --log names a log by origin and verifier key; repeat it for more logs or\n"
    "  keys. --logs-file holds the same ORIGIN=VKEY, one per line ('#' starts a comment).\n"
    "  With --tls-cert (a PEM certificate chain) and --tls-key it serves HTTPS only, and\n"
    "  re-reads both files on SIGHUP (a bad file is reported and the old certificate kept).\n"
    "  Stops cleanly on SIGTERM.\n";

const FlagSpec kWitnessFlags[8] = {
    {"data-dir"}, {"signer-key"}, {"log", true}, {"logs-file"}, {"listen"}, {"tls-cert"},
    {"tls-key"},  {"init", false, true},
};

namespace {

constexpr size_t kMaxKeyFileBytes = 4096;
constexpr size_t kMaxLogsFileBytes = 1 << 20;

int Fail(const absl::Status& status) {
  std::cerr << "vellum witness: " << status.message() << "\n";
  return 1;
}

int Usage(absl::string_view message) {
  std::cerr << "vellum witness: " << message << "\n" << kWitnessUsage;
  return 2;
}

// Adds "ORIGIN=VKEY" to `logs`.
absl::Status AddLog(absl::string_view spec, std::map<std::string, ledger::Witness::Log>* logs) {
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(spec, absl::MaxSplits('=', 1));
  if (parts.first.empty() || parts.second.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("log \"", absl::CHexEscape(spec.substr(0, 80)), "\": want ORIGIN=VKEY"));
  }
  absl::StatusOr<std::unique_ptr<NoteVerifier>> key = NoteVerifier::Create(parts.second);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("log ", parts.first, ": ", key.status().message()));
  }
  ledger::Witness::Log& log = (*logs)[std::string(parts.first)];
  log.origin = std::string(parts.first);
  log.keys.push_back(*std::move(key));
  return absl::OkStatus();
}

}  // namespace

int RunWitness(const CommandLine& line) {
  absl::StatusOr<std::string> data_dir = line.Require("data-dir");
  if (!data_dir.ok()) return Usage(data_dir.status().message());
  absl::StatusOr<std::string> key_path = line.Require("signer-key");
  if (!key_path.ok()) return Usage(key_path.status().message());
  if (!line.positional().empty()) return Usage("takes no positional arguments");
  auto listen = ParseListen(line.Get("listen").value_or("127.0.0.1:8090"));
  if (!listen.ok()) return Usage(listen.status().message());
  absl::StatusOr<std::shared_ptr<api::tls::ServerContext>> tls = TlsServerFlags(line);
  if (!tls.ok()) return Usage(tls.status().message());

  std::map<std::string, ledger::Witness::Log> logs;
  for (const std::string& spec : line.GetAll("log")) {
    if (absl::Status s = AddLog(spec, &logs); !s.ok()) return Usage(s.message());
  }
  if (absl::optional<std::string> path = line.Get("logs-file"); path.has_value()) {
    absl::StatusOr<std::string> contents = ledger::ReadInput(*path, kMaxLogsFileBytes);
    if (!contents.ok()) return Fail(contents.status());
    for (absl::string_view spec : absl::StrSplit(*contents, '\n')) {
      spec = absl::StripAsciiWhitespace(spec);
      if (spec.empty() || spec[0] == '#') continue;
      if (absl::Status s = AddLog(spec, &logs); !s.ok()) {
        return Fail(absl::InvalidArgumentError(absl::StrCat(*path, ": ", s.message())));
      }
    }
  }
  if (logs.empty()) return Usage("no log to witness: give --log or --logs-file");

  if (absl::Status s = ledger::CheckPrivateFile("cosigner key", *key_path); !s.ok()) {
    return Fail(s);
  }
  absl::StatusOr<std::string> key_text = ledger::ReadInput(*key_path, kMaxKeyFileBytes);
  if (!key_text.ok()) return Fail(key_text.status());
  absl::StatusOr<std::unique_ptr<NoteSigner>> cosigner =
      NoteSigner::Create(absl::StripAsciiWhitespace(*key_text));
  if (!cosigner.ok()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("signer key ", *key_path, ": ", cosigner.status().message())));
  }
  std::string name = (*cosigner)->name();
  std::string verifier_key = (*cosigner)->VerifierKey();

  const bool init = line.Has("init");
  if (init && mkdir(data_dir->c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(absl::UnavailableError(absl::StrCat("cannot create ", *data_dir)));
  }
  if (absl::Status s = ledger::CheckPrivateDirectory("state directory", *data_dir);
      !s.ok() && !absl::IsNotFound(s)) {
    return Fail(s);
  }
  std::vector<ledger::Witness::Log> log_list;
  for (auto& entry : logs) log_list.push_back(std::move(entry.second));
  absl::StatusOr<std::unique_ptr<ledger::Witness>> witness = ledger::Witness::Open(
      *data_dir + "/db", *std::move(cosigner), std::move(log_list),
      [] { return static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now())); }, init);
  if (absl::IsNotFound(witness.status())) {
    return Fail(absl::NotFoundError(absl::StrCat(
        "no witness state in ", *data_dir,
        ". Give --init to create one for a new witness; a witness whose state is lost must not "
        "start afresh, or it would cosign any tree again from old 0")));
  }
  if (absl::IsAlreadyExists(witness.status())) {
    return Fail(absl::AlreadyExistsError(
        absl::StrCat("--init: ", witness.status().message(), "; start without --init")));
  }
  if (!witness.ok()) return Fail(witness.status());
  if ((*witness)->adopted()) {
    std::cerr << "vellum witness: the state in " << *data_dir
              << " recorded no cosigner key (made before states recorded it); bound it to key "
              << (*witness)->key_id() << "\n";
  }
  api::WitnessService service(*std::move(witness));

  TerminationSignals signals(/*hangup=*/true);  // Before any thread starts.
  api::HttpServer::Options options;
  options.tls = *tls;
  options.address = listen->first;
  options.port = listen->second;
  options.max_body_bytes = kMaxAddCheckpointBytes;
  api::WitnessService* handler = &service;
  // A cosignature costs a synced write, so requests are handled off the I/O threads
  // (api/http_server.h).
  ledger::WorkQueue workers(2);
  auto server = api::HttpServer::Start(
      options, [handler, &workers](api::HttpRequest request, api::HttpServer::Respond respond) {
        absl::Status queued = workers.Post([handler, request = std::move(request), respond] {
          respond(handler->Handle(request));
        });
        if (!queued.ok()) respond(api::ErrorResponse(queued));
      });
  if (!server.ok()) return Fail(server.status());
  std::cout << "vellum witness: " << name << " witnessing " << logs.size() << " log(s)\n"
            << "vellum witness: verifier key " << verifier_key << "\n"
            << "vellum witness: serving " << (*tls != nullptr ? "https" : "http") << "://"
            << listen->first << ":" << (*server)->port() << "\n";
  std::cout.flush();
  int signal_number;
  while ((signal_number = signals.Wait()) == SIGHUP) ReloadTls(tls->get(), "vellum witness");
  std::cout << "vellum witness: signal " << signal_number << ", shutting down\n";
  (*server)->Shutdown();
  workers.Stop();  // Before the server goes: queued requests answer through it.
  return 0;
}

}  // namespace cli
}  // namespace vellum
