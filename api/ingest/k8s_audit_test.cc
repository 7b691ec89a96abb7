#include "api/ingest/k8s_audit.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/ingest/internal/test_samples.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

std::unique_ptr<Adapter> NewAdapter(std::vector<K8sResourceRule> rules = DefaultK8sResourceRules()) {
  auto adapter = NewK8sAuditAdapter({"prod-eu-1", std::move(rules)});
  EXPECT_TRUE(adapter.ok()) << adapter.status();
  return *std::move(adapter);
}

TEST(K8sAuditAdapterTest, PatchIsDeployAndForbiddenDeleteIsDenied) {
  const HttpRequest request = SampleRequest("", "k8s-audit-eventlist-inferenceservice.json");
  const auto result = NewAdapter()->Parse(request, absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 2u);

  const ledger::AuditEvent& deploy = (*result)[0];
  EXPECT_EQ(deploy.id().source(), "k8s-audit");
  EXPECT_EQ(deploy.id().source_id(), "4b0f8c6e-1d2a-4c3b-9e8f-7a6b5c4d3e2f/ResponseComplete");
  EXPECT_EQ(deploy.observer().source_system(), "prod-eu-1");
  EXPECT_EQ(deploy.action(), ledger::ACTION_DEPLOY);
  EXPECT_EQ(deploy.outcome().result(), ledger::Outcome::RESULT_SUCCESS);
  EXPECT_EQ(deploy.actor().subject(), "system:serviceaccount:ci:deployer");
  EXPECT_EQ(deploy.actor().kind(), ledger::Actor::KIND_SERVICE);
  EXPECT_EQ(deploy.actor().issuer(), "prod-eu-1");
  ASSERT_EQ(deploy.actor().groups_size(), 3);
  EXPECT_EQ(deploy.actor().groups(1), "system:serviceaccounts:ci");
  EXPECT_EQ(deploy.target().model_name(), "fraud-scorer");
  EXPECT_EQ(deploy.target().namespace_(), "risk-prod");
  EXPECT_EQ(deploy.target().environment(), "prod-eu-1");
  EXPECT_EQ(deploy.context().source_ip(), "10.20.3.17");
  EXPECT_EQ(deploy.context().user_agent(), "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46");
  EXPECT_EQ(deploy.context().request_id(), "4b0f8c6e-1d2a-4c3b-9e8f-7a6b5c4d3e2f");
  EXPECT_EQ(deploy.context().labels().at("k8s.verb"), "patch");
  EXPECT_EQ(deploy.context().labels().at("k8s.resource"), "serving.kserve.io/inferenceservices");
  EXPECT_EQ(deploy.context().labels().at("k8s.decision"), "allow");
  EXPECT_EQ(deploy.event_time().seconds(), 1791944465);  // 2026-10-14T02:21:05.118203Z
  EXPECT_EQ(deploy.event_time().nanos(), 118203000);

  const ledger::AuditEvent& denied = (*result)[1];
  EXPECT_EQ(denied.id().source_id(), "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/ResponseComplete");
  EXPECT_EQ(denied.action(), ledger::ACTION_UNDEPLOY);
  EXPECT_EQ(denied.outcome().result(), ledger::Outcome::RESULT_DENIED);
  EXPECT_EQ(denied.outcome().reason(), "Forbidden");
  EXPECT_EQ(denied.actor().subject(), "sam.intern@example.com");
  EXPECT_EQ(denied.actor().kind(), ledger::Actor::KIND_HUMAN);
  EXPECT_EQ(denied.context().labels().at("k8s.decision"), "forbid");
  // One delivery: both events carry its digest.
  EXPECT_EQ(deploy.source_payload_digest(), denied.source_payload_digest());
}

TEST(K8sAuditAdapterTest, RulesStagesVerbsAndDuplicatesDecideWhatIsRecorded) {
  HttpRequest request = SampleRequest("", "k8s-audit-eventlist-inferenceservice.json");
  auto result = NewAdapter({{"machinelearning.seldon.io", "seldondeployments"}})->Parse(request, absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->empty());

  // The first item again, at an earlier stage, as a read, on a subresource, and twice.
  const std::string original = request.body;
  const std::pair<const char*, const char*> edits[] = {
      {"\"stage\": \"ResponseComplete\"", "\"stage\": \"RequestReceived\""},
      {"\"verb\": \"patch\"", "\"verb\": \"get\""},
      {"\"resource\": \"inferenceservices\",", "\"resource\": \"inferenceservices\", \"subresource\": \"status\","},
  };
  for (const auto& edit : edits) {
    request.body = original;
    request.body.replace(request.body.find(edit.first), strlen(edit.first), edit.second);
    result = NewAdapter()->Parse(request, absl::Now());
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->size(), 1u) << edit.second;
    EXPECT_EQ(result->front().outcome().result(), ledger::Outcome::RESULT_DENIED) << edit.second;
  }
  request.body = original;
  request.body.replace(request.body.find("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"), 36,
                       "4b0f8c6e-1d2a-4c3b-9e8f-7a6b5c4d3e2f");
  result = NewAdapter()->Parse(request, absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->size(), 1u);
}

TEST(K8sAuditAdapterTest, RejectsOtherKindsAndOversizeLists) {
  HttpRequest request;
  request.body = "{\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\"}";
  auto result = NewAdapter()->Parse(request, absl::Now());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(result.status().message(), "want kind EventList")) << result.status();

  std::string items;
  for (int i = 0; i < 3; ++i) absl::StrAppend(&items, i ? "," : "", "{}");
  request.body = absl::StrCat("{\"kind\": \"EventList\", \"apiVersion\": \"audit.k8s.io/v1\", \"items\": [",
                              items, "]}");
  auto adapter = NewK8sAuditAdapter({"c", DefaultK8sResourceRules(), 2});
  ASSERT_TRUE(adapter.ok());
  result = (*adapter)->Parse(request, absl::Now());
  EXPECT_EQ(result.status(), absl::InvalidArgumentError(
                                 "k8s-audit: member items: got 3 items, want at most 2"));
  EXPECT_EQ(NewK8sAuditAdapter({"", DefaultK8sResourceRules()}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NewK8sAuditAdapter({"c", {}}).status().code(), absl::StatusCode::kInvalidArgument);
}


TEST(K8sResourceRulesTest, ParsesTheFileFormat) {
  absl::StatusOr<std::vector<K8sResourceRule>> rules = ParseK8sResourceRules(
      "# models\nserving.kserve.io/inferenceservices\n\n  ml.example.com/model-deployments \n/pods\n");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].api_group, "serving.kserve.io");
  EXPECT_EQ((*rules)[0].resource, "inferenceservices");
  EXPECT_EQ((*rules)[1].api_group, "ml.example.com");
  EXPECT_EQ((*rules)[1].resource, "model-deployments");
  EXPECT_EQ((*rules)[2].api_group, "");
  EXPECT_EQ((*rules)[2].resource, "pods");
  for (const char* bad : {"", "# only a comment\n", "inferenceservices\n", "a/\n",
                          "Serving.KServe.io/x\n", "a/b/c\n", "a b/c\n"}) {
    absl::StatusOr<std::vector<K8sResourceRule>> r = ParseK8sResourceRules(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << bad;
  }
  std::string many;
  for (size_t i = 0; i <= kMaxK8sResourceRules; ++i) absl::StrAppend(&many, "g/r", i, "\n");
  EXPECT_TRUE(absl::IsInvalidArgument(ParseK8sResourceRules(many).status()));
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
