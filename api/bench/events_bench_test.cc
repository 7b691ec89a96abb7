#include "api/bench/events_bench.h"

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "api/events/event_batch.h"
#include "api/events/event_query.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/event_query.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const absl::Time kFirst = absl::FromUnixSeconds(1795000000);

TEST(BenchEventTest, ValidDistinctAndRoundTripsInBothFormats) {
  std::set<std::string> ids;
  for (uint64_t n = 0; n < 2000; ++n) {
    const ledger::AuditEvent event = BenchEvent(7, n, kFirst + absl::Milliseconds(n));
    ASSERT_TRUE(ledger::ValidateEvent(event).ok()) << n << ": " << ledger::ValidateEvent(event);
    ids.insert(event.id().source_id());
    EXPECT_EQ(event.observer().adapter(), "native");
    EXPECT_FALSE(event.has_logged_time());

    absl::StatusOr<ledger::AuditEvent> json =
        ledger::ParseEventJson(EventRequestBody(event, EventFormat::kJson));
    ASSERT_TRUE(json.ok()) << json.status();
    EXPECT_EQ(json->SerializeAsString(), event.SerializeAsString());
    absl::StatusOr<ledger::AuditEvent> proto =
        ledger::ParseEventProto(EventRequestBody(event, EventFormat::kProtobuf));
    ASSERT_TRUE(proto.ok()) << proto.status();
    EXPECT_EQ(proto->SerializeAsString(), event.SerializeAsString());
  }
  EXPECT_EQ(ids.size(), 2000u);
  EXPECT_NE(BenchEvent(1, 0, kFirst).id().source_id(), BenchEvent(2, 0, kFirst).id().source_id());
  // Deterministic apart from the id's nonce and the label naming the run.
  ledger::AuditEvent a = BenchEvent(1, 5, kFirst), b = BenchEvent(2, 5, kFirst);
  a.clear_id();
  b.clear_id();
  a.mutable_context()->clear_labels();
  b.mutable_context()->clear_labels();
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
}

TEST(BenchEventTest, BatchBodiesParseInBothFormats) {
  std::vector<ledger::AuditEvent> events;
  for (uint64_t n = 0; n < 50; ++n) events.push_back(BenchEvent(3, n, kFirst));
  for (EventFormat format : {EventFormat::kJson, EventFormat::kProtobuf}) {
    absl::StatusOr<std::vector<ledger::AuditEvent>> parsed =
        api::ParseEventBatch(EventBatchBody(events, format), format == EventFormat::kJson);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ASSERT_EQ(parsed->size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ((*parsed)[i].SerializeAsString(), events[i].SerializeAsString());
    }
  }
}

TEST(BenchEventTest, FieldsSpreadOverTheQueriedValueSpaces) {
  constexpr int kEvents = 100000;
  std::set<std::string> actors, models, model_versions;
  std::map<int, int> actions, results;
  for (uint64_t n = 0; n < kEvents; ++n) {
    const ledger::AuditEvent event = BenchEvent(1, n, kFirst);
    actors.insert(event.actor().subject());
    models.insert(event.target().model_name());
    model_versions.insert(event.target().model_name() + "/" + event.target().model_version());
    actions[event.action()]++;
    results[event.outcome().result()]++;
  }
  EXPECT_EQ(actors.size(), kBenchActors);
  EXPECT_EQ(models.size(), kBenchModels);
  EXPECT_EQ(model_versions.size(), kBenchModels * kBenchVersions);
  EXPECT_EQ(actions.size(), std::size(kBenchActions));
  EXPECT_EQ(results.size(), std::size(kBenchResults));
  // 60% inference and 90% success, within a wide margin.
  EXPECT_NEAR(actions[ledger::ACTION_INFER], 0.60 * kEvents, 0.02 * kEvents);
  EXPECT_NEAR(results[ledger::Outcome::RESULT_SUCCESS], 0.90 * kEvents, 0.02 * kEvents);
  EXPECT_GT(actions[ledger::ACTION_DELETE], 0);
  EXPECT_GT(results[ledger::Outcome::RESULT_PENDING], 0);
  EXPECT_EQ(BenchActor(0), "user-000@example.com");
  EXPECT_EQ(BenchModel(7), "model-07");
}

