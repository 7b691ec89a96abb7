#include "ledger/events/event_log.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_fields.h"
#include "ledger/tile_reader.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {
namespace {

// The latest logged time of the events in [covered, size) of the log, searching backwards: logged
// time does not decrease along the log, so the last event that has one has the latest.
absl::StatusOr<absl::optional<absl::Time>> LastLoggedInTail(const LogReader& log,
                                                            uint64_t typed_from, uint64_t covered,
                                                            uint64_t size) {
  for (uint64_t end = size; end > covered;) {
    const uint64_t bundle = (end - 1) / kTileWidth;
    absl::StatusOr<std::vector<std::string>> entries = ReadBundleEntries(log, bundle, size);
    if (!entries.ok()) return entries.status();
    const uint64_t begin = std::max(covered, bundle * kTileWidth);
    for (uint64_t i = end; i > begin; --i) {
      absl::StatusOr<AuditEvent> event =
          DecodeLogEntry(typed_from, i - 1, (*entries)[(i - 1) % kTileWidth]);
      if (event.ok() && event->has_logged_time()) return FromProtoTime(event->logged_time());
    }
    end = begin;
  }
  return absl::optional<absl::Time>();
}

}  // namespace

// One Append call's events, answered together once each is resolved.
struct EventLog::Delivery {
  Delivery(size_t n, AppendDone d) : results(n), remaining(n), done(std::move(d)) {}

  // The claim or wait for event i; `duplicate` marks redeliveries of an event being appended.
  static Waiter For(std::shared_ptr<Delivery> delivery, size_t i, bool duplicate) {
    return [delivery, i, duplicate](absl::StatusOr<Appended> result) {
      if (result.ok() && duplicate) result->duplicate = true;
      delivery->Resolve(i, std::move(result));
    };
  }

  void Resolve(size_t i, absl::StatusOr<Appended> result) {
    std::vector<Appended> all;
    absl::Status first_error;
    {
      absl::MutexLock lock(&mu);
      if (!result.ok()) {
        if (error.ok()) error = result.status();
      } else {
        results[i] = *result;
      }
      if (--remaining != 0) return;
      // The last one answers, outside the lock.
      all = std::move(results);
      first_error = error;
    }
    if (first_error.ok()) {
      done(std::move(all));
    } else {
      done(first_error);
    }
  }

  absl::Mutex mu;
  std::vector<Appended> results ABSL_GUARDED_BY(mu);
  size_t remaining ABSL_GUARDED_BY(mu);
  absl::Status error ABSL_GUARDED_BY(mu);
  const AppendDone done;
};

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Create(Sequencer* sequencer,
                                                           const LogReader* log,
                                                           const EventIndex* index,
                                                           const IndexFollower* follower,
                                                           Options options) {
  const uint64_t size = sequencer->Head()->size;
  absl::Time last_logged = absl::InfinitePast();
  const uint64_t covered = index->covered();
  absl::StatusOr<absl::optional<int64_t>> indexed = index->LastLoggedTime();
  if (!indexed.ok()) return indexed.status();
  if (indexed->has_value()) last_logged = absl::FromUnixMicros(**indexed);
  // Entries below typed_from are never events: a logged time there, however late, is not one.
  absl::StatusOr<absl::optional<absl::Time>> tail =
      LastLoggedInTail(*log, index->typed_from(), std::max(covered, index->typed_from()), size);
  if (!tail.ok()) return tail.status();
  if (tail->has_value()) last_logged = std::max(last_logged, **tail);
  return std::unique_ptr<EventLog>(
      new EventLog(sequencer, log, index, follower, std::move(options), size, last_logged));
}

EventLog::EventLog(Sequencer* sequencer, const LogReader* log, const EventIndex* index,
                   const IndexFollower* follower, Options options, uint64_t start_size,
                   absl::Time last_logged)
    : sequencer_(sequencer),
      log_(log),
      index_(index),
      follower_(follower),
      options_(std::move(options)),
      prover_(*log, ProverOptions{options_.tile_cache, nullptr}),
      start_size_(start_size),
      clock_(options_.clock, last_logged),
      next_observed_(start_size) {}

