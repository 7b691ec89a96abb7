#include "api/bench/events_bench.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "api/events/event_batch.h"
#include "api/events/events_api.pb.h"
#include "api/client/http_client.h"
#include "api/message_codec.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

using ::google::protobuf::util::TimeUtil;

constexpr size_t kQueryLimit = 100;

// SplitMix64's finalizer: spreads consecutive numbers over all 64 bits.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

// Picks from `choices` by `roll` (0..99) and cumulative percentages `weights`.
template <typename T, size_t N>
T Weighted(const T (&choices)[N], const int (&weights)[N], uint64_t roll) {
  uint64_t total = 0;
  for (size_t i = 0; i < N; ++i) {
    total += weights[i];
    if (roll < total) return choices[i];
  }
  return choices[N - 1];
}

// The weights of kBenchActions and kBenchResults in BenchEvent, in percent.
constexpr int kActionWeights[] = {1, 6, 4, 3, 1, 6, 2, 8, 3, 1, 60, 1, 4};
constexpr int kResultWeights[] = {90, 5, 4, 1};
static_assert(sizeof(kActionWeights) / sizeof(int) ==
              sizeof(kBenchActions) / sizeof(kBenchActions[0]));

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

// The answer to GET `target`, which must be 200 and an EventSearchResponse.
absl::StatusOr<api::EventSearchResponse> Search(api::HttpClient& client, absl::string_view target,
                                                const std::string& token) {
  absl::StatusOr<api::HttpResponse> response = client.Send("GET", target, "", ProtobufHeaders(token));
  if (!response.ok()) return response.status();
  if (response->status != 200) return api::StatusFromResponse(*response);
  api::EventSearchResponse answer;
  if (!answer.ParseFromString(response->body)) {
    return absl::InvalidArgumentError(
        absl::StrCat("GET ", target, ": the answer is not an EventSearchResponse"));
  }
  return answer;
}

// The position of the server's derived indexes, from its /metrics.
absl::StatusOr<uint64_t> IndexPosition(api::HttpClient& client) {
  absl::StatusOr<std::string> metrics = client.Get("/metrics");
  if (!metrics.ok()) return metrics.status();
  for (absl::string_view line : absl::StrSplit(*metrics, '\n')) {
    uint64_t position;
    if (absl::ConsumePrefix(&line, "vellum_index_position ") && absl::SimpleAtoi(line, &position)) {
      return position;
    }
  }
  return absl::FailedPreconditionError(
      "GET /metrics: no vellum_index_position, want the index follower's metrics");
}

}  // namespace

std::string BenchActor(uint32_t n) {
  if (n < 800) return absl::StrFormat("user-%03d@example.com", n);
  if (n < 950) return absl::StrFormat("system:serviceaccount:team-%d:serving-%03d", n % 10, n);
  return absl::StrFormat("ci-bot-%03d", n);
}

std::string BenchModel(uint32_t n) { return absl::StrFormat("model-%02d", n); }

ledger::AuditEvent BenchEvent(uint64_t nonce, uint64_t number, absl::Time event_time) {
  const uint64_t h = Mix(number);
  const uint64_t g = Mix(h);
  const uint32_t actor = h % kBenchActors;
  const uint32_t model = (h >> 10) % kBenchModels;
  const uint32_t version = (h >> 17) % kBenchVersions + 1;
  const ledger::Action action = Weighted(kBenchActions, kActionWeights, (h >> 24) % 100);
  const ledger::Outcome::Result result = Weighted(kBenchResults, kResultWeights, (h >> 31) % 100);
  static constexpr const char* kStages[] = {"None", "Staging", "Production", "champion"};
  static constexpr const char* kEnvironments[] = {"dev", "staging", "production"};

  ledger::AuditEvent event;
  event.mutable_id()->set_source("bench");
  event.mutable_id()->set_source_id(absl::StrFormat("%016x-%d", nonce, number));
  *event.mutable_event_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(event_time));
  event.mutable_observer()->set_adapter("native");
  event.mutable_observer()->set_source_system("bench.vellum.example");
  ledger::Actor* a = event.mutable_actor();
  a->set_subject(BenchActor(actor));
  a->set_kind(actor < 800   ? ledger::Actor::KIND_HUMAN
              : actor < 950 ? ledger::Actor::KIND_SERVICE
                            : ledger::Actor::KIND_CI);
  a->set_issuer(actor < 800 ? "https://idp.example.com" : actor < 950 ? "cluster-a" : "github.com");
  a->add_groups(absl::StrCat("team-", actor % 10));
  if (actor % 7 == 0) a->add_groups("ml-admins");
  event.set_action(action);
  ledger::Target* t = event.mutable_target();
  t->set_model_name(BenchModel(model));
  t->set_model_version(absl::StrCat(version));
  const uint64_t artifact = Mix(model * 64 + version);
  t->set_model_digest(absl::StrFormat("sha256:%016x%016x%016x%016x", artifact, Mix(artifact + 1),
                                      Mix(artifact + 2), Mix(artifact + 3)));
  t->set_stage(kStages[(h >> 38) % 4]);
  t->set_environment(kEnvironments[(h >> 40) % 3]);
  t->set_namespace_(absl::StrCat("team-", model % 10));
  event.mutable_outcome()->set_result(result);
  if (result != ledger::Outcome::RESULT_SUCCESS) {
    event.mutable_outcome()->set_reason(
        result == ledger::Outcome::RESULT_DENIED
            ? absl::StrCat("RBAC: ", a->subject(), " may not ", ledger::Action_Name(action))
            : "upstream returned 503");
  }
  ledger::Context* c = event.mutable_context();
  c->set_source_ip(absl::StrFormat("10.%d.%d.%d", (g >> 8) & 0xff, (g >> 16) & 0xff, g & 0xff));
  c->set_user_agent("model-gateway/2.4 (vellum bench)");
  c->set_request_id(absl::StrFormat("%016x", g));
  c->set_trace_id(absl::StrFormat("%016x%016x", Mix(g), Mix(g + 1)));
  (*c->mutable_labels())["bench.run"] = absl::StrFormat("%016x", nonce);
  return event;
}