TEST(BenchQueryTargetTest, EveryShapeIsAValidSearch) {
  const absl::Time last = kFirst + absl::Seconds(1000);
  std::mt19937_64 random(1);
  std::set<std::string> names;
  for (QueryShape shape : kQueryShapes) {
    for (bool proof : {false, true}) {
      names.insert(QueryShapeName(shape, proof));
      for (int i = 0; i < 200; ++i) {
        const std::string target = BenchQueryTarget(shape, proof, kFirst, last, random);
        ASSERT_THAT(target, StartsWith("/v1/events?"));
        absl::StatusOr<ledger::EventSearchRequest> search =
            api::ParseEventSearch(target.substr(target.find('?') + 1));
        ASSERT_TRUE(search.ok()) << target << ": " << search.status();
        const ledger::EventQuery& q = search->query;
        EXPECT_EQ(search->proof, proof) << target;
        EXPECT_EQ(q.limit, 100u);
        EXPECT_TRUE(q.newest_first);
        switch (shape) {
          case QueryShape::kActor:
            ASSERT_TRUE(q.actor.has_value()) << target;
            EXPECT_FALSE(q.model.has_value() || q.action.has_value() || q.since_micros);
            break;
          case QueryShape::kModelVersion:
            ASSERT_TRUE(q.model.has_value() && q.version.has_value()) << target;
            EXPECT_FALSE(q.actor.has_value() || q.action.has_value() || q.since_micros);
            break;
          case QueryShape::kActionOutcome:
            ASSERT_TRUE(q.action.has_value() && q.outcome.has_value()) << target;
            EXPECT_FALSE(q.actor.has_value() || q.model.has_value() || q.since_micros);
            break;
          case QueryShape::kTimeRange:
            ASSERT_TRUE(q.since_micros.has_value() && q.until_micros.has_value()) << target;
            EXPECT_GE(*q.since_micros, absl::ToUnixMicros(kFirst));
            EXPECT_LE(*q.until_micros, absl::ToUnixMicros(last));
            EXPECT_EQ(*q.until_micros - *q.since_micros, 10 * 1000000) << target;  // 1%.
            break;
        }
      }
    }
  }
  EXPECT_EQ(names.size(), 8u);
  EXPECT_TRUE(names.count("model_version_proof"));
  // A log whose events share one logged time still gets a valid window.
  const std::string target = BenchQueryTarget(QueryShape::kTimeRange, false, kFirst, kFirst, random);
  EXPECT_TRUE(api::ParseEventSearch(target.substr(target.find('?') + 1)).ok()) << target;
}

TEST(EventsBenchJsonTest, IngestFields) {
  EventIngestBenchOptions options;
  options.clients = 4;
  options.format = EventFormat::kProtobuf;
  EventIngestBenchResult result;
  result.bench.operations = result.bench.entries = 1000;
  result.bench.seconds = 2;
  result.bench.latency.Add(0.004);
  result.tree_size = 1500;
  result.index_lag_seconds = 0.25;
  const std::string json = EventIngestBenchJson(options, result);
  EXPECT_THAT(json, StartsWith(R"({"benchmark": "events", "events": 1000, "batch": 1, )"
                               R"("clients": 4, "format": "protobuf", )"
                               R"("events_per_second": 500.000, "tree_size": 1500, )"
                               R"("index_lag_seconds": 0.250, )"
                               R"("seconds": 2.000, "p50_ms": 4.000, "p99_ms": 4.000, )"));
  EXPECT_EQ(json.back(), '}');
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

TEST(EventsBenchJsonTest, QueryFieldsPerVariant) {
  EventQueryBenchOptions options;
  options.clients = 2;
  EventQueryBenchResult result;
  result.tree_size = 1000000;
  result.first_logged = kFirst;
  result.last_logged = kFirst + absl::Seconds(300);
  for (bool proof : {false, true}) {
    QueryShapeResult& variant = result.shapes.emplace_back();
    variant.name = QueryShapeName(QueryShape::kActor, proof);
    variant.bench.operations = 10;
    variant.bench.seconds = 0.5;
    variant.bench.latency.Add(proof ? 0.003 : 0.001);
    variant.matches = 1000;
  }
  result.shapes.back().bench.errors = 1;
  result.shapes.back().bench.first_error = "503";
  const std::string json = EventQueryBenchJson(options, result);
  EXPECT_THAT(json, StartsWith(R"({"benchmark": "events-query", "queries": 20, "clients": 2, )"
                               R"("tree_size": 1000000, "logged_span_seconds": 300.000, )"
                               R"("queries_per_second": 20.000, "seconds": 1.000, )"));
  EXPECT_THAT(json, HasSubstr(R"("errors": 1, "first_error": "503", )"));
  EXPECT_THAT(json, HasSubstr(R"("actor_queries": 10, "actor_queries_per_second": 20.000, )"
                              R"("actor_p50_ms": 1.000, "actor_p99_ms": 1.000, )"
                              R"("actor_max_ms": 1.000, "actor_matches_per_query": 100.000, )"
                              R"("actor_errors": 0, )"));
  EXPECT_THAT(json, HasSubstr(R"("actor_proof_p99_ms": 3.000, )"));
  EXPECT_THAT(json, HasSubstr(R"("actor_proof_errors": 1})"));
}

}  // namespace
}  // namespace bench
}  // namespace api
}  // namespace vellum