absl::Status EventLog::CheckNative(const AuditEvent& event) const {
  if (event.observer().adapter() != kNativeAdapter) {
    return absl::InvalidArgumentError("observer.adapter must be \"native\" for POST /v1/events");
  }
  if (event.has_logged_time()) {
    return absl::InvalidArgumentError("logged_time is set by the log: leave it unset");
  }
  if (event.has_provenance()) {
    return absl::InvalidArgumentError(
        "provenance is set by the server from the caller's credentials: leave it unset");
  }
  if (event.sealed_size() != 0 || !event.actor().pseudonym().empty()) {
    return absl::InvalidArgumentError(
        "sealed and actor.pseudonym are set by the server when it seals personal fields: "
        "leave them unset");
  }
  if (event.has_config_applied() || IsServerOnlyAction(event.action())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "action ", Action_Name(event.action()),
        " and config_applied are written by the server only, want another action"));
  }
  if (event.has_approval()) {
    return absl::InvalidArgumentError(
        "approval is written by the server's gate only (POST /v1/approvals): leave it unset");
  }
  if (event.id().source() == kServerSource) {
    return absl::InvalidArgumentError(
        absl::StrCat("id.source \"", kServerSource, "\" is reserved for the server's own events"));
  }
  if (options_.reserved_sources.contains(event.id().source())) {
    return absl::InvalidArgumentError(
        absl::StrCat("id.source \"", event.id().source(), "\" is reserved for Vellum's adapters"));
  }
  return absl::OkStatus();
}

void EventLog::Append(std::vector<AuditEvent> events, AppendDone done) {
  if (events.empty()) return done(std::vector<Appended>());
  auto delivery = std::make_shared<Delivery>(events.size(), std::move(done));
  std::vector<size_t> claimed;
  std::vector<std::pair<size_t, Appended>> known;
  {
    absl::MutexLock lock(&mu_);
    const uint64_t covered = index_->covered();
    while (!recent_order_.empty() && recent_order_.front().first < covered) {
      recent_.erase(recent_order_.front().second);
      recent_order_.pop_front();
    }
    for (size_t i = 0; i < events.size(); ++i) {
      Key key(events[i].id().source(), events[i].id().source_id());
      if (auto r = recent_.find(key); r != recent_.end()) {
        known.emplace_back(i, r->second);
      } else if (auto f = in_flight_.find(key); f != in_flight_.end()) {
        f->second.push_back(Delivery::For(delivery, i, /*duplicate=*/true));
      } else {
        in_flight_.emplace(std::move(key), std::vector<Waiter>());
        claimed.push_back(i);
      }
    }
  }
  for (auto& [i, appended] : known) {
    appended.duplicate = true;
    appended.tree_size = sequencer_->Head()->size;
    delivery->Resolve(i, appended);
  }
  std::vector<AuditEvent> to_append;
  std::vector<Waiter> owners;
  for (size_t i : claimed) {
    const Key key(events[i].id().source(), events[i].id().source_id());
    absl::StatusOr<absl::optional<Appended>> logged = FindLogged(key);
    if (!logged.ok()) {
      Settle(key, logged.status(), Delivery::For(delivery, i, false));
    } else if (logged->has_value()) {
      Settle(key, **logged, Delivery::For(delivery, i, true));
    } else {
      to_append.push_back(std::move(events[i]));
      owners.push_back(Delivery::For(delivery, i, false));
    }
  }
  if (!to_append.empty()) AppendClaimed(std::move(to_append), std::move(owners));
}

void EventLog::AppendServerEvents(std::vector<AuditEvent> events, AppendDone done) {
  for (AuditEvent& event : events) {
    event.mutable_observer()->set_adapter(std::string(kServerSource));
    event.mutable_id()->set_source(std::string(kServerSource));
    event.clear_provenance();
  }
  Append(std::move(events), std::move(done));
}

