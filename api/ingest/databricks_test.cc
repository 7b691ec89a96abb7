#include "api/ingest/databricks.h"

#include "absl/strings/match.h"
#include "api/ingest/internal/test_samples.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr absl::string_view kSecret = "databricks-test-secret-77a1";
// The secret kSecret replaces, held with it while the sender is switched.
constexpr absl::string_view kOldSecret = "databricks-old-secret-c013";

std::unique_ptr<Adapter> NewAdapter() {
  auto adapter = NewDatabricksAdapter({{std::string(kSecret)}, "adb-1234.azuredatabricks.net"});
  EXPECT_TRUE(adapter.ok()) << adapter.status();
  return *std::move(adapter);
}

HttpRequest SignedRequest(absl::string_view body_file) {
  HttpRequest request = SampleRequest("", body_file);
  request.headers["x-databricks-signature"] = HmacHex(kSecret, request.body);
  return request;
}

TEST(DatabricksAdapterTest, TransitionRequestBecomesRequestApproval) {
  const HttpRequest request = SignedRequest("databricks-transition-request-created.json");
  const auto result = NewAdapter()->Parse(request, absl::Now());
  const ledger::AuditEvent event = SingleEvent(result);
  EXPECT_EQ(event.id().source(), "databricks");
  EXPECT_EQ(event.id().source_id(),
            "c5596721253c4b429368cf6f4341b88a/TRANSITION_REQUEST_CREATED/fraud-scorer/12/"
            "1792000000123");
  EXPECT_EQ(event.observer().source_system(), "adb-1234.azuredatabricks.net");
  EXPECT_EQ(event.action(), ledger::ACTION_REQUEST_APPROVAL);
  EXPECT_EQ(event.target().model_name(), "fraud-scorer");
  EXPECT_EQ(event.target().model_version(), "12");
  EXPECT_EQ(event.target().stage(), "Production");
  EXPECT_EQ(event.event_time().seconds(), 1792000000);
  EXPECT_EQ(event.event_time().nanos(), 123000000);
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_SUCCESS);
  // The actor is only in free text, which is kept as a label and never parsed into the actor.
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_UNKNOWN);
  EXPECT_EQ(event.actor().subject(), "");
  EXPECT_EQ(event.context().labels().at("databricks.text"),
            "requested by dana.ortiz@example.com: ready after shadow evaluation");
  EXPECT_EQ(event.context().labels().at("databricks.from_stage"), "Staging");
  ExpectNoLeak(result, {kSecret, request.headers.at("x-databricks-signature")});
}

TEST(DatabricksAdapterTest, StageTransitionBecomesPromoteOrDemote) {
  HttpRequest request = SignedRequest("databricks-model-version-transitioned-stage.json");
  ledger::AuditEvent event = SingleEvent(NewAdapter()->Parse(request, absl::Now()));
  EXPECT_EQ(event.action(), ledger::ACTION_PROMOTE);
  EXPECT_EQ(event.target().stage(), "Production");

  request.body.replace(request.body.find("\"Production\""), 12, "\"Archived\"");
  request.headers["x-databricks-signature"] = HmacHex(kSecret, request.body);
  event = SingleEvent(NewAdapter()->Parse(request, absl::Now()));
  EXPECT_EQ(event.action(), ledger::ACTION_DEMOTE);
  EXPECT_EQ(event.target().stage(), "Archived");
}

TEST(DatabricksAdapterTest, RejectsTamperingAndMissingOrBadSignatures) {
  const auto adapter = NewAdapter();
  const HttpRequest good = SignedRequest("databricks-transition-request-created.json");
  const std::string signature = good.headers.at("x-databricks-signature");
  struct Case {
    const char* name;
    void (*mutate)(HttpRequest*);
    const char* want;
  };
  const Case cases[] = {
      {"tampered body", [](HttpRequest* r) { r->body.replace(r->body.find("12"), 2, "13"); },
       "X-Databricks-Signature does not match"},
      {"missing", [](HttpRequest* r) { r->headers.clear(); }, "missing X-Databricks-Signature"},
      {"short", [](HttpRequest* r) { r->headers["x-databricks-signature"].pop_back(); },
       "got 63 hex digits, want 64"},
      {"not hex", [](HttpRequest* r) { r->headers["x-databricks-signature"][0] = 'g'; },
       "non-hex digit"},
      {"other key", [](HttpRequest* r) {
         r->headers["x-databricks-signature"] = HmacHex("another-secret", r->body);
       }, "X-Databricks-Signature does not match"},
  };
  for (const Case& c : cases) {
    HttpRequest request = good;
    c.mutate(&request);
    const auto result = adapter->Parse(request, absl::Now());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << c.name;
    EXPECT_TRUE(absl::StrContains(result.status().message(), c.want))
        << c.name << ": " << result.status();
    ExpectNoLeak(result, {kSecret, signature});
  }
}

