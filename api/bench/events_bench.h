#ifndef VELLUM_API_BENCH_EVENTS_BENCH_H_
#define VELLUM_API_BENCH_EVENTS_BENCH_H_

// Load generators for the event endpoints behind `vellum bench events` and
// `vellum bench events-query` (docs/cli.md): synthetic audit events posted to POST /v1/events,
// and searches of several shapes through GET /v1/events. Built on api/bench/load_client.h's
// keep-alive connections and latency samples; each reports throughput and latency percentiles as
// one JSON object.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"
#include "api/bench/bench.h"
#include "api/tls/context.h"

namespace vellum {
namespace api {
namespace bench {

// The value spaces of the synthetic events, which the queries draw from: actors
// BenchActor(0..kBenchActors-1), models BenchModel(0..kBenchModels-1) with versions
// "1".."kBenchVersions", the actions of kBenchActions.
inline constexpr uint32_t kBenchActors = 1000;
inline constexpr uint32_t kBenchModels = 100;
inline constexpr uint32_t kBenchVersions = 20;
inline constexpr ledger::Action kBenchActions[] = {
    ledger::ACTION_REGISTER,       ledger::ACTION_CREATE_VERSION, ledger::ACTION_REQUEST_APPROVAL,
    ledger::ACTION_APPROVE,        ledger::ACTION_REJECT,         ledger::ACTION_PROMOTE,
    ledger::ACTION_DEMOTE,         ledger::ACTION_DEPLOY,         ledger::ACTION_UNDEPLOY,
    ledger::ACTION_DELETE,         ledger::ACTION_INFER,          ledger::ACTION_POLICY_CHANGE,
    ledger::ACTION_UPDATE_METADATA};
inline constexpr ledger::Outcome::Result kBenchResults[] = {
    ledger::Outcome::RESULT_SUCCESS, ledger::Outcome::RESULT_FAILURE,
    ledger::Outcome::RESULT_DENIED, ledger::Outcome::RESULT_PENDING};

// Actor `n`: "user-NNN@example.com" (human) for n < 800, a Kubernetes service account below
// 950, else a CI bot.
std::string BenchActor(uint32_t n);
// Model `n`: "model-NN".
std::string BenchModel(uint32_t n);

// Synthetic native event `number` of run `nonce`, as an internal service would post it: id
// ("bench", "<nonce>-<number>"), the given event time, and actor, model and version, action,
// outcome (with a reason unless successful), stage, environment, namespace, digest and request
// context drawn deterministically from `number`. Actors, models and versions are uniform; actions
// are weighted as a serving fleet's would be (60% ACTION_INFER, 8% ACTION_DEPLOY, ..., 1%
// ACTION_DELETE), outcomes 90% success, 5% failure, 4% denied, 1% pending. Passes ValidateEvent.
ledger::AuditEvent BenchEvent(uint64_t nonce, uint64_t number, absl::Time event_time);

// --- bench events ---------------------------------------------------------------------------

enum class EventFormat { kJson, kProtobuf };

struct EventIngestBenchOptions {
  std::string url;
  tls::ClientOptions tls;  // For an https:// url.
  int clients = 16;
  uint64_t requests = 100000;
  // The request body: proto3 JSON (application/json) or binary protobuf.
  EventFormat format = EventFormat::kJson;
  // Events per request: 1 posts to /v1/events, more (up to api::kMaxEventBatchEvents) to
  // /v1/events:batch as one EventBatchRequest.
  int batch = 1;
  std::string token;  // Bearer token; empty for none.
  absl::Duration max_time = absl::Minutes(5);
};

struct EventIngestBenchResult {
  BenchResult bench;      // operations = requests; entries = events appended.
  uint64_t tree_size = 0;  // The largest tree size an answer named.
  // From the last answer until the server's /metrics showed its derived indexes covering
  // tree_size (vellum_index_position).
  double index_lag_seconds = 0;
};

// The body of POST /v1/events for `event` in `format`.
std::string EventRequestBody(const ledger::AuditEvent& event, EventFormat format);
// The body of POST /v1/events:batch for `events` in `format`.
std::string EventBatchBody(const std::vector<ledger::AuditEvent>& events, EventFormat format);

// Posts options.requests requests of options.batch distinct BenchEvents each (a fresh nonce per
// run, event time = send time) from options.clients keep-alive clients, asking for binary
// protobuf answers; an answer other than 200 with an EventAppended (an IngestResponse for a
// batch) of events that are not duplicates counts as an error. Then polls /metrics
// until the server's indexes cover the log. Fails on bad options or an unparseable URL, with
// DeadlineExceeded if the indexes do not catch up within options.max_time, and with
// FailedPrecondition if /metrics has no vellum_index_position.
absl::StatusOr<EventIngestBenchResult> RunEventIngestBench(const EventIngestBenchOptions& options);

std::string EventIngestBenchJson(const EventIngestBenchOptions& options,
                                 EventIngestBenchResult& result);

// --- bench events-query ---------------------------------------------------------------------

// The kinds of search: by actor; by model and version; by action and outcome (each uniform over
// kBenchActions and kBenchResults, so rare pairs are asked for as often as common ones); by a
// logged-time window of 1% of the log's span. Each is run without and with proof=1, newest first
// with limit=100.
enum class QueryShape { kActor, kModelVersion, kActionOutcome, kTimeRange };
inline constexpr QueryShape kQueryShapes[] = {QueryShape::kActor, QueryShape::kModelVersion,
                                              QueryShape::kActionOutcome, QueryShape::kTimeRange};

// "actor", "model_version", "action_outcome", "time_range", with "_proof" appended if `proof`.
std::string QueryShapeName(QueryShape shape, bool proof);

// The target of one random GET /v1/events of `shape` ("/v1/events?...&limit=100", with
// "&proof=1" if `proof`), for a log whose events were logged in [first_logged, last_logged].
std::string BenchQueryTarget(QueryShape shape, bool proof, absl::Time first_logged,
                             absl::Time last_logged, std::mt19937_64& random);

struct EventQueryBenchOptions {
  std::string url;
  tls::ClientOptions tls;  // For an https:// url.
  int clients = 8;
  uint64_t requests = 8000;  // In all; split evenly over the eight shape and proof variants.
  uint64_t seed = 1;
  std::string token;  // Bearer token; empty for none.
  absl::Duration max_time = absl::Minutes(5);
};

// One shape and proof variant, run on its own.
struct QueryShapeResult {
  std::string name;    // QueryShapeName.
  BenchResult bench;   // operations = queries answered.
  uint64_t matches = 0;  // Events returned, over all its queries.
};

struct EventQueryBenchResult {
  uint64_t tree_size = 0;  // The tree size of the first answer.
  absl::Time first_logged, last_logged;
  std::vector<QueryShapeResult> shapes;  // In kQueryShapes order, each without then with proof.
};

// Finds the logged-time span of the log's events (the oldest and the newest event), then runs
// the eight variants one after another, each with options.requests / 8 queries (rounded up) from
// options.clients keep-alive clients, parameters drawn with options.seed. A non-200 answer, one
// that is not an EventSearchResponse of at most 100 events, or one without proofs when asked
// for, counts as an error. Fails with FailedPrecondition when the log holds no events, and with
// the error of the span look-up.
absl::StatusOr<EventQueryBenchResult> RunEventQueryBench(const EventQueryBenchOptions& options);

// Overall fields, then per variant NAME_queries, NAME_queries_per_second, NAME_p50_ms,
// NAME_p99_ms, NAME_max_ms, NAME_matches_per_query and NAME_errors.
std::string EventQueryBenchJson(const EventQueryBenchOptions& options,
                                EventQueryBenchResult& result);

}  // namespace bench
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_BENCH_EVENTS_BENCH_H_