std::string EventRequestBody(const ledger::AuditEvent& event, EventFormat format) {
  if (format == EventFormat::kProtobuf) return event.SerializeAsString();
  // BenchEvent's timestamps are within the years EventToJson accepts.
  return ledger::EventToJson(event).value_or("");
}

std::string EventBatchBody(const std::vector<ledger::AuditEvent>& events, EventFormat format) {
  api::EventBatchRequest batch;
  for (const ledger::AuditEvent& event : events) *batch.add_events() = event;
  if (format == EventFormat::kProtobuf) return batch.SerializeAsString();
  std::string json;
  // BenchEvent's timestamps are within the years the JSON printer accepts.
  if (!google::protobuf::util::MessageToJsonString(batch, &json).ok()) return "";
  return json;
}

// --- bench events ---------------------------------------------------------------------------

absl::StatusOr<EventIngestBenchResult> RunEventIngestBench(
    const EventIngestBenchOptions& options) {
  if (absl::Status s = CheckClients(options.clients, options.requests); !s.ok()) return s;
  if (options.batch < 1 || options.batch > static_cast<int>(api::kMaxEventBatchEvents)) {
    return absl::InvalidArgumentError(absl::StrCat("batch: got ", options.batch, ", want 1 to ",
                                                   api::kMaxEventBatchEvents));
  }
  absl::StatusOr<std::unique_ptr<api::HttpClient>> probe =
      api::HttpClient::Create(options.url, ProbeOptions(options.tls));
  if (!probe.ok()) return probe.status();
  std::vector<std::pair<std::string, std::string>> headers = ProtobufHeaders(options.token);
  headers.emplace_back("Content-Type", options.format == EventFormat::kProtobuf
                                           ? api::kProtobufType
                                           : "application/json");

  LoadOptions load =
      ClosedLoop(options.url, options.tls, options.clients, options.requests, options.max_time);
  load.method = "POST";
  load.headers = std::move(headers);
  const uint64_t nonce = RunNonce();
  std::vector<uint64_t> tree_sizes(options.clients, 0);
  const uint64_t batch = static_cast<uint64_t>(options.batch);
  auto fill = [&](int, uint64_t number, LoadRequest* request) {
    if (batch == 1) {
      if (request->target.empty()) request->target = "/v1/events";
      request->body = EventRequestBody(BenchEvent(nonce, number, absl::Now()), options.format);
      return;
    }
    if (request->target.empty()) request->target = "/v1/events:batch";
    std::vector<ledger::AuditEvent> events;
    const absl::Time now = absl::Now();
    for (uint64_t i = 0; i < batch; ++i) {
      events.push_back(BenchEvent(nonce, number * batch + i, now));
    }
    request->body = EventBatchBody(events, options.format);
  };
  auto check = [&](int connection, const LoadRequest&, const std::string& body) -> absl::Status {
    std::vector<api::EventAppended> appended;
    if (batch == 1) {
      api::EventAppended answer;
      if (!answer.ParseFromString(body)) {
        return absl::InvalidArgumentError("malformed EventAppended");
      }
      appended.push_back(std::move(answer));
    } else {
      api::IngestResponse answer;
      if (!answer.ParseFromString(body) || answer.events_size() != options.batch) {
        return absl::InvalidArgumentError("malformed IngestResponse");
      }
      appended.assign(answer.events().begin(), answer.events().end());
    }
    for (const api::EventAppended& one : appended) {
      if (one.duplicate()) {
        return absl::InvalidArgumentError("a new event was answered as a duplicate");
      }
      tree_sizes[connection] = std::max(tree_sizes[connection], one.tree_size());
    }
    return absl::OkStatus();
  };
  absl::StatusOr<BenchResult> bench = RunLoad(load, fill, check);
  if (!bench.ok()) return bench.status();
  EventIngestBenchResult result;
  result.bench = *std::move(bench);
  result.bench.entries = result.bench.operations * batch;
  result.tree_size = *std::max_element(tree_sizes.begin(), tree_sizes.end());

  // The indexes trail the answers; say how long they took to cover the log.
  const absl::Time answered = absl::Now();
  for (;;) {
    absl::StatusOr<uint64_t> position = IndexPosition(**probe);
    if (!position.ok()) return position.status();
    if (*position >= result.tree_size) break;
    if (absl::Now() - answered > options.max_time) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the server's indexes cover ", *position, " leaves, want ", result.tree_size,
          ", after ", absl::FormatDuration(options.max_time)));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  result.index_lag_seconds = absl::ToDoubleSeconds(absl::Now() - answered);
  return result;
}

