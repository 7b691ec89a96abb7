#ifndef VELLUM_API_EVENTS_EVENT_SERVICE_H_
#define VELLUM_API_EVENTS_EVENT_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/auth.h"
#include "api/http.h"
#include "api/http_server.h"
#include "api/ingest/adapter.h"
#include "api/work_queue.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_index.h"
#include "ledger/index_follower.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "ledger/tile_cache.h"
#include "proof/hash.h"

namespace vellum {
namespace api {

// The event endpoints (docs/api.md, "Events"): POST /v1/events (an AuditEvent from an internal
// service), POST /v1/ingest/<adapter> (a source system's delivery, turned into events by an
// ingest::Adapter) and GET /v1/events (search). Every other request goes to `next`, the log's
// own service.
//
// Appends: each event gets its logged_time here, at sequencing: the service stamps
// max(now, the last stamp) and hands the entry to Sequencer::AppendAsync under one mutex, and the
// sequencer keeps call order, so logged time never decreases along the events it appends. An
// event is answered only once its batch is durable (the sequencer's callback).
//
// Deduplication is on (id.source, id.source_id): a redelivery is answered with the original's
// index and `duplicate: true`, and appends nothing. The service looks in three places: events it
// is appending (later redeliveries wait for the first), events it appended that the EventIndex
// does not cover yet, and the EventIndex. Events that were in the log when the service started
// are found through the index alone, so until the index covers them a look-up waits for it
// (Options::index_wait) and then answers 503 rather than risk a duplicate.
//
// A request that fails its authenticity check (bearer token or signature) or that an adapter
// refuses gets its error status (401 with WWW-Authenticate: Bearer for tokens) and appends
// nothing but, rate-limited, an ACTION_INGEST_REJECTED event recording the attempt (adapter,
// remote address, reason; never the body, a secret, a signature or a token), answered once that
// record is durable. Thread-safe.
class EventService {
 public:
  struct Options {
    // Bearer tokens for POST and GET /v1/events and for the adapters that do not verify a
    // signature; nullptr leaves them open (the server then listens on loopback only). Not owned.
    const TokenAuthenticator* auth = nullptr;
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
    // Rejected attempts are recorded as a token bucket allows: this many at once, refilled at
    // this rate; the others are counted, not recorded.
    double rejected_burst = 20;
    double rejected_per_second = 1;
    // Threads that serve the event endpoints, off the HTTP I/O threads. A search holds one for
    // its whole run, a look-up while it waits for the index.
    int worker_threads = 4;
  };

  // `sequencer`, `log`, `index`, `follower` (which feeds `index` from `log`) and what `options`
  // points to must outlive the service. Reads the latest logged time from the index and the
  // un-indexed tail of the log, so that stamps continue from it after a restart.
  static absl::StatusOr<std::unique_ptr<EventService>> Create(
      ledger::Sequencer* sequencer, const ledger::LogReader* log, const ledger::EventIndex* index,
      const ledger::IndexFollower* follower, HttpServer::Handler next, const Options& options);

  EventService(const EventService&) = delete;
  EventService& operator=(const EventService&) = delete;

  // Handles one request; `respond` may be called on another thread (the sequencer's).
  void Handle(HttpRequest request, HttpServer::Respond respond);

  // Finishes the event requests already queued and stops the threads that serve them. Call once
  // the HTTP server has stopped, and before the sequencer goes: queued requests append to it,
  // while its callbacks still reach this service, which must outlive it.
  void Drain() { workers_.Stop(); }

  // Rejected attempts that the rate limit kept out of the log.
  uint64_t rejected_not_recorded() const { return rejected_dropped_.load(); }

 private:
  struct Resolved {
    uint64_t index = 0;
    Hash leaf_hash{};
    uint64_t tree_size = 0;
    bool duplicate = false;
  };
  using Key = std::pair<std::string, std::string>;  // (id.source, id.source_id)
  using Waiter = std::function<void(absl::StatusOr<Resolved>)>;
  struct Delivery;

  EventService(ledger::Sequencer* sequencer, const ledger::LogReader* log,
               const ledger::EventIndex* index, const ledger::IndexFollower* follower,
               HttpServer::Handler next, const Options& options, absl::Time last_logged);

  // On a worker thread: the event endpoints.
  void HandleEvents(const HttpRequest& request, const HttpServer::Respond& respond);
  void PostEvent(const HttpRequest& request, const HttpServer::Respond& respond);
  void PostIngest(const HttpRequest& request, absl::string_view name,
                  const HttpServer::Respond& respond);
  HttpResponse Search(const HttpRequest& request) const;

  // Logs `events` (deduplicated), then calls `done` with where each one is.
  void Submit(std::vector<ledger::AuditEvent> events,
              std::function<void(absl::StatusOr<std::vector<Resolved>>)> done);
  // Where the first event with `key` is in the log before the service started, if anywhere.
  absl::StatusOr<absl::optional<Resolved>> FindLogged(const Key& key) const;
  // Stamps and appends the claimed events; resolves their claims when durable.
  void Append(std::vector<ledger::AuditEvent> events, std::vector<Waiter> owners);
  // Resolves the claim on `key` and every redelivery waiting on it.
  void Settle(const Key& key, const absl::StatusOr<Resolved>& result, Waiter owner);
  // Records a refused attempt, if the rate limit allows, then calls `then` (which answers the
  // request) once the record is durable or was not made.
  void RecordRejected(absl::string_view adapter, const HttpRequest& request,
                      const absl::Status& error, std::function<void()> then);

  ledger::Sequencer* const sequencer_;
  const ledger::LogReader* const log_;
  const ledger::EventIndex* const index_;
  const ledger::IndexFollower* const follower_;
  const HttpServer::Handler next_;
  const Options options_;
  const ledger::Prover prover_;
  // The log's size at start: the events below it are found through the index only.
  const uint64_t start_size_;

  absl::Mutex mu_;
  // Events being appended, with the redeliveries waiting for them.
  absl::flat_hash_map<Key, std::vector<Waiter>> in_flight_ ABSL_GUARDED_BY(mu_);
  // Events this service appended, until the index covers them; `recent_order_` in index order.
  absl::flat_hash_map<Key, Resolved> recent_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<uint64_t, Key>> recent_order_ ABSL_GUARDED_BY(mu_);
  double rejected_tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time rejected_refilled_ ABSL_GUARDED_BY(mu_);

  // Held while stamping logged_time and calling AppendAsync, so that both follow one order.
  absl::Mutex append_mu_;  // Taken before mu_ when both are held.
  absl::Time last_logged_ ABSL_GUARDED_BY(append_mu_);

  std::atomic<uint64_t> rejected_dropped_{0};

  // Last, so that it is destroyed first: its destructor runs the requests still queued.
  WorkQueue workers_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_EVENTS_EVENT_SERVICE_H_