TEST(DatabricksAdapterTest, AcceptsEitherSecretWhileOneIsRotated) {
  const auto both = NewDatabricksAdapter({{std::string(kOldSecret), std::string(kSecret)}, ""});
  ASSERT_TRUE(both.ok()) << both.status();
  const auto only_new = NewDatabricksAdapter({{std::string(kSecret)}, ""});
  ASSERT_TRUE(only_new.ok()) << only_new.status();
  HttpRequest old_signed = SampleRequest("", "databricks-transition-request-created.json");
  HttpRequest new_signed = old_signed;
  HttpRequest other_signed = old_signed;
  old_signed.headers["x-databricks-signature"] = HmacHex(kOldSecret, old_signed.body);
  new_signed.headers["x-databricks-signature"] = HmacHex(kSecret, new_signed.body);
  other_signed.headers["x-databricks-signature"] = HmacHex("databricks-unknown", old_signed.body);
  const std::string old_mac = old_signed.headers.at("x-databricks-signature");
  const std::string new_mac = new_signed.headers.at("x-databricks-signature");

  auto result = (*both)->Parse(old_signed, absl::Now());
  EXPECT_EQ(SingleEvent(result).action(), ledger::ACTION_REQUEST_APPROVAL);
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac});
  result = (*both)->Parse(new_signed, absl::Now());
  EXPECT_EQ(SingleEvent(result).action(), ledger::ACTION_REQUEST_APPROVAL);
  result = (*both)->Parse(other_signed, absl::Now());
  EXPECT_EQ(result.status(),
            absl::UnauthenticatedError(
                "databricks: X-Databricks-Signature does not match the delivery under "
                "any configured secret"));
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac, new_mac});

  EXPECT_EQ(SingleEvent((*only_new)->Parse(new_signed, absl::Now())).action(),
            ledger::ACTION_REQUEST_APPROVAL);
  result = (*only_new)->Parse(old_signed, absl::Now());
  EXPECT_EQ(result.status(),
            absl::UnauthenticatedError(
                "databricks: X-Databricks-Signature does not match the delivery under "
                "the configured secret"));
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac});
}

TEST(DatabricksAdapterTest, RefusesOtherThanOneOrTwoNonEmptySecrets) {
  const std::string a(kOldSecret), b(kSecret);
  EXPECT_EQ(NewDatabricksAdapter({}).status(),
            absl::InvalidArgumentError("databricks: got 0 webhook secrets, want 1 to 2"));
  EXPECT_EQ(NewDatabricksAdapter({{a, b, "databricks-third"}, ""}).status(),
            absl::InvalidArgumentError("databricks: got 3 webhook secrets, want 1 to 2"));
  EXPECT_EQ(NewDatabricksAdapter({{"", b}, ""}).status(),
            absl::InvalidArgumentError("databricks: webhook secret 1 of 2 is empty, want one"));
}

TEST(DatabricksAdapterTest, RejectsUnsupportedEventsAndBadTimestamps) {
  HttpRequest request = SignedRequest("databricks-transition-request-created.json");
  request.body.replace(request.body.find("TRANSITION_REQUEST_CREATED"), 26, "COMMENT_CREATED");
  request.headers["x-databricks-signature"] = HmacHex(kSecret, request.body);
  auto result = NewAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(result.status().message(), "got event COMMENT_CREATED"))
      << result.status();

  request = SignedRequest("databricks-transition-request-created.json");
  request.body.replace(request.body.find("1792000000123"), 13, "1792000000.5");
  request.headers["x-databricks-signature"] = HmacHex(kSecret, request.body);
  result = NewAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(result.status(), absl::InvalidArgumentError(
                                 "databricks: member event_timestamp: got number, want an integer"));
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