absl::StatusOr<std::vector<EventLog::Appended>> EventLog::AppendServerEventsAndWait(
    std::vector<AuditEvent> events) {
  absl::Notification done;
  absl::StatusOr<std::vector<Appended>> result;
  AppendServerEvents(std::move(events), [&](absl::StatusOr<std::vector<Appended>> appended) {
    result = std::move(appended);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<EventLog::Appended> EventLog::AppendServerEventAndWait(AuditEvent event) {
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  absl::StatusOr<std::vector<Appended>> appended = AppendServerEventsAndWait(std::move(events));
  if (!appended.ok()) return appended.status();
  return appended->front();
}

void EventLog::SetObserver(Observer observer) {
  absl::MutexLock lock(&observer_mu_);
  observer_ = std::move(observer);
}

void EventLog::Observe(const absl::StatusOr<Sequencer::Appended>& appended,
                       const std::vector<AuditEvent>& logged, size_t entries) {
  absl::MutexLock lock(&observer_mu_);
  if (!appended.ok()) {
    // A failed commit may still have reached the disk: its events are then in the log, and a
    // redelivery finds them there, so the observer gets them from the log before the next batch.
    unsure_ = true;
    return;
  }
  const uint64_t first = appended->first_index;
  if (observer_ && unsure_) {
    for (uint64_t index = next_observed_; index < first; ++index) {
      // Raw entries are no events, and the log's own are whole: an entry that does not decode
      // is not one to observe.
      if (absl::StatusOr<AuditEvent> event = Read(index, appended->head->size); event.ok()) {
        observer_(index, *event);
      }
    }
  }
  unsure_ = false;
  if (observer_) {
    for (size_t i = 0; i < logged.size(); ++i) observer_(first + i, logged[i]);
  }
  next_observed_ = first + entries;
}

absl::StatusOr<uint64_t> EventLog::WaitIndexed(absl::Duration timeout) const {
  const uint64_t size = sequencer_->Head()->size;
  if (!follower_->WaitFor(size, timeout)) {
    return absl::UnavailableError(absl::StrCat("the event index does not cover the ", size,
                                               " entries of the log after ",
                                               absl::FormatDuration(timeout)));
  }
  return size;
}

absl::StatusOr<AuditEvent> EventLog::Read(uint64_t index, uint64_t tree_size) const {
  if (index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("event index ", index, " is not in the tree of ", tree_size));
  }
  absl::StatusOr<std::vector<std::string>> entries =
      ReadBundleEntries(*log_, index / kTileWidth, tree_size);
  if (!entries.ok()) return entries.status();
  const size_t offset = index % kTileWidth;
  if (offset >= entries->size()) {
    return absl::DataLossError(absl::StrCat("entry ", index, " is missing from its bundle"));
  }
  absl::StatusOr<AuditEvent> event =
      DecodeLogEntry(index_->typed_from(), index, (*entries)[offset]);
  if (!event.ok()) {
    return absl::DataLossError(
        absl::StrCat("entry ", index, " is not an event: ", event.status().message()));
  }
  return event;
}

absl::StatusOr<absl::optional<EventLog::Appended>> EventLog::FindLogged(const Key& key) const {
  absl::StatusOr<EventIndex::IdLookup> lookup = index_->FindId(key.first, key.second);
  if (lookup.ok() && lookup->covered < start_size_) {
    follower_->WaitFor(start_size_, options_.index_wait);
    lookup = index_->FindId(key.first, key.second);
    if (lookup.ok() && lookup->covered < start_size_) {
      return absl::UnavailableError(
          absl::StrCat("the event index covers ", lookup->covered, " of the ", start_size_,
                       " entries logged before the server started; retry shortly"));
    }
  }
  if (!lookup.ok()) return lookup.status();
  if (!lookup->index.has_value()) return absl::optional<Appended>();
  const uint64_t size = sequencer_->Head()->size;
  absl::StatusOr<std::string> entry = prover_.Entry(*lookup->index, size);
  if (!entry.ok()) return entry.status();
  absl::StatusOr<AuditEvent> event = DecodeLogEntry(index_->typed_from(), *lookup->index, *entry);
  if (!event.ok() || event->id().source() != key.first || event->id().source_id() != key.second) {
    return absl::DataLossError(absl::StrCat("the event index points to entry ", *lookup->index,
                                            ", which does not hold that event id"));
  }
  Appended appended;
  appended.index = *lookup->index;
  appended.leaf_hash = HashLeaf(*entry);
  appended.tree_size = size;
  appended.duplicate = true;
  return absl::optional<Appended>(appended);
}

void EventLog::AppendClaimed(std::vector<AuditEvent> events, std::vector<Waiter> owners) {
  std::vector<std::pair<Key, absl::Status>> failed;
  std::vector<Waiter> failed_owners;
  {
    // The logged time and a turn, in one step: appends reach the sequencer in turn order, so
    // logged time never decreases along the log, while their values are sealed side by side.
    LoggedClock::Reading reading;
    uint64_t turn;
    {
      absl::MutexLock lock(&append_mu_);
      reading = clock_.Next();
      turn = next_turn_++;
    }
    absl::Status ready = reading.stamp.status();
    if (ready.ok()) {
      for (AuditEvent& event : events) *event.mutable_logged_time() = ToProtoTime(*reading.stamp);
      // The sealed values are durable before the entries that refer to them are appended.
      if (options_.seal) ready = options_.seal(events, *reading.stamp);
    }
    absl::MutexLock lock(&append_mu_);
    auto my_turn = [this, turn]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_) {
      return serving_turn_ == turn;
    };
    append_mu_.Await(absl::Condition(&my_turn));
    std::vector<std::string> entries;
    std::vector<Key> keys;
    std::vector<Hash> leaf_hashes;
    std::vector<Waiter> appended_owners;
    // The events as their entries hold them, for the observer.
    std::vector<AuditEvent> logged;
    for (size_t i = 0; i < events.size(); ++i) {
      Key key(events[i].id().source(), events[i].id().source_id());
      absl::StatusOr<std::string> entry = ready.ok() ? EncodeEntry(events[i]) : ready;
      if (!entry.ok()) {
        failed.emplace_back(std::move(key), entry.status());
        failed_owners.push_back(std::move(owners[i]));
        continue;
      }
      leaf_hashes.push_back(HashLeaf(*entry));
      entries.push_back(*std::move(entry));
      keys.push_back(std::move(key));
      appended_owners.push_back(std::move(owners[i]));
      logged.push_back(std::move(events[i]));
    }
    // The anomalies go after the events, which keep entries' first indices; nobody waits for
    // them, and their ids are random, so they need no claim.
    for (const LoggedClock::Anomaly& anomaly : reading.anomalies) {
      AuditEvent event = NewServerEvent(ACTION_CLOCK_ANOMALY, anomaly.at);
      event.mutable_outcome()->set_result(Outcome::RESULT_FAILURE);
      event.mutable_outcome()->set_reason(anomaly.description);
      *event.mutable_logged_time() = ToProtoTime(anomaly.at);
      if (absl::StatusOr<std::string> entry = EncodeEntry(event); entry.ok()) {
        entries.push_back(*std::move(entry));
      }
    }
    if (!entries.empty()) {
      // The sequencer calls back in index order, so recent_order_ stays sorted.
      sequencer_->AppendAsync(
          std::move(entries),
          [this, keys = std::move(keys), leaf_hashes = std::move(leaf_hashes),
           owners = std::move(appended_owners), logged = std::move(logged),
           count = entries.size()](absl::StatusOr<Sequencer::Appended> appended) mutable {
            Observe(appended, logged, count);
            for (size_t i = 0; i < keys.size(); ++i) {
              if (!appended.ok()) {
                Settle(keys[i], appended.status(), std::move(owners[i]));
                continue;
              }
              Appended result;
              result.index = appended->first_index + i;
              result.leaf_hash = leaf_hashes[i];
              result.tree_size = appended->head->size;
              Settle(keys[i], result, std::move(owners[i]));
            }
          });
    }
    ++serving_turn_;
  }
  for (size_t i = 0; i < failed.size(); ++i) {
    Settle(failed[i].first, failed[i].second, std::move(failed_owners[i]));
  }
}

void EventLog::Settle(const Key& key, const absl::StatusOr<Appended>& result, Waiter owner) {
  std::vector<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    auto it = in_flight_.find(key);
    waiters = std::move(it->second);
    in_flight_.erase(it);
    if (result.ok() && !result->duplicate) {
      recent_.emplace(key, *result);
      recent_order_.emplace_back(result->index, key);
    }
  }
  owner(result);
  for (Waiter& waiter : waiters) waiter(result);
}

