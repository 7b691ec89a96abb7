#include "api/ingest/github.h"

#include "absl/strings/match.h"
#include "api/ingest/internal/test_samples.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

constexpr absl::string_view kSecret = "github-test-secret-0c4e";
// The secret kSecret replaces, held with it while the sender is switched.
constexpr absl::string_view kOldSecret = "github-old-secret-7e21";

std::unique_ptr<Adapter> NewAdapter() {
  GithubConfig config;
  config.secrets = {std::string(kSecret)};
  auto adapter = NewGithubAdapter(std::move(config));
  EXPECT_TRUE(adapter.ok()) << adapter.status();
  return *std::move(adapter);
}

void Sign(HttpRequest* request, absl::string_view secret = kSecret) {
  request->headers["x-hub-signature-256"] = "sha256=" + HmacHex(secret, request->body);
}

HttpRequest SignedRequest(absl::string_view name) {
  HttpRequest request = SampleRequest(std::string(name) + ".headers", std::string(name) + ".json");
  Sign(&request);
  return request;
}

TEST(GithubAdapterTest, SuccessfulDeploymentStatusBecomesDeploy) {
  const HttpRequest request = SignedRequest("github-deployment-status");
  const auto result = NewAdapter()->Parse(request, absl::Now());
  const ledger::AuditEvent event = SingleEvent(result);
  EXPECT_EQ(event.id().source(), "github");
  EXPECT_EQ(event.id().source_id(), "deployment_status/2114589231");
  EXPECT_EQ(event.observer().source_system(), "github.com/example/risk-models");
  EXPECT_EQ(event.action(), ledger::ACTION_DEPLOY);
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_SUCCESS);
  EXPECT_EQ(event.actor().subject(), "release-bot");
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_CI);
  EXPECT_EQ(event.actor().issuer(), "github.com");
  EXPECT_EQ(event.target().model_name(), "fraud-scorer");
  EXPECT_EQ(event.target().model_version(), "12");
  EXPECT_EQ(event.target().model_digest(),
            "sha256:5b3f0c0f6a1e2d9c8b7a695847362514a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8");
  EXPECT_EQ(event.target().environment(), "production");
  EXPECT_EQ(event.target().namespace_(), "example/risk-models");
  EXPECT_EQ(event.event_time().seconds(), 1791944458);  // 2026-10-14T02:20:58Z
  const auto& labels = event.context().labels();
  EXPECT_EQ(labels.at("github.sha"), "9c1b2a3d4e5f60718293a4b5c6d7e8f901234567");
  EXPECT_EQ(labels.at("github.ref"), "refs/tags/fraud-scorer-v12");
  EXPECT_EQ(labels.at("github.deployment_id"), "1987654321");
  ExpectNoLeak(result, {kSecret, request.headers.at("x-hub-signature-256").substr(7)});
}

TEST(GithubAdapterTest, DeploymentStatesMapToOutcomes) {
  struct Case {
    const char* state;
    ledger::Action action;
    ledger::Outcome::Result result;
  };
  const Case cases[] = {
      {"failure", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_FAILURE},
      {"in_progress", ledger::ACTION_DEPLOY, ledger::Outcome::RESULT_PENDING},
      {"inactive", ledger::ACTION_UNDEPLOY, ledger::Outcome::RESULT_SUCCESS},
  };
  for (const Case& c : cases) {
    HttpRequest request = SignedRequest("github-deployment-status");
    request.body.replace(request.body.find("\"success\""), 9, std::string("\"") + c.state + "\"");
    Sign(&request);
    const ledger::AuditEvent event = SingleEvent(NewAdapter()->Parse(request, absl::Now()));
    EXPECT_EQ(event.action(), c.action) << c.state;
    EXPECT_EQ(event.outcome().result(), c.result) << c.state;
    EXPECT_EQ(event.outcome().reason(),
              c.result == ledger::Outcome::RESULT_FAILURE ? "Deployed fraud-scorer v12" : "")
        << c.state;
  }
}

TEST(GithubAdapterTest, DeploymentBecomesPendingDeployByItsCreator) {
  HttpRequest request = SignedRequest("github-deployment-status");
  request.headers["x-github-event"] = "deployment";
  const ledger::AuditEvent event = SingleEvent(NewAdapter()->Parse(request, absl::Now()));
  EXPECT_EQ(event.id().source_id(), "deployment/1987654321");
  EXPECT_EQ(event.action(), ledger::ACTION_DEPLOY);
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_PENDING);
  EXPECT_EQ(event.actor().subject(), "dana-ortiz");
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_HUMAN);
}

TEST(GithubAdapterTest, DeploymentReviewBecomesApproval) {
  const ledger::AuditEvent event =
      SingleEvent(NewAdapter()->Parse(SignedRequest("github-deployment-review"), absl::Now()));
  EXPECT_EQ(event.id().source_id(), "deployment_review/11223344/production/approved");
  EXPECT_EQ(event.action(), ledger::ACTION_APPROVE);
  EXPECT_EQ(event.outcome().result(), ledger::Outcome::RESULT_SUCCESS);
  EXPECT_EQ(event.outcome().reason(), "shadow metrics reviewed");
  EXPECT_EQ(event.actor().subject(), "lee-chen");
  EXPECT_EQ(event.actor().kind(), ledger::Actor::KIND_HUMAN);
  // No deployment payload: the repository stands for the model.
  EXPECT_EQ(event.target().model_name(), "example/risk-models");
  EXPECT_EQ(event.target().environment(), "production");
}

