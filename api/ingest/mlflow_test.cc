#include "api/ingest/mlflow.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/ingest/internal/test_samples.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr absl::string_view kSecret = "mlflow-test-secret-9f3b";
// The secret kSecret replaces, held with it while the sender is switched.
constexpr absl::string_view kOldSecret = "mlflow-old-secret-52d8";

// The alias sample's X-MLflow-Timestamp.
const absl::Time kDeliveryTime = absl::FromUnixSeconds(1792030663);

std::unique_ptr<Adapter> NewAdapter() {
  auto adapter = NewMlflowAdapter({{std::string(kSecret)}, "mlflow.example.com"});
  EXPECT_TRUE(adapter.ok()) << adapter.status();
  return *std::move(adapter);
}

void Sign(HttpRequest* request, absl::string_view secret = kSecret) {
  request->headers["x-mlflow-signature"] =
      absl::StrCat("v1,", HmacBase64(secret, absl::StrCat(request->headers["x-mlflow-delivery-id"],
                                                           ".", request->headers["x-mlflow-timestamp"],
                                                           ".", request->body)));
}

HttpRequest SignedRequest(absl::string_view body_file) {
  HttpRequest request = SampleRequest("mlflow-model-version-alias-created.headers", body_file);
  Sign(&request);
  return request;
}

TEST(MlflowAdapterTest, AliasCreatedBecomesPromote) {
  const HttpRequest request = SignedRequest("mlflow-model-version-alias-created.json");
  const auto result = NewAdapter()->Parse(request, kDeliveryTime + absl::Seconds(2));
  const ledger::AuditEvent event = SingleEvent(result);
  EXPECT_EQ(event.id().source(), "mlflow");
  EXPECT_EQ(event.id().source_id(), "6f1c7c2e-8a4b-4a51-9d6e-2b7b0c1f9e33");
  EXPECT_EQ(event.observer().adapter(), "mlflow");
  EXPECT_EQ(event.observer().source_system(), "mlflow.example.com");
  EXPECT_EQ(event.action(), ledger::ACTION_PROMOTE);
  EXPECT_EQ(event.target().model_name(), "fraud-scorer");
  EXPECT_EQ(event.target().model_version(), "12");
  EXPECT_EQ(event.target().stage(), "production");
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_SUCCESS);
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_UNKNOWN);
  EXPECT_EQ(event.actor().subject(), "");
  // 2026-10-14T02:17:43.512Z
  EXPECT_EQ(event.event_time().seconds(), 1791944263);
  EXPECT_EQ(event.event_time().nanos(), 512000000);
  EXPECT_FALSE(event.has_logged_time());
  EXPECT_EQ(event.source_payload_digest().size(), 32u);
  ExpectNoLeak(result, {kSecret, request.headers.at("x-mlflow-signature").substr(3)});
}

TEST(MlflowAdapterTest, VersionCreatedKeepsRunSourceAndTags) {
  HttpRequest request = SignedRequest("mlflow-model-version-created.json");
  const ledger::AuditEvent event = SingleEvent(NewAdapter()->Parse(request, kDeliveryTime));
  EXPECT_EQ(event.action(), ledger::ACTION_CREATE_VERSION);
  EXPECT_EQ(event.target().model_version(), "12");
  EXPECT_EQ(event.target().stage(), "");
  const auto& labels = event.context().labels();
  EXPECT_EQ(labels.at("mlflow.run_id"), "0b9d1c2e3f4a5b6c7d8e9f0a1b2c3d4e");
  EXPECT_EQ(labels.at("mlflow.source"), "models:/m-7f3a9c0d2b1e4f56");
  EXPECT_EQ(labels.at("mlflow.tag.data_classification"), "confidential");
  EXPECT_EQ(labels.at("mlflow.tag.team"), "risk");
  EXPECT_EQ(labels.size(), 4u);
}

TEST(MlflowAdapterTest, RejectsTamperingAndMissingOrBadSignatures) {
  const auto adapter = NewAdapter();
  const HttpRequest good = SignedRequest("mlflow-model-version-alias-created.json");
  ASSERT_TRUE(adapter->Parse(good, kDeliveryTime).ok());
  const std::string signature = good.headers.at("x-mlflow-signature");

  struct Case {
    const char* name;
    void (*mutate)(HttpRequest*);
    const char* want;
  };
  const Case cases[] = {
      {"tampered body",
       [](HttpRequest* r) { r->body.replace(r->body.find("production"), 10, "productioN"); },
       "X-MLflow-Signature does not match"},
      {"other delivery id", [](HttpRequest* r) { r->headers["x-mlflow-delivery-id"] += "0"; },
       "X-MLflow-Signature does not match"},
      {"other timestamp", [](HttpRequest* r) { r->headers["x-mlflow-timestamp"] = "1792030664"; },
       "X-MLflow-Signature does not match"},
      {"missing signature", [](HttpRequest* r) { r->headers.erase("x-mlflow-signature"); },
       "missing X-MLflow-Signature"},
      {"missing delivery id", [](HttpRequest* r) { r->headers.erase("x-mlflow-delivery-id"); },
       "missing X-MLflow-Delivery-Id"},
      {"missing timestamp", [](HttpRequest* r) { r->headers.erase("x-mlflow-timestamp"); },
       "missing X-MLflow-Timestamp"},
      {"wrong version", [](HttpRequest* r) { r->headers["x-mlflow-signature"][1] = '2'; },
       "want the form v1,<base64>"},
      {"not base64", [](HttpRequest* r) { r->headers["x-mlflow-signature"] += "!"; },
       "not standard base64"},
      {"placeholder", [](HttpRequest* r) { r->headers["x-mlflow-signature"] = "v1,COMPUTE_WITH_SECRET"; },
       "not standard base64"},
  };
  for (const Case& c : cases) {
    HttpRequest request = good;
    c.mutate(&request);
    const auto result = adapter->Parse(request, kDeliveryTime);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << c.name;
    EXPECT_TRUE(absl::StrContains(result.status().message(), c.want))
        << c.name << ": " << result.status();
    ExpectNoLeak(result, {kSecret, signature.substr(3)});
  }
}

