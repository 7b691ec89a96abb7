#ifndef VELLUM_API_SERVER_LOG_SERVER_H_
#define VELLUM_API_SERVER_LOG_SERVER_H_

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "api/authorizer.h"
#include "api/events/event_service.h"
#include "api/gate/gate_service.h"
#include "api/http_server.h"
#include "api/ingest/adapter.h"
#include "api/log_service.h"
#include "api/privacy/privacy_service.h"
#include "api/witness_collector.h"
#include "ledger/events/logged_clock.h"
#include "ledger/events/shed_log.h"
#include "ledger/identity/denial_log.h"
#include "ledger/identity/quota.h"
#include "ledger/local_log.h"
#include "ledger/policy/deploy_policy.h"
#include "ledger/policy/gate.h"
#include "ledger/privacy/custodian.h"
#include "ledger/sequencer.h"
#include "ledger/tile_cache.h"
#include "proof/note.h"

namespace vellum {
namespace api {

struct LogServerOptions {
  // The log's directory (ledger::LocalLog), which must exist.
  std::string data_dir;
  // The log's key; must outlive the server. Not owned.
  const NoteSigner* signer = nullptr;
  // The sequencer's batching; on_commit must be empty: the server feeds its indexes from it.
  ledger::SequencerOptions sequencer;
  // The bound of the expanded tiles kept for proofs (ledger::TileCache); 0 keeps none.
  size_t tile_cache_bytes = size_t{128} << 20;
  // Who may do what (api/authorizer.h), replaceable later (ReplaceAccess); nullptr serves
  // local mode: loopback callers hold every permission but the governing ones.
  std::shared_ptr<const AccessRules> access;
  // Denied requests are recorded as this limit allows (ledger::identity::DenialLog; needs
  // events). Its summary_interval is also the rejected and shed deliveries' (EventService).
  ledger::identity::DenialLog::Options denials;
  // The clocks of logged time and the bound on a forward jump (ledger::LoggedClock).
  ledger::LoggedClock::Options clock;
  // Events the server writes before it listens (the config.applied of its configuration):
  // appended with EventLog::AppendServerEvents, and durable before Open() returns.
  std::vector<ledger::AuditEvent> startup_events;
  // Witnesses to send checkpoints to (WitnessCollector); none when empty.
  std::vector<WitnessCollector::Witness> witnesses;
  WitnessCollector::Options witness_options;
  // Keeps the audit-event index and serves the event endpoints (EventService), with these
  // ingestion adapters (not owned) and the disabled ones with their reasons.
  bool events = true;
  std::vector<const ingest::Adapter*> adapters;
  std::map<std::string, std::string> disabled_adapters;
  // Serves HTTP with these options; when false the server only appends (sequencer()).
  // http.admit is the Authorizer's, whose body limits per endpoint are body_limits, and
  // http.refused the event service's (ingest.shed).
  bool serve_http = true;
  HttpServer::Options http;
  BodyLimits body_limits;
  // Quotas per principal on raw appends and posted events; nullptr for none.
  std::shared_ptr<ledger::identity::Quotas> quotas;
  // The personal data (docs/privacy.md; needs events): with a K_lookup (ledger::kLookupKeySize
  // bytes), the sealed store in <data_dir>/sealed (ledger::Custodian) seals every event's
  // personal fields under these rules, and the privacy endpoints are served. Empty: events are
  // stored as they come.
  std::string lookup_key;
  ledger::Custodian::Options privacy;
  // The deployment gate (docs/gate.md; needs events and HTTP): the policy file's policy, put in
  // force at start (ledger::policy::Gate::Configure); unset keeps the one on record.
  bool gate = true;
  absl::optional<ledger::policy::DeployPolicy> policy;
  // The admission webhook's rules (gate_rules.h); no namespaces: POST /v1/admission is 404.
  AdmissionConfig admission;
};

// One log as vellumd runs it, wired in one place so that vellumd, `vellum bench` and in-process
// tests run the same thing: the LocalLog (store, derived indexes and their follower), the
// sequencer feeding the follower, the shared tile cache, the witness collector, the log's and
// the events' services, the Authorizer in front of them (with the denial log), and the HTTP
// server. Thread-safe, except that Shutdown()
// must not race the accessors: call it from the thread that owns the server.
class LogServer {
 public:
  // Opens the log in options.data_dir (ledger::LocalLog), recovers it (ledger::Sequencer), starts
  // the witness collector and, if asked, listens. Fails with the first component's error,
  // leaving nothing running.
  static absl::StatusOr<std::unique_ptr<LogServer>> Open(LogServerOptions options);