TEST(GithubAdapterTest, AKnownReviewerIsRecordedAsTheirPrincipalWithTheirGroups) {
  GithubConfig config;
  config.secrets = {std::string(kSecret)};
  config.reviewers["Lee-Chen"] = {"lee@example.com", {"ml-governance"}};  // Logins: any case.
  auto adapter = NewGithubAdapter(std::move(config));
  ASSERT_TRUE(adapter.ok());
  const ledger::AuditEvent event =
      SingleEvent((*adapter)->Parse(SignedRequest("github-deployment-review"), absl::Now()));
  EXPECT_EQ(event.actor().subject(), "lee@example.com");
  EXPECT_THAT(event.approval().approver_groups(), ::testing::ElementsAre("ml-governance"));
  EXPECT_EQ(event.context().labels().at("github.workflow_run_id"), "11223344");
}

TEST(GithubAdapterTest, PingYieldsNothingAndOtherEventsAreRejected) {
  HttpRequest request = SignedRequest("github-deployment-status");
  request.headers["x-github-event"] = "ping";
  auto result = NewAdapter()->Parse(request, absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->empty());

  request.headers["x-github-event"] = "push";
  result = NewAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);

  // The event header is not signed: a body without the named event's members is refused.
  request.headers["x-github-event"] = "deployment_review";
  result = NewAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(result.status().message(), "missing or empty")) << result.status();
}

TEST(GithubAdapterTest, RejectsTamperingAndMissingOrBadSignatures) {
  const auto adapter = NewAdapter();
  const HttpRequest good = SignedRequest("github-deployment-status");
  const std::string signature = good.headers.at("x-hub-signature-256").substr(7);
  struct Case {
    const char* name;
    void (*mutate)(HttpRequest*);
    const char* want;
  };
  const Case cases[] = {
      {"tampered body", [](HttpRequest* r) { r->body.replace(r->body.find("success"), 7, "failure"); },
       "X-Hub-Signature-256 does not match"},
      {"missing", [](HttpRequest* r) { r->headers.erase("x-hub-signature-256"); },
       "missing X-Hub-Signature-256"},
      {"sha1 form", [](HttpRequest* r) { r->headers["x-hub-signature-256"].replace(0, 6, "sha1"); },
       "want the form sha256=<hex>"},
      {"placeholder", [](HttpRequest* r) { r->headers["x-hub-signature-256"] = "sha256=COMPUTE_WITH_SECRET"; },
       "hex digits, want 64"},
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

TEST(GithubAdapterTest, AcceptsEitherSecretWhileOneIsRotated) {
  GithubConfig two, one;
  two.secrets = {std::string(kOldSecret), std::string(kSecret)};
  one.secrets = {std::string(kSecret)};
  const auto both = NewGithubAdapter(two);
  ASSERT_TRUE(both.ok()) << both.status();
  const auto only_new = NewGithubAdapter(one);
  ASSERT_TRUE(only_new.ok()) << only_new.status();
  HttpRequest old_signed =
      SampleRequest("github-deployment-status.headers", "github-deployment-status.json");
  HttpRequest new_signed = old_signed;
  HttpRequest other_signed = old_signed;
  Sign(&old_signed, kOldSecret);
  Sign(&new_signed, kSecret);
  Sign(&other_signed, "github-unknown-secret");
  const std::string old_mac = old_signed.headers.at("x-hub-signature-256").substr(7);
  const std::string new_mac = new_signed.headers.at("x-hub-signature-256").substr(7);

  auto result = (*both)->Parse(old_signed, absl::Now());
  EXPECT_EQ(SingleEvent(result).action(), ledger::ACTION_DEPLOY);
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac});
  result = (*both)->Parse(new_signed, absl::Now());
  EXPECT_EQ(SingleEvent(result).action(), ledger::ACTION_DEPLOY);
  result = (*both)->Parse(other_signed, absl::Now());
  EXPECT_EQ(result.status(),
            absl::UnauthenticatedError(
                "github: X-Hub-Signature-256 does not match the delivery under "
                "any configured secret"));
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac, new_mac});

  EXPECT_EQ(SingleEvent((*only_new)->Parse(new_signed, absl::Now())).action(),
            ledger::ACTION_DEPLOY);
  result = (*only_new)->Parse(old_signed, absl::Now());
  EXPECT_EQ(result.status(),
            absl::UnauthenticatedError(
                "github: X-Hub-Signature-256 does not match the delivery under "
                "the configured secret"));
  ExpectNoLeak(result, {kSecret, kOldSecret, old_mac});
}

TEST(GithubAdapterTest, RefusesOtherThanOneOrTwoNonEmptySecrets) {
  const std::string a(kOldSecret), b(kSecret);
  EXPECT_EQ(NewGithubAdapter({}).status(),
            absl::InvalidArgumentError("github: got 0 webhook secrets, want 1 to 2"));
  EXPECT_EQ(NewGithubAdapter({{a, b, "github-third-secret"}, {}}).status(),
            absl::InvalidArgumentError("github: got 3 webhook secrets, want 1 to 2"));
  EXPECT_EQ(NewGithubAdapter({{a, ""}, {}}).status(),
            absl::InvalidArgumentError("github: webhook secret 2 of 2 is empty, want one"));
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
