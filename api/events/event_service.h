#ifndef VELLUM_API_EVENTS_EVENT_SERVICE_H_
#define VELLUM_API_EVENTS_EVENT_SERVICE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/http.h"
#include "api/http_server.h"
#include "api/events/events_api.pb.h"
#include "api/ingest/adapter.h"
#include "ledger/events/attempt_log.h"
#include "ledger/events/event_index.h"
#include "ledger/events/event_log.h"
#include "ledger/events/logged_clock.h"
#include "ledger/events/shed_log.h"
#include "ledger/identity/policy.h"
#include "ledger/identity/quota.h"
#include "ledger/privacy/custodian.h"
#include "ledger/work_queue.h"
#include "ledger/index_follower.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "ledger/tile_cache.h"

namespace vellum {
namespace api {

// The event endpoints (docs/api.md, "Events"): POST /v1/events (an AuditEvent from an internal
// service), POST /v1/ingest/<adapter> (a source system's delivery, turned into events by an
// ingest::Adapter), GET /v1/events (search) and GET /v1/events/<index> (one event). Every other
// request goes to `next`, the log's own service. This class owns the wire: routing, the content
// types and the answers (the Authorizer in front of it has authenticated the caller and checked
// its permission); the rules
// of appending and searching (stamping, deduplication, the checks on natively posted events,
// search with proofs) are ledger::EventLog's, and its errors map to HTTP through ErrorResponse.
//
// A delivery that fails its adapter's signature check or that the adapter refuses gets its error
// status and appends nothing but an ACTION_INGEST_REJECTED event recording the attempt (adapter,
// remote address, reason, the user agent's SHA-256; never the body, a secret, a signature or a
// token), answered once that record is durable. The records are rate-limited per remote address
// (ledger::AttemptLog), the others counted into summaries. Requests to the event endpoints wait
// in a bounded queue: past Options::max_queued, they are answered 503 with Retry-After, and an
// ingestion delivery refused so is counted in the service's ShedLog (ingest.shed).
// Thread-safe.
class EventService {
 public:
  struct Options {
    // Decides, for each posted event (and each event of an adapter that takes a bearer
    // credential), whether the caller holds the permission for the event's model and
    // environment; the Authorizer in front of the service has let the request through on a
    // grant for some scope (ledger::identity::Scope::any). Authorizer::CheckScope; empty checks
    // nothing (tests of the service alone).
    std::function<absl::Status(const HttpRequest&, absl::string_view permission,
                               const ledger::identity::Scope&)>
        check_scope;
    // The enabled adapters, by name. Not owned.
    std::vector<const ingest::Adapter*> adapters;
    // Adapters that exist but are not enabled, with the reason a request to them is told (404).
    std::map<std::string, std::string> disabled_adapters;
    // Expanded tiles shared with the log's service; may be nullptr. Not owned.
    ledger::TileCache* tile_cache = nullptr;
    // How long a search waits for the index to cover the latest checkpoint, and a look-up for
    // it to cover the log as it was at start, before answering from what it covers (search) or
    // 503 (look-up).
    absl::Duration index_wait = absl::Seconds(5);
    // Rejected attempts are recorded as a token bucket per remote address allows: this many at
    // once, refilled at this rate; the others are counted into a summary event every
    // summary_interval, as are the deliveries shed (ledger::ShedLog).
    double rejected_burst = 20;
    double rejected_per_second = 1;
    absl::Duration summary_interval = absl::Seconds(60);
    // How their summaries name a source address (AttemptLog::Options::source_name).
    std::function<std::string(absl::string_view source)> source_name;
    // Quotas per principal on posted events (not on ingestion: a refused delivery may never be
    // sent again); nullptr for none. Not owned.
    ledger::identity::Quotas* quotas = nullptr;
    // Requests to the event endpoints waiting for a worker thread (ledger::WorkQueue's bound).
    size_t max_queued = 1024;
    // The clocks of logged_time (ledger::LoggedClock).
    ledger::LoggedClock::Options clock;
    // Threads that serve the event endpoints, off the HTTP I/O threads: `worker_threads` the
    // reads (a search holds one for its whole run), `write_threads` the writes (POST /v1/events,
    // :batch and /v1/ingest/<adapter>), each held while its deduplicating look-up waits for the
    // index and its sealed values are synced; many, because they wait on the disk, not the CPU,
    // and concurrent seals share one sync (ledger::SealedStore::Seal).
    int worker_threads = 4;
    int write_threads = 32;
    // The personal data (docs/privacy.md): every event's personal fields are sealed into it
    // before the event is appended (ledger::Custodian::Seal), and opened in search answers for
    // callers that may_unseal, each such answer recorded. nullptr: events are stored as they
    // come. Not owned.
    ledger::Custodian* custodian = nullptr;
    // Whether the caller holds events.unseal for the scope; no denial is recorded (a reader
    // without it gets the events sealed). Authorizer::Holds; empty: nobody may.
    std::function<bool(const HttpRequest&, const ledger::identity::Scope&)> may_unseal;
    // The log's minimum index (LogInfo.minimum_index): events below it are pruned, left out of
    // search answers and answered 404 by index. Empty: 0.
    std::function<uint64_t()> minimum_index;
  };