  // Shuts down (Shutdown()) if that has not been done.
  ~LogServer();

  LogServer(const LogServer&) = delete;
  LogServer& operator=(const LogServer&) = delete;

  // Stops in the one order that loses nothing: the HTTP server finishes the requests in flight;
  // the event requests still queued run; the witness collector stops (it reads the sequencer's
  // head, and then answers waiting receipts at once); the sequencer commits every append already
  // queued, whose callbacks still reach the services; then the services go. Idempotent. After
  // it, only log() may be used.
  void Shutdown();

  // From now on, requests are decided by `access` (a reloaded configuration).
  void ReplaceAccess(std::shared_ptr<const AccessRules> access);

  // The ingestion adapters from now on (EventService::ReplaceAdapters); nothing without events.
  void ReplaceAdapters(std::vector<const ingest::Adapter*> adapters,
                       std::map<std::string, std::string> disabled,
                       std::shared_ptr<const void> owner);

  // Appends the server's own events (EventLog::AppendServerEvents) and waits until they are
  // durable: a reloaded configuration's config.applied. FailedPrecondition without events.
  absl::Status AppendServerEvents(std::vector<ledger::AuditEvent> events);

  // The bound port; 0 without HTTP.
  uint16_t port() const { return http_ == nullptr ? 0 : http_->port(); }
  ledger::Sequencer& sequencer() { return *log_->sequencer(); }
  ledger::LocalLog& log() { return *log_; }
  // nullptr without witnesses.
  const WitnessCollector* witnesses() const { return witnesses_.get(); }
  // nullptr without a lookup key.
  ledger::Custodian* custodian() { return custodian_.get(); }
  // The gate; nullptr without one.
  ledger::policy::Gate* gate() { return gate_.get(); }
  // Where ingestion deliveries refused at the limits are counted (ingest.shed summaries);
  // nullptr without events. Valid until Shutdown() has stopped the HTTP server.
  ledger::ShedLog* shed_log() { return events_ == nullptr ? nullptr : events_->shed_log(); }

 private:
  LogServer() = default;

  // Declared in the order they are built. Shutdown() stops them in the order it documents; the
  // HTTP server object goes last, as the services' queued work still answers through it.
  std::unique_ptr<ledger::LocalLog> log_;
  std::unique_ptr<WitnessCollector> witnesses_;
  std::unique_ptr<ledger::TileCache> tile_cache_;
  std::shared_ptr<ledger::identity::Quotas> quotas_;
  std::unique_ptr<LogService> service_;
  std::unique_ptr<ledger::Custodian> custodian_;
  std::unique_ptr<EventService> events_;
  std::unique_ptr<PrivacyService> privacy_;
  std::unique_ptr<ledger::policy::Gate> gate_;
  std::unique_ptr<GateService> gate_service_;
  std::unique_ptr<ledger::identity::DenialLog> denials_;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<HttpServer> http_;
  // The bound port, for the Authorizer's Host check (set once the server listens).
  std::atomic<uint16_t> port_{0};
  // http_, for /metrics, which may be asked before http_ is set.
  std::atomic<const HttpServer*> serving_{nullptr};
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SERVER_LOG_SERVER_H_
