#include "api/ingest/adapter.h"

#include "absl/strings/match.h"
#include "api/ingest/internal/test_samples.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

TEST(IngestRejectedEventTest, RecordsTheAttemptAsAValidEvent) {
  HttpRequest request;
  request.remote_address = "198.51.100.7";
  request.headers["user-agent"] = "curl/8.0 \xff";
  request.body = "{\"tampered\": true}";
  const absl::Time received = absl::FromUnixSeconds(1792000000);
  const absl::Status error =
      absl::UnauthenticatedError("github: X-Hub-Signature-256 does not match the delivery");
  const ledger::AuditEvent event = IngestRejectedEvent("github", request, error, received);
  EXPECT_TRUE(ledger::ValidateEvent(event).ok()) << ledger::ValidateEvent(event);
  EXPECT_EQ(event.id().source(), "ingest");
  EXPECT_EQ(event.id().source_id().size(), 64u);
  EXPECT_EQ(event.observer().adapter(), "github");
  EXPECT_EQ(event.action(), ledger::ACTION_INGEST_REJECTED);
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_DENIED);
  EXPECT_EQ(event.outcome().reason(), error.message());
  EXPECT_EQ(event.context().source_ip(), "198.51.100.7");
  EXPECT_EQ(event.context().user_agent(), "curl/8.0 ?");
  EXPECT_EQ(event.event_time().seconds(), 1792000000);
  ExpectNoLeak(std::vector<ledger::AuditEvent>{event}, {"tampered"});

  // Another attempt, a nanosecond later, is another event.
  const ledger::AuditEvent again =
      IngestRejectedEvent("github", request, error, received + absl::Nanoseconds(1));
  EXPECT_NE(again.id().source_id(), event.id().source_id());
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
