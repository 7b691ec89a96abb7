#include "api/ingest/cloudevents.h"

#include "absl/strings/match.h"
#include "api/ingest/internal/test_samples.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

// Pieces of the model input in both samples, which must never reach an event or an error.
constexpr absl::string_view kPayloadPieces[] = {"0.12, 3.4", "250.0", "instances"};

void ExpectNoPayload(const absl::StatusOr<std::vector<ledger::AuditEvent>>& result) {
  for (absl::string_view piece : kPayloadPieces) ExpectNoLeak(result, {piece});
}

TEST(CloudEventsAdapterTest, BinaryModeRequestBecomesInferWithTheMeshIdentity) {
  const HttpRequest request = SampleRequest("kserve-inference-request.cloudevent.headers",
                                            "kserve-inference-request.cloudevent.json");
  const auto result = NewCloudEventsAdapter()->Parse(request, absl::Now());
  const ledger::AuditEvent event = SingleEvent(result);
  EXPECT_EQ(event.id().source(), "cloudevents");
  EXPECT_EQ(event.id().source_id(), "http://localhost:9081/#5d2e9f1a-3b4c-4d5e-8f6a-7b8c9d0e1f2a");
  EXPECT_EQ(event.observer().source_system(), "http://localhost:9081/");
  EXPECT_EQ(event.action(), ledger::ACTION_INFER);
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_SUCCESS);
  EXPECT_EQ(event.actor().subject(), "spiffe://corp.example/ns/payments/sa/checkout");
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_SERVICE);
  EXPECT_EQ(event.actor().issuer(), "spiffe://corp.example");
  EXPECT_EQ(event.target().model_name(), "fraud-scorer");
  EXPECT_EQ(event.target().namespace_(), "risk-prod");
  EXPECT_EQ(event.context().request_id(), "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9");
  EXPECT_EQ(event.context().labels().at("kserve.component"), "predictor");
  EXPECT_EQ(event.context().labels().at("kserve.endpoint"), "default");
  EXPECT_EQ(event.event_time().seconds(), 1791969327);  // 2026-10-14T09:15:27.331Z
  EXPECT_EQ(event.event_time().nanos(), 331000000);
  // Only the digest of the model input is kept.
  const std::string digest = event.source_payload_digest();
  EXPECT_EQ(digest.size(), 32u);
  ExpectNoPayload(result);
}

TEST(CloudEventsAdapterTest, StructuredModeRequestReadsOnlyTheAttributes) {
  HttpRequest request = SampleRequest("", "kserve-inference-request.structured.json");
  request.headers["content-type"] = "application/cloudevents+json; charset=utf-8";
  const auto result = NewCloudEventsAdapter()->Parse(request, absl::Now());
  const ledger::AuditEvent event = SingleEvent(result);
  EXPECT_EQ(event.action(), ledger::ACTION_INFER);
  EXPECT_EQ(event.target().model_name(), "fraud-scorer");
  EXPECT_EQ(event.actor().subject(), "spiffe://corp.example/ns/payments/sa/checkout");
  EXPECT_EQ(event.context().trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(event.context().labels().at("cloudevents.type"), "io.seldon.serving.inference.request");
  ExpectNoPayload(result);

  // A malformed body fails without quoting it.
  request.body.erase(request.body.rfind('}'));
  const auto bad = NewCloudEventsAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(bad.status(), absl::InvalidArgumentError("cloudevents: body: not a JSON object"));
  ExpectNoPayload(bad);
}

TEST(CloudEventsAdapterTest, ResponsesYieldNothingAndOtherTypesAreRejected) {
  HttpRequest request = SampleRequest("kserve-inference-request.cloudevent.headers",
                                      "kserve-inference-request.cloudevent.json");
  request.headers["ce-type"] = "org.kubeflow.serving.inference.response";
  auto result = NewCloudEventsAdapter()->Parse(request, absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->empty());

  request.headers["ce-type"] = "com.example.other";
  result = NewCloudEventsAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  ExpectNoPayload(result);

  request.headers.erase("ce-specversion");
  result = NewCloudEventsAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(result.status(),
            absl::InvalidArgumentError("cloudevents: got specversion \"\", want \"1.0\""));
}

TEST(CloudEventsAdapterTest, WithoutClientCertificateTheActorIsUnknown) {
  HttpRequest request = SampleRequest("kserve-inference-request.cloudevent.headers",
                                      "kserve-inference-request.cloudevent.json");
  request.headers["ce-metadata"] = "{\"x-request-id\":[\"r-1\"]}";
  const ledger::AuditEvent event =
      SingleEvent(NewCloudEventsAdapter()->Parse(request, absl::Now()));
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_UNKNOWN);
  EXPECT_EQ(event.actor().subject(), "");
  EXPECT_EQ(event.context().request_id(), "r-1");

  // Quoted XFCC values, several proxies: the last element names the client.
  request.headers["ce-metadata"] =
      "{\"x-forwarded-client-cert\":[\"By=spiffe://a/x;URI=spiffe://a/first,"
      "By=spiffe://a/y;Subject=\\\"CN=c,O=o\\\";URI=\\\"spiffe://b/last\\\"\"]}";
  const ledger::AuditEvent chained =
      SingleEvent(NewCloudEventsAdapter()->Parse(request, absl::Now()));
  EXPECT_EQ(chained.actor().subject(), "spiffe://b/last");
  EXPECT_EQ(chained.actor().issuer(), "spiffe://b");
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