std::string EventIngestBenchJson(const EventIngestBenchOptions& options,
                                 EventIngestBenchResult& result) {
  JsonObject json;
  json.Add("benchmark", "events")
      .Add("events", result.bench.entries)
      .Add("batch", static_cast<uint64_t>(options.batch))
      .Add("clients", static_cast<uint64_t>(options.clients))
      .Add("format", options.format == EventFormat::kProtobuf ? "protobuf" : "json")
      .Add("events_per_second", PerSecond(result.bench.entries, result.bench.seconds))
      .Add("tree_size", result.tree_size)
      .Add("index_lag_seconds", result.index_lag_seconds);
  AddCommonFields(result.bench, json);
  return json.ToString();
}

// --- bench events-query ---------------------------------------------------------------------

std::string QueryShapeName(QueryShape shape, bool proof) {
  const char* name = "";
  switch (shape) {
    case QueryShape::kActor:
      name = "actor";
      break;
    case QueryShape::kModelVersion:
      name = "model_version";
      break;
    case QueryShape::kActionOutcome:
      name = "action_outcome";
      break;
    case QueryShape::kTimeRange:
      name = "time_range";
      break;
  }
  return absl::StrCat(name, proof ? "_proof" : "");
}

std::string BenchQueryTarget(QueryShape shape, bool proof, absl::Time first_logged,
                             absl::Time last_logged, std::mt19937_64& random) {
  std::string target = "/v1/events?";
  switch (shape) {
    case QueryShape::kActor:
      // '@' and ':' may stand unescaped in a query (RFC 3986, section 3.4).
      absl::StrAppend(&target, "actor=", BenchActor(random() % kBenchActors));
      break;
    case QueryShape::kModelVersion:
      absl::StrAppend(&target, "model=", BenchModel(random() % kBenchModels),
                      "&version=", random() % kBenchVersions + 1);
      break;
    case QueryShape::kActionOutcome: {
      const ledger::Action action = kBenchActions[random() % std::size(kBenchActions)];
      const ledger::Outcome::Result result = kBenchResults[random() % std::size(kBenchResults)];
      absl::StrAppend(&target, "action=", ledger::Action_Name(action),
                      "&outcome=", ledger::Outcome::Result_Name(result));
      break;
    }
    case QueryShape::kTimeRange: {
      const absl::Duration window =
          std::max((last_logged - first_logged) / 100, absl::Microseconds(1));
      const int64_t slots = std::max<int64_t>(
          1, absl::ToInt64Microseconds(last_logged - first_logged - window) + 1);
      const absl::Time since = first_logged + absl::Microseconds(random() % slots);
      absl::StrAppend(&target, "since=", Rfc3339(since), "&until=", Rfc3339(since + window));
      break;
    }
  }
  absl::StrAppend(&target, "&limit=", kQueryLimit, proof ? "&proof=1" : "");
  return target;
}