  // `sequencer`, `log`, `index`, `follower` (which feeds `index` from `log`) and what `options`
  // points to must outlive the service. Creates the ledger::EventLog of them, which reads the
  // latest logged time from the index and the un-indexed tail of the log.
  static absl::StatusOr<std::unique_ptr<EventService>> Create(
      ledger::Sequencer* sequencer, const ledger::LogReader* log, const ledger::EventIndex* index,
      const ledger::IndexFollower* follower, HttpServer::Handler next, const Options& options);

  EventService(const EventService&) = delete;
  EventService& operator=(const EventService&) = delete;

  // Handles one request; `respond` may be called on another thread (the sequencer's).
  void Handle(HttpRequest request, HttpServer::Respond respond);

  // Finishes the event requests already queued and stops the threads that serve them, then
  // appends the last summaries of rejected and shed deliveries; shed_log() is nullptr after it.
  // Call once the HTTP server has stopped, and before the sequencer goes: queued requests append
  // to it, while its callbacks still reach this service, which must outlive it.
  void Drain();

  // The adapters from now on (a reloaded configuration's, with new secrets): the same names as
  // at creation, enabled or disabled anew. `owner` keeps them alive while requests use them.
  void ReplaceAdapters(std::vector<const ingest::Adapter*> adapters,
                       std::map<std::string, std::string> disabled,
                       std::shared_ptr<const void> owner);

  // The event log the service appends to, for the server's own events.
  ledger::EventLog* event_log() { return events_.get(); }

  // Where deliveries refused at the server's limits are counted (RecordShed); nullptr after
  // Drain().
  ledger::ShedLog* shed_log() { return shed_.get(); }

  // Counts the request to `target`, refused at a limit for `reason` (a ShedReasonName, as
  // HttpServer::Options::refused tells), in the shed log if it is a delivery to
  // /v1/ingest/<adapter>. Cheap, for an HTTP I/O thread; nothing after Drain().
  void RecordRefused(absl::string_view target, absl::string_view reason);

  // The metrics of the event log (logged time), the rejected and shed deliveries and the
  // queue, for /metrics (LogService::Options::more_metrics).
  void RenderMetrics(std::string* out) const;

 private:
  EventService(std::unique_ptr<ledger::EventLog> events, HttpServer::Handler next,
               const Options& options);

  // On a worker thread: the event endpoints.
  void HandleEvents(const HttpRequest& request, const HttpServer::Respond& respond);
  // POST /v1/events (one event) or, with `batch`, POST /v1/events:batch (ParseEventBatch): every
  // event checked (native, the caller's scope for its model) before any is appended, the quota
  // charged for all, then one append.
  void PostEvents(const HttpRequest& request, bool batch, const HttpServer::Respond& respond);
  void PostIngest(const HttpRequest& request, absl::string_view name,
                  const HttpServer::Respond& respond);
  void Search(const HttpRequest& request, const HttpServer::Respond& respond) const;
  // GET /v1/events/<index>.
  void GetEvent(const HttpRequest& request, absl::string_view index,
                const HttpServer::Respond& respond) const;
  // Adds `match` to `response`, opened if the caller may unseal it; counts the opened ones.
  absl::Status AddMatch(const HttpRequest& request, ledger::EventLog::Match match,
                        EventSearchResponse* response, size_t* unsealed) const;
  // Answers `response`, after recording the unsealed read when `unsealed` events were opened.
  void RespondRead(const HttpRequest& request, const ledger::EventSearchRequest& search,
                   size_t unsealed, const EventSearchResponse& response,
                   const HttpServer::Respond& respond) const;
  // Options::authorizer's decision on `permission` for the event's model and environment.
  absl::Status CheckScope(const HttpRequest& request, absl::string_view permission,
                          const ledger::AuditEvent& event) const;
  // Records a refused attempt through the per-source rate limit, then calls `then` (which
  // answers the request) once the record is durable or was not made.
  void RecordRejected(absl::string_view adapter, const HttpRequest& request,
                      const absl::Status& error, std::function<void()> then);

  const std::unique_ptr<ledger::EventLog> events_;
  std::unique_ptr<ledger::AttemptLog> rejected_;
  std::unique_ptr<ledger::ShedLog> shed_;
  struct Adapters {
    std::vector<const ingest::Adapter*> enabled;
    std::map<std::string, std::string> disabled;
    std::shared_ptr<const void> owner;  // Keeps `enabled` alive; nullptr: Options' own.
  };
  std::shared_ptr<const Adapters> adapters() const;
  mutable absl::Mutex adapters_mu_;
  std::shared_ptr<const Adapters> adapters_ ABSL_GUARDED_BY(adapters_mu_);
  const HttpServer::Handler next_;
  const Options options_;

  // Last, so that it is destroyed first: its destructor runs the requests still queued.
  ledger::WorkQueue workers_;
  ledger::WorkQueue writers_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_EVENTS_EVENT_SERVICE_H_
