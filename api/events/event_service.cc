#include "api/events/event_service.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "api/events/event_query.h"
#include "api/events/events_api.pb.h"
#include "api/message_codec.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_query.h"
#include "ledger/tile_reader.h"
#include "google/protobuf/util/json_util.h"

namespace vellum {
namespace api {
namespace {

constexpr absl::string_view kNativeAdapter = "native";
constexpr absl::string_view kIngestPrefix = "/v1/ingest/";

// The latest logged time of the events in [covered, size) of the log, searching backwards: logged
// time does not decrease along the log, so the last event that has one has the latest.
absl::StatusOr<absl::optional<absl::Time>> LastLoggedInTail(const ledger::LogReader& log,
                                                            uint64_t covered, uint64_t size) {
  for (uint64_t end = size; end > covered;) {
    const uint64_t bundle = (end - 1) / kTileWidth;
    absl::StatusOr<std::vector<std::string>> entries =
        ledger::ReadBundleEntries(log, bundle, size);
    if (!entries.ok()) return entries.status();
    const uint64_t begin = std::max(covered, bundle * kTileWidth);
    for (uint64_t i = end; i > begin; --i) {
      absl::StatusOr<ledger::AuditEvent> event = ledger::DecodeEntry((*entries)[(i - 1) % kTileWidth]);
      if (event.ok() && event->has_logged_time()) return ledger::FromProtoTime(event->logged_time());
    }
    end = begin;
  }
  return absl::optional<absl::Time>();
}

bool IsReservedSource(absl::string_view source, const EventService::Options& options) {
  if (source == "ingest") return true;  // ingest::IngestRejectedEvent's.
  for (const ingest::Adapter* adapter : options.adapters) {
    if (adapter->name() == source) return true;
  }
  return options.disabled_adapters.count(std::string(source)) > 0;
}

}  // namespace

// One request's events, answered together once each is resolved.
struct EventService::Delivery {
  explicit Delivery(size_t n, std::function<void(absl::StatusOr<std::vector<Resolved>>)> d)
      : results(n), remaining(n), done(std::move(d)) {}

  // The claim or wait for event i; `duplicate` marks redeliveries of an event being appended.
  static Waiter For(std::shared_ptr<Delivery> delivery, size_t i, bool duplicate) {
    return [delivery, i, duplicate](absl::StatusOr<Resolved> result) {
      if (result.ok() && duplicate) result->duplicate = true;
      delivery->Resolve(i, std::move(result));
    };
  }