absl::StatusOr<EventQueryBenchResult> RunEventQueryBench(const EventQueryBenchOptions& options) {
  if (absl::Status s = CheckClients(options.clients, options.requests); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<api::HttpClient>> probe =
      api::HttpClient::Create(options.url, ProbeOptions(options.tls));
  if (!probe.ok()) return probe.status();
  EventQueryBenchResult result;
  absl::StatusOr<api::EventSearchResponse> oldest =
      Search(**probe, "/v1/events?order=oldest&limit=1", options.token);
  if (!oldest.ok()) return oldest.status();
  absl::StatusOr<api::EventSearchResponse> newest =
      Search(**probe, "/v1/events?limit=1", options.token);
  if (!newest.ok()) return newest.status();
  if (oldest->events().empty() || newest->events().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the log of ", newest->tree_size(), " entries holds no events to search"));
  }
  result.tree_size = oldest->tree_size();
  result.first_logged = ledger::FromProtoTime(oldest->events(0).event().logged_time());
  result.last_logged = ledger::FromProtoTime(newest->events(0).event().logged_time());

  constexpr uint64_t kVariants = 2 * std::size(kQueryShapes);
  const uint64_t per_variant = (options.requests + kVariants - 1) / kVariants;
  const absl::Time deadline = absl::Now() + options.max_time;
  LoadOptions load;
  load.url = options.url;
  load.connections = options.clients;
  load.requests = per_variant;
  load.headers = ProtobufHeaders(options.token);
  std::vector<std::mt19937_64> randoms;
  for (int i = 0; i < options.clients; ++i) randoms.emplace_back(options.seed + i);
  for (QueryShape shape : kQueryShapes) {
    for (bool proof : {false, true}) {
      std::vector<uint64_t> matches(options.clients, 0);
      auto fill = [&](int connection, uint64_t, LoadRequest* request) {
        request->target = BenchQueryTarget(shape, proof, result.first_logged,
                                           result.last_logged, randoms[connection]);
      };
      auto check = [&](int connection, const LoadRequest& request,
                       const std::string& body) -> absl::Status {
        api::EventSearchResponse answer;
        if (!answer.ParseFromString(body)) {
          return absl::InvalidArgumentError(
              absl::StrCat("GET ", request.target, ": the answer is not an EventSearchResponse"));
        }
        if (static_cast<size_t>(answer.events_size()) > kQueryLimit) {
          return absl::InvalidArgumentError(absl::StrCat(request.target, ": got ",
                                                         answer.events_size(),
                                                         " events, want at most ", kQueryLimit));
        }
        if (proof && answer.events_size() > 0 &&
            (answer.checkpoint().empty() ||
             (answer.tree_size() > 1 && answer.events(0).proof().empty()))) {
          return absl::InvalidArgumentError(
              absl::StrCat(request.target, ": an answer without proofs"));
        }
        matches[connection] += answer.events_size();
        return absl::OkStatus();
      };
      // The variants share the time budget.
      load.max_time = std::max(deadline - absl::Now(), absl::ZeroDuration());
      absl::StatusOr<BenchResult> bench = RunLoad(load, fill, check);
      if (!bench.ok()) return bench.status();
      QueryShapeResult& variant = result.shapes.emplace_back();
      variant.name = QueryShapeName(shape, proof);
      variant.bench = *std::move(bench);
      for (uint64_t m : matches) variant.matches += m;
    }
  }
  return result;
}

std::string EventQueryBenchJson(const EventQueryBenchOptions& options,
                                EventQueryBenchResult& result) {
  BenchResult all;
  for (const QueryShapeResult& variant : result.shapes) {
    all.Merge(variant.bench);
    all.seconds += variant.bench.seconds;
  }
  JsonObject json;
  json.Add("benchmark", "events-query")
      .Add("queries", all.operations)
      .Add("clients", static_cast<uint64_t>(options.clients))
      .Add("tree_size", result.tree_size)
      .Add("logged_span_seconds", absl::ToDoubleSeconds(result.last_logged - result.first_logged))
      .Add("queries_per_second", PerSecond(all.operations, all.seconds));
  AddCommonFields(all, json);
  for (QueryShapeResult& variant : result.shapes) {
    BenchResult& b = variant.bench;
    const std::string& n = variant.name;
    json.Add(n + "_queries", b.operations)
        .Add(n + "_queries_per_second", PerSecond(b.operations, b.seconds))
        .Add(n + "_p50_ms", b.latency.Percentile(50) * 1e3)
        .Add(n + "_p99_ms", b.latency.Percentile(99) * 1e3)
        .Add(n + "_max_ms", b.latency.Max() * 1e3)
        .Add(n + "_matches_per_query",
             b.operations > 0 ? static_cast<double>(variant.matches) / b.operations : 0.0)
        .Add(n + "_errors", b.errors);
  }
  return json.ToString();
}

}  // namespace bench
}  // namespace api
}  // namespace vellum
