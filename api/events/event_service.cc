#include "api/events/event_service.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/append_quota.h"
#include "api/events/event_batch.h"
#include "api/events/event_query.h"
#include "api/events/events_api.pb.h"
#include "api/message_codec.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "ledger/identity/permissions.h"
#include "ledger/metrics/metrics.h"
#include "ledger/policy/deploy_link.h"
#include "ledger/privacy/sealed_record.h"
#include "proof/decimal.h"
#include "proof/hash.h"

namespace vellum {
namespace api {
namespace {

constexpr absl::string_view kIngestPrefix = "/v1/ingest/";
constexpr absl::string_view kEventPrefix = "/v1/events/";
constexpr absl::string_view kBatchPath = "/v1/events:batch";
constexpr char kRejectedNotRecordedLabel[] = "vellum.rejected_not_recorded";

// The sources that natively posted events may not use: the adapters', enabled or not, and
// ingest::IngestRejectedEvent's.
absl::flat_hash_set<std::string> ReservedSources(const EventService::Options& options) {
  absl::flat_hash_set<std::string> sources = {"ingest"};
  for (const ingest::Adapter* adapter : options.adapters) sources.emplace(adapter->name());
  for (const auto& [name, reason] : options.disabled_adapters) sources.insert(name);
  return sources;
}

// Stamps who handed `event` to the log, as the authorization layer found the caller; nothing
// for an anonymous caller.
void StampProvenance(const HttpRequest& request, ledger::AuditEvent* event) {
  if (request.caller == nullptr) return;
  event->mutable_provenance()->set_principal(request.caller->name);
  event->mutable_provenance()->set_authenticated_by(request.caller->authenticated_by);
}

ledger::identity::Scope ScopeOf(const ledger::AuditEvent& event) {
  return {event.target().model_name(), event.target().environment()};
}

EventAppended AppendedMessage(const ledger::EventId& id, const ledger::EventLog::Appended& r) {
  EventAppended message;
  *message.mutable_id() = id;
  message.set_index(r.index);
  message.set_leaf_hash(std::string(HashBytes(r.leaf_hash)));
  message.set_tree_size(r.tree_size);
  message.set_duplicate(r.duplicate);
  return message;
}

// One element per event, in order: the answer to an ingested delivery and to an event batch.
IngestResponse AppendedMessages(const std::vector<ledger::EventId>& ids,
                                const std::vector<ledger::EventLog::Appended>& appended) {
  IngestResponse message;
  for (size_t i = 0; i < appended.size(); ++i) {
    *message.add_events() = AppendedMessage(ids[i], appended[i]);
  }
  return message;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventService>> EventService::Create(
    ledger::Sequencer* sequencer, const ledger::LogReader* log, const ledger::EventIndex* index,
    const ledger::IndexFollower* follower, HttpServer::Handler next, const Options& options) {
  ledger::EventLog::Options log_options;
  log_options.reserved_sources = ReservedSources(options);
  log_options.tile_cache = options.tile_cache;
  log_options.index_wait = options.index_wait;
  log_options.clock = options.clock;
  if (options.custodian != nullptr) {
    ledger::Custodian* custodian = options.custodian;
    log_options.seal = [custodian](std::vector<ledger::AuditEvent>& events, absl::Time now) {
      return custodian->Seal(events, now);
    };
  }
  absl::StatusOr<std::unique_ptr<ledger::EventLog>> events =
      ledger::EventLog::Create(sequencer, log, index, follower, std::move(log_options));
  if (!events.ok()) return events.status();
  return std::unique_ptr<EventService>(
      new EventService(*std::move(events), std::move(next), options));
}

EventService::EventService(std::unique_ptr<ledger::EventLog> events, HttpServer::Handler next,
                           const Options& options)
    : events_(std::move(events)),
      next_(std::move(next)),
      options_(options),
      workers_(options.worker_threads, options.max_queued),
      writers_(options.write_threads, options.max_queued) {
  ledger::AttemptLog::Options rejected;
  rejected.burst = options.rejected_burst;
  rejected.per_second = options.rejected_per_second;
  rejected.summary_interval = options.summary_interval;
  rejected.summary_action = ledger::ACTION_INGEST_REJECTED;
  rejected.count_label = kRejectedNotRecordedLabel;
  rejected.what = "rejected ingestion deliveries";
  rejected.metric = "vellum_ingest_rejected";
  rejected.source_name = options.source_name;
  rejected_ = std::make_unique<ledger::AttemptLog>(events_.get(), std::move(rejected));
  ledger::ShedLog::Options shed;
  shed.summary_interval = options.summary_interval;
  shed_ = std::make_unique<ledger::ShedLog>(events_.get(), shed);
  auto adapters = std::make_shared<Adapters>();
  adapters->enabled = options.adapters;
  adapters->disabled = options.disabled_adapters;
  adapters_ = std::move(adapters);
}

void EventService::Drain() {
  workers_.Stop();
  writers_.Stop();
  rejected_.reset();
  shed_.reset();
}

void EventService::Handle(HttpRequest request, HttpServer::Respond respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path != "/v1/events" && path != kBatchPath && !absl::StartsWith(path, kEventPrefix) &&
      !absl::StartsWith(path, kIngestPrefix)) {
    return next_(std::move(request), std::move(respond));
  }
  // Searches and deduplicating look-ups may wait for the index, and searches take milliseconds:
  // neither may hold an HTTP I/O thread. Writes wait for their sealed values to be synced, reads
  // for the index and the disk: each has its own workers, so searches never hold up ingestion.
  // The queues are bounded (Options::max_queued); a delivery refused there is counted for the
  // adapter's shed summary.
  const std::string target = request.target;
  ledger::WorkQueue& queue = request.method == "POST" ? writers_ : workers_;
  absl::Status queued = queue.Post(
      [this, request = std::move(request), respond] { HandleEvents(request, respond); });
  if (!queued.ok()) {
    RecordRefused(target, ledger::ShedReasonName(ledger::ShedReason::kQueueFull));
    respond(ErrorResponse(queued));
  }
}

void EventService::RecordRefused(absl::string_view target, absl::string_view reason) {
  const absl::string_view path = SplitTarget(target).first;
  const absl::optional<ledger::ShedReason> shed = ledger::ShedReasonNamed(reason);
  if (shed_ == nullptr || !shed.has_value() || !absl::StartsWith(path, kIngestPrefix)) return;
  shed_->RecordShed(path.substr(kIngestPrefix.size()), *shed);
}

void EventService::RenderMetrics(std::string* out) const {
  events_->RenderMetrics(out);
  if (rejected_ != nullptr) rejected_->RenderMetrics(out);
  if (shed_ != nullptr) shed_->RenderMetrics(out);
  ledger::RenderMetric("vellum_event_requests_queued", "gauge",
                       "Requests to the event endpoints waiting for a worker thread.",
                       static_cast<uint64_t>(workers_.queued() + writers_.queued()), out);
  ledger::RenderMetric("vellum_event_requests_refused_total", "counter",
                       "Requests to the event endpoints refused because the queue was full.",
                       workers_.refused() + writers_.refused(), out);
}

void EventService::HandleEvents(const HttpRequest& request, const HttpServer::Respond& respond) {
  const absl::string_view path = SplitTarget(request.target).first;
  if (path == "/v1/events") {
    if (request.method == "POST") return PostEvents(request, /*batch=*/false, respond);
    if (request.method == "GET") return Search(request, respond);
    return respond(MethodNotAllowedResponse(request.method, "GET, POST"));
  }
  if (path == kBatchPath) {
    if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
    return PostEvents(request, /*batch=*/true, respond);
  }
  if (absl::StartsWith(path, kEventPrefix)) {
    if (request.method != "GET") return respond(MethodNotAllowedResponse(request.method, "GET"));
    return GetEvent(request, path.substr(kEventPrefix.size()), respond);
  }
  if (request.method != "POST") return respond(MethodNotAllowedResponse(request.method, "POST"));
  PostIngest(request, path.substr(kIngestPrefix.size()), respond);
}

void EventService::PostEvents(const HttpRequest& request, bool batch,
                              const HttpServer::Respond& respond) {
  const std::string type = MediaType(request.Header("content-type"));
  if (type != kProtobufType && type != "application/json") {
    return respond(
        ErrorResponse(415, "content type must be application/json or application/x-protobuf"));
  }
  const bool json = type == "application/json";
  absl::StatusOr<std::vector<ledger::AuditEvent>> events;
  if (batch) {
    events = ParseEventBatch(request.body, json);
  } else {
    absl::StatusOr<ledger::AuditEvent> event =
        json ? ledger::ParseEventJson(request.body) : ledger::ParseEventProto(request.body);
    if (event.ok()) {
      events = std::vector<ledger::AuditEvent>();
      events->push_back(*std::move(event));
    } else {
      events = event.status();
    }
  }
  if (!events.ok()) return respond(ErrorResponse(events.status()));
  // All or none: every event is checked before any is appended.
  for (size_t i = 0; i < events->size(); ++i) {
    const ledger::AuditEvent& event = (*events)[i];
    absl::Status s = events_->CheckNative(event);
    if (s.ok()) s = CheckScope(request, ledger::identity::kEventsWrite, event);
    if (!s.ok()) {
      if (batch) s = absl::Status(s.code(), absl::StrCat("events[", i, "]: ", s.message()));
      return respond(ErrorResponse(s));
    }
  }
  if (auto refused =
          ChargeAppendQuota(options_.quotas, request, events->size(), request.body.size())) {
    return respond(*std::move(refused));
  }
  std::vector<ledger::EventId> ids;
  for (ledger::AuditEvent& event : *events) {
    StampProvenance(request, &event);
    ids.push_back(event.id());
  }
  const bool protobuf = WantsProtobuf(request);
  events_->Append(*std::move(events),
                  [respond, protobuf, batch, ids = std::move(ids)](
                      absl::StatusOr<std::vector<ledger::EventLog::Appended>> appended) {
                    if (!appended.ok()) return respond(ErrorResponse(appended.status()));
                    if (!batch) {
                      return respond(
                          EncodeMessage(protobuf, AppendedMessage(ids[0], appended->front())));
                    }
                    respond(EncodeMessage(protobuf, AppendedMessages(ids, *appended)));
                  });
}

void EventService::ReplaceAdapters(std::vector<const ingest::Adapter*> adapters,
                                   std::map<std::string, std::string> disabled,
                                   std::shared_ptr<const void> owner) {
  auto next = std::make_shared<Adapters>();
  next->enabled = std::move(adapters);
  next->disabled = std::move(disabled);
  next->owner = std::move(owner);
  absl::MutexLock lock(&adapters_mu_);
  adapters_ = std::move(next);
}

std::shared_ptr<const EventService::Adapters> EventService::adapters() const {
  absl::MutexLock lock(&adapters_mu_);
  return adapters_;
}

void EventService::PostIngest(const HttpRequest& request, absl::string_view name,
                              const HttpServer::Respond& respond) {
  const std::shared_ptr<const Adapters> adapters = this->adapters();
  auto it = std::find_if(adapters->enabled.begin(), adapters->enabled.end(),
                         [name](const ingest::Adapter* a) { return a->name() == name; });
  if (it == adapters->enabled.end()) {
    auto disabled = adapters->disabled.find(std::string(name));
    if (disabled == adapters->disabled.end()) {
      return respond(ErrorResponse(404, "no such endpoint"));
    }
    return respond(ErrorResponse(404, absl::StrCat("adapter ", disabled->first,
                                                   " is disabled: ", disabled->second)));
  }
  const ingest::Adapter& adapter = **it;
  absl::StatusOr<std::vector<ledger::AuditEvent>> events = adapter.Parse(request, absl::Now());
  if (!events.ok()) {
    return RecordRejected(adapter.name(), request, events.status(),
                          [respond, s = events.status()] { respond(ErrorResponse(s)); });
  }
  std::vector<ledger::EventId> ids;
  for (ledger::AuditEvent& event : *events) {
    // A signature-verified adapter vouches for its events itself (observer.adapter); the others'
    // callers must hold ingest.<adapter> for each event's model.
    if (!adapter.verifies_signature()) {
      const std::string permission =
          absl::StrCat(ledger::identity::kIngestPrefix, adapter.name());
      if (absl::Status s = CheckScope(request, permission, event); !s.ok()) {
        return respond(ErrorResponse(s));
      }
      StampProvenance(request, &event);
    }
    ids.push_back(event.id());
  }
  const bool protobuf = WantsProtobuf(request);
  events_->Append(*std::move(events),
                  [respond, protobuf, ids = std::move(ids)](
                      absl::StatusOr<std::vector<ledger::EventLog::Appended>> appended) {
                    if (!appended.ok()) return respond(ErrorResponse(appended.status()));
                    respond(EncodeMessage(protobuf, AppendedMessages(ids, *appended)));
                  });
}

void EventService::RecordRejected(absl::string_view adapter, const HttpRequest& request,
                                  const absl::Status& error, std::function<void()> then) {
  rejected_->Record(
      request.remote_address,
      [&](absl::Time now) { return ingest::IngestRejectedEvent(adapter, request, error, now); },
      std::move(then));
}

absl::Status EventService::CheckScope(const HttpRequest& request, absl::string_view permission,
                                      const ledger::AuditEvent& event) const {
  if (!options_.check_scope) return absl::OkStatus();
  return options_.check_scope(request, permission, ScopeOf(event));
}

void EventService::Search(const HttpRequest& request, const HttpServer::Respond& respond) const {
  absl::StatusOr<ledger::EventSearchRequest> search =
      ParseEventSearch(SplitTarget(request.target).second);
  if (!search.ok()) return respond(ErrorResponse(search.status()));
  // What the record of an unsealed read says was asked: never a subject id.
  ledger::EventSearchRequest described = *search;
  if (options_.custodian != nullptr) {
    // A subject id in a filter is looked for by its pseudonym, for a caller who may unseal the
    // models searched: the id itself is in no sealed entry.
    const ledger::identity::Scope scope{search->query.model.value_or(""), ""};
    for (auto [filter, shown] :
         {std::pair<absl::optional<std::string>*, absl::optional<std::string>*>{
              &search->query.actor, &described.query.actor},
          {&search->query.principal, &described.query.principal}}) {
      if (!filter->has_value() || ledger::IsPseudonym(**filter)) continue;
      *shown = "(a subject id)";
      if (!options_.may_unseal || !options_.may_unseal(request, scope)) continue;
      absl::StatusOr<std::string> pseudonym = options_.custodian->FindPseudonym(**filter);
      if (pseudonym.ok()) **filter = *pseudonym;
    }
  }
  absl::StatusOr<ledger::EventLog::SearchResult> result = events_->Search(*search);
  if (!result.ok()) return respond(ErrorResponse(result.status()));

  EventSearchResponse response;
  response.set_tree_size(result->tree_size);
  size_t unsealed = 0;
  const uint64_t minimum = options_.minimum_index ? options_.minimum_index() : 0;
  for (ledger::EventLog::Match& m : result->matches) {
    if (m.index < minimum) continue;  // Pruned.
    if (absl::Status s = AddMatch(request, std::move(m), &response, &unsealed); !s.ok()) {
      return respond(ErrorResponse(s));
    }
  }
  response.set_checkpoint(std::move(result->checkpoint));
  if (result->next_cursor.has_value()) {
    response.set_next_page_token(absl::StrCat(*result->next_cursor));
  }
  RespondRead(request, described, unsealed, response, respond);
}

void EventService::GetEvent(const HttpRequest& request, absl::string_view index,
                            const HttpServer::Respond& respond) const {
  absl::StatusOr<uint64_t> n = ParseDecimal(index, "event index");
  if (!n.ok()) return respond(ErrorResponse(n.status()));
  absl::StatusOr<QueryParams> params = QueryParams::Parse(SplitTarget(request.target).second);
  if (!params.ok()) return respond(ErrorResponse(params.status()));
  if (absl::Status s = params->CheckAllowed({"proof"}); !s.ok()) return respond(ErrorResponse(s));
  absl::StatusOr<bool> proof = params->GetFlag("proof");
  if (!proof.ok()) return respond(ErrorResponse(proof.status()));
  ledger::EventSearchRequest search;
  search.query.newest_first = false;
  search.query.limit = 1;
  search.cursor = *n;
  search.proof = *proof;
  absl::StatusOr<ledger::EventLog::SearchResult> result = events_->Search(search);
  if (!result.ok()) return respond(ErrorResponse(result.status()));
  if (result->matches.empty() || result->matches.front().index != *n) {
    return respond(ErrorResponse(
        404, absl::StrCat("no event at index ", *n, " in the tree of ", result->tree_size)));
  }
  if (const uint64_t minimum = options_.minimum_index ? options_.minimum_index() : 0;
      *n < minimum) {
    return respond(ErrorResponse(
        404, absl::StrCat("event ", *n, " is pruned: the log's minimum index is ", minimum)));
  }
  // The Authorizer let the request through on a grant for some model: this event's decides.
  if (absl::Status s = CheckScope(request, ledger::identity::kEventsRead,
                                  result->matches.front().event);
      !s.ok()) {
    return respond(ErrorResponse(s));
  }
  EventSearchResponse response;
  response.set_tree_size(result->tree_size);
  absl::optional<DeployLink> link;
  if (const ledger::AuditEvent& event = result->matches.front().event;
      ledger::policy::IsObservedDeploy(event)) {
    absl::StatusOr<absl::optional<uint64_t>> decision =
        ledger::policy::FindAllowingDecision(*events_, event, *n);
    if (!decision.ok()) return respond(ErrorResponse(decision.status()));
    link.emplace();
    link->set_allowed(decision->has_value());
    if (decision->has_value()) link->set_decision(**decision);
  }
  size_t unsealed = 0;
  if (absl::Status s = AddMatch(request, std::move(result->matches.front()), &response, &unsealed);
      !s.ok()) {
    return respond(ErrorResponse(s));
  }
  if (link.has_value()) *response.mutable_events(0)->mutable_deploy_link() = *std::move(link);
  response.set_checkpoint(std::move(result->checkpoint));
  RespondRead(request, search, unsealed, response, respond);
}

absl::Status EventService::AddMatch(const HttpRequest& request, ledger::EventLog::Match m,
                                    EventSearchResponse* response, size_t* unsealed) const {
  EventMatch* match = response->add_events();
  match->set_index(m.index);
  match->set_leaf_hash(std::string(HashBytes(m.leaf_hash)));
  for (const Hash& h : m.proof) match->add_proof(std::string(HashBytes(h)));
  const bool open = options_.custodian != nullptr && m.event.sealed_size() != 0 &&
                    options_.may_unseal && options_.may_unseal(request, ScopeOf(m.event));
  if (open) {
    absl::StatusOr<ledger::UnsealedEvent> opened = options_.custodian->Unseal(m.event);
    if (!opened.ok()) return opened.status();
    *match->mutable_unsealed() = std::move(opened->event);
    for (ledger::OpenedValue& value : opened->opened) {
      OpenedField* field = match->add_opened();
      field->set_path(std::move(value.path));
      field->set_pseudonym(std::move(value.pseudonym));
      field->set_value(std::move(value.value));
      field->set_salt(std::move(value.salt));
    }
    for (const ledger::SealedField& item : opened->gone) {
      GoneField* gone = match->add_gone();
      gone->set_path(item.path());
      gone->set_pseudonym(item.pseudonym());
      if (absl::optional<uint64_t> at = options_.custodian->ErasedAt(item.pseudonym())) {
        gone->set_erased_at(*at);
      }
    }
    ++*unsealed;
  }
  *match->mutable_event() = std::move(m.event);
  return absl::OkStatus();
}

void EventService::RespondRead(const HttpRequest& request,
                               const ledger::EventSearchRequest& search, size_t unsealed,
                               const EventSearchResponse& response,
                               const HttpServer::Respond& respond) const {
  HttpResponse answer = EncodeMessage(WantsProtobuf(request), response);
  if (unsealed == 0) return respond(std::move(answer));
  const auto reader = ledger::Custodian::Requester::Of(request.caller.get());
  // The answer waits until the read is on record (or counted for the summary).
  auto shared = std::make_shared<HttpResponse>(std::move(answer));
  options_.custodian->RecordUnsealedRead(reader, DescribeSearch(search), unsealed,
                                         [respond, shared] { respond(std::move(*shared)); });
}

}  // namespace api
}  // namespace vellum