  void Resolve(size_t i, absl::StatusOr<Resolved> result) {
    std::vector<Resolved> all;
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
  std::vector<Resolved> results ABSL_GUARDED_BY(mu);
  size_t remaining ABSL_GUARDED_BY(mu);
  absl::Status error ABSL_GUARDED_BY(mu);
  const std::function<void(absl::StatusOr<std::vector<Resolved>>)> done;
};

absl::StatusOr<std::unique_ptr<EventService>> EventService::Create(
    ledger::Sequencer* sequencer, const ledger::LogReader* log, const ledger::EventIndex* index,
    const ledger::IndexFollower* follower, HttpServer::Handler next, const Options& options) {
  const uint64_t size = sequencer->Head()->size;
  absl::Time last_logged = absl::InfinitePast();
  const uint64_t covered = index->covered();
  absl::StatusOr<absl::optional<int64_t>> indexed = index->LastLoggedTime();
  if (!indexed.ok()) return indexed.status();
  if (indexed->has_value()) last_logged = absl::FromUnixMicros(**indexed);
  absl::StatusOr<absl::optional<absl::Time>> tail = LastLoggedInTail(*log, covered, size);
  if (!tail.ok()) return tail.status();
  if (tail->has_value()) last_logged = std::max(last_logged, **tail);
  return std::unique_ptr<EventService>(
      new EventService(sequencer, log, index, follower, std::move(next), options, last_logged));
}

EventService::EventService(ledger::Sequencer* sequencer, const ledger::LogReader* log,
                           const ledger::EventIndex* index, const ledger::IndexFollower* follower,
                           HttpServer::Handler next, const Options& options,
                           absl::Time last_logged)
    : sequencer_(sequencer),
      log_(log),
      index_(index),
      follower_(follower),
      next_(std::move(next)),
      options_(options),
      prover_(*log, ledger::ProverOptions{options.tile_cache, nullptr}),
      start_size_(sequencer->Head()->size),
      rejected_tokens_(options.rejected_burst),
      rejected_refilled_(absl::Now()),
      last_logged_(last_logged),
      workers_(options.worker_threads) {}

void EventService::Handle(HttpRequest request, HttpServer::Respond respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path != "/v1/events" && !absl::StartsWith(path, kIngestPrefix)) {
    return next_(std::move(request), std::move(respond));
  }
  // Searches and deduplicating look-ups may wait for the index, and searches take milliseconds:
  // neither may hold an HTTP I/O thread.
  workers_.Post([this, request = std::move(request), respond = std::move(respond)] {
    HandleEvents(request, respond);
  });
}

void EventService::HandleEvents(const HttpRequest& request, const HttpServer::Respond& respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path == "/v1/events") {
    if (request.method == "POST") return PostEvent(request, respond);
    if (request.method == "GET") return respond(Search(request));
    return respond(MethodNotAllowedResponse(request.method, "GET, POST"));
  }
  if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
  PostIngest(request, path.substr(kIngestPrefix.size()), respond);
}

void EventService::PostEvent(const HttpRequest& request, const HttpServer::Respond& respond) {
  if (options_.auth != nullptr) {
    if (absl::Status s = options_.auth->Check(request); !s.ok()) {
      return RecordRejected(kNativeAdapter, request, s, [respond, s] { respond(UnauthorizedResponse(s)); });
    }
  }
  const std::string type = MediaType(request.Header("content-type"));
  absl::StatusOr<ledger::AuditEvent> event;
  if (type == kProtobufType) {
    event = ledger::ParseEventProto(request.body);
  } else if (type == "application/json") {
    event = ledger::ParseEventJson(request.body);
  } else {
    return respond(
        ErrorResponse(415, "content type must be application/json or application/x-protobuf"));
  }
  if (!event.ok()) return respond(ErrorResponse(event.status()));
  if (event->observer().adapter() != kNativeAdapter) {
    return respond(
        ErrorResponse(400, "observer.adapter must be \"native\" for POST /v1/events"));
  }
  if (event->has_logged_time()) {
    return respond(ErrorResponse(400, "logged_time is set by the log: leave it unset"));
  }
  if (IsReservedSource(event->id().source(), options_)) {
    return respond(ErrorResponse(400, absl::StrCat("id.source \"", event->id().source(),
                                                   "\" is reserved for Vellum's adapters")));
  }
  const bool protobuf = WantsProtobuf(request);
  ledger::EventId id = event->id();
  std::vector<ledger::AuditEvent> events;
  events.push_back(*std::move(event));
  Submit(std::move(events), [respond, protobuf, id = std::move(id)](
                                absl::StatusOr<std::vector<Resolved>> resolved) {
    if (!resolved.ok()) return respond(ErrorResponse(resolved.status()));
    const Resolved& r = resolved->front();
    EventAppended message;
    *message.mutable_id() = id;
    message.set_index(r.index);
    message.set_leaf_hash(std::string(HashBytes(r.leaf_hash)));
    message.set_tree_size(r.tree_size);
    message.set_duplicate(r.duplicate);
    respond(EncodeMessage(protobuf, message));
  });
}

void EventService::PostIngest(const HttpRequest& request, absl::string_view name,
                              const HttpServer::Respond& respond) {
  auto it = std::find_if(options_.adapters.begin(), options_.adapters.end(),
                         [name](const ingest::Adapter* a) { return a->name() == name; });
  if (it == options_.adapters.end()) {
    auto disabled = options_.disabled_adapters.find(std::string(name));
    if (disabled == options_.disabled_adapters.end()) {
      return respond(ErrorResponse(404, "no such endpoint"));
    }
    return respond(ErrorResponse(404, absl::StrCat("adapter ", disabled->first,
                                                   " is disabled: ", disabled->second)));
  }
  const ingest::Adapter& adapter = **it;
  if (!adapter.verifies_signature() && options_.auth != nullptr) {
    if (absl::Status s = options_.auth->Check(request); !s.ok()) {
      return RecordRejected(adapter.name(), request, s, [respond, s] { respond(UnauthorizedResponse(s)); });
    }
  }
  absl::StatusOr<std::vector<ledger::AuditEvent>> events = adapter.Parse(request, absl::Now());
  if (!events.ok()) {
    return RecordRejected(adapter.name(), request, events.status(),
                          [respond, s = events.status()] { respond(ErrorResponse(s)); });
  }
  std::vector<ledger::EventId> ids;
  for (const ledger::AuditEvent& event : *events) ids.push_back(event.id());
  const bool protobuf = WantsProtobuf(request);
  Submit(*std::move(events), [respond, protobuf, ids = std::move(ids)](
                                 absl::StatusOr<std::vector<Resolved>> resolved) {
    if (!resolved.ok()) return respond(ErrorResponse(resolved.status()));
    IngestResponse message;
    for (size_t i = 0; i < resolved->size(); ++i) {
      const Resolved& r = (*resolved)[i];
      EventAppended* appended = message.add_events();
      *appended->mutable_id() = ids[i];
      appended->set_index(r.index);
      appended->set_leaf_hash(std::string(HashBytes(r.leaf_hash)));
      appended->set_tree_size(r.tree_size);
      appended->set_duplicate(r.duplicate);
    }
    respond(EncodeMessage(protobuf, message));
  });
}

void EventService::Submit(std::vector<ledger::AuditEvent> events,
                          std::function<void(absl::StatusOr<std::vector<Resolved>>)> done) {
  if (events.empty()) return done(std::vector<Resolved>());
  auto delivery = std::make_shared<Delivery>(events.size(), std::move(done));
  std::vector<size_t> claimed;
  std::vector<std::pair<size_t, Resolved>> known;
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
  for (auto& [i, resolved] : known) {
    resolved.duplicate = true;
    resolved.tree_size = sequencer_->Head()->size;
    delivery->Resolve(i, resolved);
  }
  std::vector<ledger::AuditEvent> to_append;
  std::vector<Waiter> owners;
  for (size_t i : claimed) {
    const Key key(events[i].id().source(), events[i].id().source_id());
    absl::StatusOr<absl::optional<Resolved>> logged = FindLogged(key);
    if (!logged.ok()) {
      Settle(key, logged.status(), Delivery::For(delivery, i, false));
    } else if (logged->has_value()) {
      Settle(key, **logged, Delivery::For(delivery, i, true));
    } else {
      to_append.push_back(std::move(events[i]));
      owners.push_back(Delivery::For(delivery, i, false));
    }
  }
  if (!to_append.empty()) Append(std::move(to_append), std::move(owners));
}

absl::StatusOr<absl::optional<EventService::Resolved>> EventService::FindLogged(
    const Key& key) const {
  absl::StatusOr<ledger::EventIndex::IdLookup> lookup = index_->FindId(key.first, key.second);
  if (lookup.ok() && lookup->covered < start_size_) {
    follower_->WaitFor(start_size_, options_.index_wait);
    lookup = index_->FindId(key.first, key.second);
    if (lookup.ok() && lookup->covered < start_size_) {
      return absl::UnavailableError(absl::StrCat(
          "the event index covers ", lookup->covered, " of the ", start_size_,
          " entries logged before the server started; retry shortly"));
    }
  }
  if (!lookup.ok()) return lookup.status();
  if (!lookup->index.has_value()) return absl::optional<Resolved>();
  const uint64_t size = sequencer_->Head()->size;
  absl::StatusOr<std::string> entry = prover_.Entry(*lookup->index, size);
  if (!entry.ok()) return entry.status();
  absl::StatusOr<ledger::AuditEvent> event = ledger::DecodeEntry(*entry);
  if (!event.ok() || event->id().source() != key.first || event->id().source_id() != key.second) {
    return absl::DataLossError(absl::StrCat("the event index points to entry ", *lookup->index,
                                            ", which does not hold that event id"));
  }
  Resolved resolved;
  resolved.index = *lookup->index;
  resolved.leaf_hash = HashLeaf(*entry);
  resolved.tree_size = size;
  resolved.duplicate = true;
  return absl::optional<Resolved>(resolved);
}

void EventService::Append(std::vector<ledger::AuditEvent> events, std::vector<Waiter> owners) {
  std::vector<std::string> entries;
  std::vector<Key> keys;
  std::vector<Waiter> appended_owners;
  absl::MutexLock lock(&append_mu_);
  last_logged_ = std::max(absl::Now(), last_logged_);
  const google::protobuf::Timestamp logged_time = ledger::ToProtoTime(last_logged_);
  for (size_t i = 0; i < events.size(); ++i) {
    Key key(events[i].id().source(), events[i].id().source_id());
    *events[i].mutable_logged_time() = logged_time;
    absl::StatusOr<std::string> entry = ledger::EncodeEntry(events[i]);
    if (!entry.ok()) {
      Settle(key, entry.status(), std::move(owners[i]));
      continue;
    }
    entries.push_back(*std::move(entry));
    keys.push_back(std::move(key));
    appended_owners.push_back(std::move(owners[i]));
  }
  if (entries.empty()) return;
  std::vector<Hash> leaf_hashes;
  for (const std::string& entry : entries) leaf_hashes.push_back(HashLeaf(entry));
  // The sequencer calls back in index order, so recent_order_ stays sorted.
  sequencer_->AppendAsync(
      std::move(entries),
      [this, keys = std::move(keys), leaf_hashes = std::move(leaf_hashes),
       owners = std::move(appended_owners)](
          absl::StatusOr<ledger::Sequencer::Appended> appended) mutable {
        for (size_t i = 0; i < keys.size(); ++i) {
          if (!appended.ok()) {
            Settle(keys[i], appended.status(), std::move(owners[i]));
            continue;
          }
          Resolved resolved;
          resolved.index = appended->first_index + i;
          resolved.leaf_hash = leaf_hashes[i];
          resolved.tree_size = appended->head->size;
          Settle(keys[i], resolved, std::move(owners[i]));
        }
      });
}

void EventService::Settle(const Key& key, const absl::StatusOr<Resolved>& result,
                          Waiter owner) {
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

void EventService::RecordRejected(absl::string_view adapter, const HttpRequest& request,
                                  const absl::Status& error, std::function<void()> then) {
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    rejected_tokens_ =
        std::min(options_.rejected_burst,
                 rejected_tokens_ + absl::ToDoubleSeconds(now - rejected_refilled_) *
                                        options_.rejected_per_second);
    rejected_refilled_ = now;
    if (rejected_tokens_ < 1) {
      rejected_dropped_++;
      return then();
    }
    rejected_tokens_ -= 1;
  }
  std::vector<ledger::AuditEvent> events;
  events.push_back(ingest::IngestRejectedEvent(adapter, request, error, now));
  Submit(std::move(events),
         [then = std::move(then)](absl::StatusOr<std::vector<Resolved>>) { then(); });
}

HttpResponse EventService::Search(const HttpRequest& request) const {
  if (options_.auth != nullptr) {
    if (absl::Status s = options_.auth->Check(request); !s.ok()) return UnauthorizedResponse(s);
  }
  absl::StatusOr<ledger::EventSearchRequest> search = ParseEventSearch(SplitTarget(request.target).second);
  if (!search.ok()) return ErrorResponse(search.status());
  const std::shared_ptr<const ledger::LogHead> head = sequencer_->Head();
  // Read your writes: search what the latest checkpoint covers, unless the index lags too long.
  follower_->WaitFor(head->size, options_.index_wait);
  absl::StatusOr<ledger::EventIndex::Matches> matches =
      index_->Search(ledger::PageQuery(*search, head->size));
  if (!matches.ok()) return ErrorResponse(matches.status());

  EventSearchResponse response;
  response.set_tree_size(head->size);
  std::vector<uint64_t> kept;
  uint64_t bundle_index = UINT64_MAX;
  std::vector<std::string> bundle;
  for (uint64_t index : matches->indices) {
    if (index / kTileWidth != bundle_index) {
      bundle_index = index / kTileWidth;
      absl::StatusOr<std::vector<std::string>> entries =
          ledger::ReadBundleEntries(*log_, bundle_index, head->size);
      if (!entries.ok()) return ErrorResponse(entries.status());
      bundle = *std::move(entries);
    }
    const std::string& entry = bundle[index % kTileWidth];
    absl::StatusOr<ledger::AuditEvent> event = ledger::DecodeEntry(entry);
    if (!event.ok()) {
      return ErrorResponse(absl::DataLossError(
          absl::StrCat("the event index points to entry ", index, ", which is not an event")));
    }
    if (!ledger::EventMatchesQuery(*event, search->query)) continue;
    EventMatch* match = response.add_events();
    match->set_index(index);
    match->set_leaf_hash(std::string(HashBytes(HashLeaf(entry))));
    *match->mutable_event() = *std::move(event);
    kept.push_back(index);
  }
  if (search->proof) response.set_checkpoint(head->checkpoint);
  if (search->proof && !kept.empty()) {
    absl::StatusOr<std::vector<std::vector<Hash>>> proofs =
        prover_.InclusionProofs(kept, head->size, head->size);
    if (!proofs.ok()) return ErrorResponse(proofs.status());
    for (size_t i = 0; i < kept.size(); ++i) {
      for (const Hash& h : (*proofs)[i]) {
        response.mutable_events(i)->add_proof(std::string(HashBytes(h)));
      }
    }
  }
  if (matches->more) {
    response.set_next_page_token(absl::StrCat(ledger::NextCursor(*search, matches->indices.back())));
  }
  return EncodeMessage(WantsProtobuf(request), response);
}

}  // namespace api
}  // namespace vellum