absl::StatusOr<EventLog::SearchResult> EventLog::Search(const EventSearchRequest& request) const {
  const std::shared_ptr<const LogHead> head = sequencer_->Head();
  // Read your writes: search what the latest checkpoint covers, unless the index lags too long.
  follower_->WaitFor(head->size, options_.index_wait);
  absl::StatusOr<EventIndex::Matches> matches = index_->Search(PageQuery(request, head->size));
  if (!matches.ok()) return matches.status();

  SearchResult result;
  result.tree_size = head->size;
  uint64_t bundle_index = UINT64_MAX;
  std::vector<std::string> bundle;
  const bool by_identity = request.query.actor.has_value() || request.query.principal.has_value();
  for (uint64_t index : matches->indices) {
    if (index / kTileWidth != bundle_index) {
      bundle_index = index / kTileWidth;
      absl::StatusOr<std::vector<std::string>> entries =
          ReadBundleEntries(*log_, bundle_index, head->size);
      if (!entries.ok()) return entries.status();
      bundle = *std::move(entries);
    }
    const std::string& entry = bundle[index % kTileWidth];
    absl::StatusOr<AuditEvent> event = DecodeLogEntry(index_->typed_from(), index, entry);
    if (!event.ok()) {
      return absl::DataLossError(
          absl::StrCat("the event index points to entry ", index, ", which is not an event"));
    }
    // The identities as the index records them (pseudonyms of those in clear) only when the
    // query filters on them: mapping one may create its key in the sealed store.
    absl::StatusOr<absl::optional<EventFields>> fields =
        by_identity ? index_->FieldsOf(index, entry)
                    : absl::StatusOr<absl::optional<EventFields>>(FieldsOfEvent(*event, {}));
    if (!fields.ok()) return fields.status();
    if (!fields->has_value() || !FieldsMatchQuery(**fields, request.query)) continue;
    Match& match = result.matches.emplace_back();
    match.index = index;
    match.leaf_hash = HashLeaf(entry);
    match.event = *std::move(event);
  }
  if (request.proof) result.checkpoint = head->checkpoint;
  if (request.proof && !result.matches.empty()) {
    std::vector<uint64_t> kept;
    for (const Match& match : result.matches) kept.push_back(match.index);
    absl::StatusOr<std::vector<std::vector<Hash>>> proofs =
        prover_.InclusionProofs(kept, head->size, head->size);
    if (!proofs.ok()) return proofs.status();
    for (size_t i = 0; i < kept.size(); ++i) result.matches[i].proof = std::move((*proofs)[i]);
  }
  if (matches->more) result.next_cursor = NextCursor(request, matches->indices.back());
  return result;
}

absl::Status ForEachEvent(const EventLog& log, EventQuery query, uint64_t from, uint64_t end,
                          const std::function<absl::Status(const EventLog::Match&)>& visit) {
  constexpr size_t kPageSize = 500;
  EventSearchRequest request;
  query.newest_first = false;
  query.limit = kPageSize;
  request.query = std::move(query);
  request.cursor = from;
  while (true) {
    absl::StatusOr<EventLog::SearchResult> page = log.Search(request);
    if (!page.ok()) return page.status();
    for (const EventLog::Match& match : page->matches) {
      if (match.index >= end) return absl::OkStatus();
      if (absl::Status s = visit(match); !s.ok()) return s;
    }
    if (!page->next_cursor.has_value()) return absl::OkStatus();
    request.cursor = page->next_cursor;
  }
}

absl::Status ForEachEvent(const EventLog& log, EventQuery query,
                          const std::function<absl::Status(const EventLog::Match&)>& visit) {
  return ForEachEvent(log, std::move(query), 0, UINT64_MAX, visit);
}

}  // namespace ledger
}  // namespace vellum
