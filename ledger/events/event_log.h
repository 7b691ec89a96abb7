#ifndef VELLUM_LEDGER_EVENTS_EVENT_LOG_H_
#define VELLUM_LEDGER_EVENTS_EVENT_LOG_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_index.h"
#include "ledger/events/event_query.h"
#include "ledger/events/logged_clock.h"
#include "ledger/events/server_event.h"
#include "ledger/index_follower.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "ledger/tile_cache.h"
#include "proof/hash.h"

namespace vellum {
namespace ledger {

// The observer.adapter of the events that services post themselves (CheckNative).
inline constexpr absl::string_view kNativeAdapter = "native";

// The audit events of one log (docs/events.md): appends them through the log's Sequencer and
// searches them through its EventIndex, with the rules that hold however an event arrived.
//
// Appends: each event gets its logged_time here, at sequencing, from a LoggedClock
// (logged_clock.h): the wall clock, held at the last stamp while it is behind it (also behind
// the last logged time at start), and refused with Unavailable while it has jumped ahead of the
// monotonic clock. Stamping and Sequencer::AppendAsync happen under one mutex, and the sequencer
// keeps call order, so logged time never decreases along the events it appends. Each clock
// anomaly the LoggedClock reports is appended as an ACTION_CLOCK_ANOMALY server event after the
// events stamped with it (or alone, for a refusal). An append is answered only once its batch is
// durable (the sequencer's callback).
//
// Deduplication is on (id.source, id.source_id): a redelivery is answered with the original's
// index and `duplicate: true`, and appends nothing. The log looks in three places: events it is
// appending (later redeliveries wait for the first), events it appended that the EventIndex does
// not cover yet, and the EventIndex. Events that were in the log when this object was created
// are found through the index alone, so until the index covers them a look-up waits for it
// (Options::index_wait) and then fails with Unavailable rather than risk a duplicate.
//
// Thread-safe.
class EventLog {
 public:
  struct Options {
    // Sources that natively posted events may not use (CheckNative): those of Vellum's adapters.
    absl::flat_hash_set<std::string> reserved_sources;
    // Expanded tiles shared with the log's other readers; may be nullptr. Not owned.
    TileCache* tile_cache = nullptr;
    // How long a search waits for the index to cover the latest checkpoint, and a look-up for
    // it to cover the log as it was at creation, before answering from what it covers (search)
    // or failing with Unavailable (look-up).
    absl::Duration index_wait = absl::Seconds(5);
    // The clocks of logged_time and the bound on a forward jump.
    LoggedClock::Options clock;
    // Seals the personal fields of a batch of stamped events in place, durably, before their
    // entries are appended (ledger/privacy/event_sealer.h, SealEvents; docs/privacy.md). An
    // error fails the whole batch and appends nothing of it. Unset: events are logged as given.
    std::function<absl::Status(std::vector<AuditEvent>& events, absl::Time now)> seal;
  };

  // Where one event is in the log.
  struct Appended {
    uint64_t index = 0;
    // The RFC 6962 leaf hash of the event's entry.
    Hash leaf_hash{};
    // For a new event, the size of the first checkpoint that covers it; for a duplicate, the size
    // of the latest checkpoint.
    uint64_t tree_size = 0;
    // The event was logged before: `index` is the original's and nothing was appended.
    bool duplicate = false;
  };
  // Called once with where each event is, in order, or the first error.
  using AppendDone = std::function<void(absl::StatusOr<std::vector<Appended>>)>;

  // `sequencer`, `log`, `index`, `follower` (which feeds `index` from `log`) and what `options`
  // points to must outlive the EventLog, and the EventLog must outlive the sequencer's callbacks
  // for what it appended. Reads the latest logged time from the index and the un-indexed tail of
  // the log, so that stamps continue from it after a restart.
  static absl::StatusOr<std::unique_ptr<EventLog>> Create(Sequencer* sequencer,
                                                          const LogReader* log,
                                                          const EventIndex* index,
                                                          const IndexFollower* follower,
                                                          Options options);

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Logs `events` (deduplicated, each stamped with its logged_time), then calls `done` with where
  // each one is, on this thread or the sequencer's. May block while a look-up waits for the index.
  // The caller has checked where the events come from (CheckNative for posted events, an
  // adapter's own checks for ingested ones) and stamped their provenance.
  void Append(std::vector<AuditEvent> events, AppendDone done);

  // Logs events that the server itself writes (ACTION_CONFIG_APPLIED,
  // ACTION_ACCESS_DENIED_BY_LEDGER, ...) as Append does, deduplicated and stamped, after setting
  // each one's observer.adapter and id.source to kServerSource and clearing its provenance (the
  // server vouches for them itself). The caller builds a source id that is unique per event
  // (a redelivery of the same id is answered as a duplicate). CheckNative does not apply, and
  // natively posted events can neither use kServerSource nor these actions.
  void AppendServerEvents(std::vector<AuditEvent> events, AppendDone done);
  // The same, waiting until the events are durable (or refused): for the server's summaries and
  // configuration records, written off the request path.
  absl::StatusOr<std::vector<Appended>> AppendServerEventsAndWait(std::vector<AuditEvent> events);
  // The same for one event: where it is.
  absl::StatusOr<Appended> AppendServerEventAndWait(AuditEvent event);

  // The event at `index` as the log holds it, read from the entry bundles of the tree of
  // `tree_size` (which must cover it: an Appended's tree_size does). DataLoss when the entry is
  // not an event.
  absl::StatusOr<AuditEvent> Read(uint64_t index, uint64_t tree_size) const;