TEST(MlflowAdapterTest, RejectsTimestampsOutsideTheSkew) {
  const HttpRequest request = SignedRequest("mlflow-model-version-alias-created.json");
  const auto adapter = NewAdapter();
  EXPECT_TRUE(adapter->Parse(request, kDeliveryTime + absl::Minutes(5)).ok());
  EXPECT_TRUE(adapter->Parse(request, kDeliveryTime - absl::Minutes(5)).ok());
  const auto late = adapter->Parse(request, kDeliveryTime + absl::Minutes(5) + absl::Seconds(1));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(late.status().message(), "is -5m1s from the receive time, want at most 5m"))
      << late.status();
}

TEST(MlflowAdapterTest, RejectsUnsupportedEventsAndMalformedBodies) {
  const auto adapter = NewAdapter();
  HttpRequest request = SignedRequest("mlflow-model-version-alias-created.json");
  request.body.replace(request.body.find("\"created\""), 9, "\"renamed\"");
  Sign(&request);
  auto result = adapter->Parse(request, kDeliveryTime);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(result.status().message(), "got event model_version_alias.renamed"))
      << result.status();

  request.body = "{\"entity\": \"model_version\", \"action\": \"created\"";
  Sign(&request);
  result = adapter->Parse(request, kDeliveryTime);
  EXPECT_EQ(result.status(), absl::InvalidArgumentError("mlflow: body: not a JSON object"));

  request.body = "{\"entity\": \"model_version\", \"action\": \"created\", \"timestamp\": "
                 "\"2026-10-14T02:17:43Z\", \"data\": {\"version\": \"1\"}}";
  Sign(&request);
  result = adapter->Parse(request, kDeliveryTime);
  EXPECT_EQ(result.status(), absl::InvalidArgumentError(
                                 "mlflow: member data.name: missing or empty, want a string"));
}

TEST(MlflowAdapterTest, AcceptsEitherSecretWhileOneIsRotated) {
  const auto both = NewMlflowAdapter({{std::string(kOldSecret), std::string(kSecret)}, ""});
  ASSERT_TRUE(both.ok()) << both.status();
  const auto only_new = NewMlflowAdapter({{std::string(kSecret)}, ""});
  ASSERT_TRUE(only_new.ok()) << only_new.status();
  HttpRequest old_signed = SampleRequest("mlflow-model-version-alias-created.headers",
                                         "mlflow-model-version-alias-created.json");
  HttpRequest new_signed = old_signed;
  HttpRequest other_signed = old_signed;
  Sign(&old_signed, kOldSecret);
  Sign(&new_signed, kSecret);
  Sign(&other_signed, "mlflow-unknown-secret");
  const std::string old_mac = old_signed.headers.at("x-mlflow-signature").substr(3);
  const std::string new_mac = new_signed.headers.at("x-mlflow-signature").substr(3);

  auto result = (*both)->Parse(old_signed, kDeliveryTime);
  EXPECT_EQ(SingleEvent(result).action(), ledger::ACTION_PROMOTE);
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac});
  result = (*both)->Parse(new_signed, kDeliveryTime);
  EXPECT_EQ(SingleEvent(result).action(), ledger::ACTION_PROMOTE);
  result = (*both)->Parse(other_signed, kDeliveryTime);
  EXPECT_EQ(result.status(),
            absl::UnauthenticatedError(
                "mlflow: X-MLflow-Signature does not match the delivery under "
                "any configured secret"));
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac, new_mac});

  EXPECT_EQ(SingleEvent((*only_new)->Parse(new_signed, kDeliveryTime)).action(),
            ledger::ACTION_PROMOTE);
  result = (*only_new)->Parse(old_signed, kDeliveryTime);
  EXPECT_EQ(result.status(),
            absl::UnauthenticatedError(
                "mlflow: X-MLflow-Signature does not match the delivery under "
                "the configured secret"));
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac});
}

TEST(MlflowAdapterTest, RefusesOtherThanOneOrTwoNonEmptySecrets) {
  const std::string a(kOldSecret), b(kSecret);
  EXPECT_EQ(NewMlflowAdapter({}).status(),
            absl::InvalidArgumentError("mlflow: got 0 webhook secrets, want 1 to 2"));
  EXPECT_EQ(NewMlflowAdapter({{a, b, "mlflow-third-secret"}, ""}).status(),
            absl::InvalidArgumentError("mlflow: got 3 webhook secrets, want 1 to 2"));
  EXPECT_EQ(NewMlflowAdapter({{a, ""}, ""}).status(),
            absl::InvalidArgumentError("mlflow: webhook secret 2 of 2 is empty, want one"));
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