  // The checks on an event that a service posted itself (POST /v1/events), before Append:
  // observer.adapter is kNativeAdapter, logged_time, provenance and config_applied are unset (the
  // server sets provenance), the action is not one only the server writes (IsServerOnlyAction),
  // and id.source is neither kServerSource nor reserved. Fails with InvalidArgument naming the
  // rule.
  absl::Status CheckNative(const AuditEvent& event) const;

  // Called with each event this log appends (its clock anomalies aside) as its entry holds it,
  // in index order, once its batch is durable and before its appender is answered, on the
  // sequencer's thread: for a reader that must see the events in log order as they are logged
  // (the gate's book). After a failed commit (which may have stored its batch), the next durable
  // batch first hands on the events the log holds between the two. It must be quick and must
  // not append. An append claimed before the observer was set may reach it or not.
  using Observer = std::function<void(uint64_t index, const AuditEvent& event)>;
  // Replaces the observer (nullptr: none); returns once no call of the old one is running.
  void SetObserver(Observer observer);

  // Waits until the event index covers the latest checkpoint, and returns its size; Unavailable
  // after `timeout`. For readers that must see every event below a size (the gate at start).
  absl::StatusOr<uint64_t> WaitIndexed(absl::Duration timeout) const;

  // The logged-time metrics (LoggedClock::RenderMetrics).
  void RenderMetrics(std::string* out) const { clock_.RenderMetrics(out); }

  // One search result.
  struct Match {
    uint64_t index = 0;
    Hash leaf_hash{};
    AuditEvent event;
    // When asked for: the inclusion proof of the entry in the tree of SearchResult::tree_size.
    std::vector<Hash> proof;
  };
  struct SearchResult {
    // The tree size searched (and proved against).
    uint64_t tree_size = 0;
    // When proofs were asked for: the signed checkpoint of tree_size.
    std::string checkpoint;
    std::vector<Match> matches;
    // The cursor of the next page, if there may be one.
    absl::optional<uint64_t> next_cursor;
  };
  // One page of the events that match `request`, in its order, from the tree of the latest
  // checkpoint: waits up to Options::index_wait for the index to cover it, then searches what the
  // index covers. Fails with DataLoss if the index points to an entry that is not an event.
  absl::StatusOr<SearchResult> Search(const EventSearchRequest& request) const;

 private:
  using Key = std::pair<std::string, std::string>;  // (id.source, id.source_id)
  using Waiter = std::function<void(absl::StatusOr<Appended>)>;
  struct Delivery;

  EventLog(Sequencer* sequencer, const LogReader* log, const EventIndex* index,
           const IndexFollower* follower, Options options, uint64_t start_size,
           absl::Time last_logged);

  // Where the first event with `key` is in the log before this object was created, if anywhere.
  absl::StatusOr<absl::optional<Appended>> FindLogged(const Key& key) const;
  // Stamps and appends the claimed events; resolves their claims when durable.
  void AppendClaimed(std::vector<AuditEvent> events, std::vector<Waiter> owners);
  // Resolves the claim on `key` and every redelivery waiting on it.
  void Settle(const Key& key, const absl::StatusOr<Appended>& result, Waiter owner);

  Sequencer* const sequencer_;
  const LogReader* const log_;
  const EventIndex* const index_;
  const IndexFollower* const follower_;
  const Options options_;
  const Prover prover_;
  // The log's size at creation: the events below it are found through the index only.
  const uint64_t start_size_;

  absl::Mutex mu_;
  // Events being appended, with the redeliveries waiting for them.
  absl::flat_hash_map<Key, std::vector<Waiter>> in_flight_ ABSL_GUARDED_BY(mu_);
  // Events this object appended, until the index covers them; `recent_order_` in index order.
  absl::flat_hash_map<Key, Appended> recent_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<uint64_t, Key>> recent_order_ ABSL_GUARDED_BY(mu_);

  // Held while stamping logged_time and taking a turn, and again, in turn order, while calling
  // AppendAsync, so that both follow one order; sealing (Options::seal) runs between the two,
  // unlocked, side by side with other appends' sealing.
  absl::Mutex append_mu_;  // Taken before mu_ when both are held.
  uint64_t next_turn_ ABSL_GUARDED_BY(append_mu_) = 0;
  uint64_t serving_turn_ ABSL_GUARDED_BY(append_mu_) = 0;
  // Read (Next) under append_mu_ only; its metrics are thread-safe.
  LoggedClock clock_;

  // Gives the observer a batch's events once it is durable, after those of a failed commit
  // that reached the log after all; on the sequencer's callback thread.
  void Observe(const absl::StatusOr<Sequencer::Appended>& appended,
               const std::vector<AuditEvent>& logged, size_t entries);

  // Held while the observer runs, so that SetObserver waits for a call in progress.
  absl::Mutex observer_mu_;
  Observer observer_ ABSL_GUARDED_BY(observer_mu_);
  // One past this log's last batch the observer saw, and whether a commit failed since (its
  // entries may be stored: they are read back from `next_observed_` on).
  uint64_t next_observed_ ABSL_GUARDED_BY(observer_mu_) = 0;
  bool unsure_ ABSL_GUARDED_BY(observer_mu_) = false;
};

// Calls `visit` on every event `query` matches at indices [from, end) of `log`, oldest first
// (its order and limit are replaced), a page of EventLog::Search at a time, and stops at the
// first error `visit` or a search returns.
absl::Status ForEachEvent(const EventLog& log, EventQuery query, uint64_t from, uint64_t end,
                          const std::function<absl::Status(const EventLog::Match&)>& visit);
absl::Status ForEachEvent(const EventLog& log, EventQuery query,
                          const std::function<absl::Status(const EventLog::Match&)>& visit);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_EVENT_LOG_H_
