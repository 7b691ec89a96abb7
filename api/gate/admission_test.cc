// The admission webhook's reading and planning of AdmissionReviews, on the Kubernetes
// documentation's own samples and on ours (testdata/admission/README.md), and its answer checked
// against the documented response shape.
#include "api/gate/admission.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/file_io.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;

std::string Sample(const std::string& name) {
  absl::StatusOr<std::string> text =
      ledger::ReadInput(absl::StrCat("testdata/admission/", name), size_t{4} << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

AdmissionConfig Gated() {
  AdmissionConfig config;
  config.namespaces = {{"ml-prod", "production"}, {"ml-staging-*", "staging"}};
  config.exempt_namespaces = {"vellum-system"};
  return config;
}

AdmissionPlan Plan(const std::string& sample, const AdmissionConfig& config = Gated()) {
  absl::StatusOr<AdmissionRequest> request = ParseAdmissionReview(Sample(sample), config);
  EXPECT_TRUE(request.ok()) << sample << ": " << request.status();
  return request.ok() ? PlanAdmission(config, *request) : AdmissionPlan();
}

TEST(AdmissionTest, ReadsTheKubernetesDocsRequest) {
  absl::StatusOr<AdmissionRequest> request =
      ParseAdmissionReview(Sample("k8s-docs-scale-update.json"), Gated());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(request->group, "apps");
  EXPECT_EQ(request->resource, "deployments");
  EXPECT_EQ(request->sub_resource, "scale");
  EXPECT_EQ(request->ns, "my-namespace");
  EXPECT_EQ(request->operation, "UPDATE");
  EXPECT_EQ(request->username, "admin");
  EXPECT_FALSE(request->dry_run);
  EXPECT_TRUE(request->object.present);
  // Scaling keeps the workload's model: allowed without a decision.
  EXPECT_EQ(PlanAdmission(Gated(), *request).kind, AdmissionPlan::Kind::kAllow);
}

TEST(AdmissionTest, ACreateInAGatedNamespaceIsACheck) {
  AdmissionPlan plan = Plan("inferenceservice-create.json");
  ASSERT_EQ(plan.kind, AdmissionPlan::Kind::kCheck);
  const ledger::policy::GateRequest& what = plan.check.request;
  EXPECT_EQ(what.action, ledger::ACTION_DEPLOY);
  EXPECT_EQ(what.model, "credit-risk");
  EXPECT_EQ(what.version, "4");
  EXPECT_EQ(what.digest,
            "sha256:7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730");
  EXPECT_EQ(what.environment, "production");
  EXPECT_EQ(what.labels.at("team"), "risk");
  EXPECT_EQ(plan.check.on_behalf_of, "dana");
  EXPECT_EQ(plan.check.request_id, "admission/3f6b0c1e-8d2a-4b7e-9a51-2c4d6e8f0a13");
  EXPECT_EQ(plan.check.via, "admission");
  EXPECT_FALSE(plan.check.dry_run);
  EXPECT_TRUE(ledger::policy::CheckGateRequest(what).ok());

  EXPECT_TRUE(Plan("inferenceservice-create-dry-run.json").check.dry_run);
  // A new version is a deploy; the same version re-applied or scaled is not.
  EXPECT_EQ(Plan("inferenceservice-update-new-version.json").kind, AdmissionPlan::Kind::kCheck);
  EXPECT_EQ(Plan("inferenceservice-update-new-version.json").check.request.version, "5");
  AdmissionPlan same = Plan("inferenceservice-update-same-version.json");
  EXPECT_EQ(same.kind, AdmissionPlan::Kind::kAllow);
  EXPECT_THAT(same.message, HasSubstr("keeps model credit-risk version 4"));
}

TEST(AdmissionTest, AnUpdateThatChangesTheArtifactUnderTheSameLabelsIsACheck) {
  // The same labels, but the predictor now serves another artifact: a deploy.
  std::string changed = Sample("inferenceservice-update-same-version.json");
  const std::string uri = "\"storageUri\": \"s3://models/credit-risk/4\"";
  // The sample writes the object before the old object: the first is the new spec's.
  const size_t first = changed.find(uri);
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(first, changed.rfind(uri));
  changed.replace(first, uri.size(), "\"storageUri\": \"s3://models/unapproved/1\"");
  absl::StatusOr<AdmissionRequest> request = ParseAdmissionReview(changed, Gated());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_NE(request->object.spec_fingerprint, request->old_object.spec_fingerprint);
  EXPECT_EQ(PlanAdmission(Gated(), *request).kind, AdmissionPlan::Kind::kCheck);

  // So is one that adds a label (or an annotation) a pod injector acts on.
  std::string injected = Sample("inferenceservice-update-same-version.json");
  const std::string team = "\"team\": \"risk\"";
  ASSERT_NE(injected.find(team), std::string::npos);
  injected.replace(injected.find(team), team.size(),
                   "\"team\": \"risk\", \"sidecar.example.com/inject\": \"true\"");
  absl::StatusOr<AdmissionRequest> annotated = ParseAdmissionReview(injected, Gated());
  ASSERT_TRUE(annotated.ok()) << annotated.status();
  EXPECT_EQ(PlanAdmission(Gated(), *annotated).kind, AdmissionPlan::Kind::kCheck);

  // A scaling alone (minReplicas) keeps the fingerprint.
  absl::StatusOr<AdmissionRequest> scaled =
      ParseAdmissionReview(Sample("inferenceservice-update-same-version.json"), Gated());
  ASSERT_TRUE(scaled.ok());
  EXPECT_FALSE(scaled->object.spec_fingerprint.empty());
  EXPECT_EQ(scaled->object.spec_fingerprint, scaled->old_object.spec_fingerprint);
}

TEST(AdmissionTest, OnlyTheScaleAndStatusSubresourcesOfAGatedWorkloadAreAllowed) {
  absl::StatusOr<AdmissionRequest> request =
      ParseAdmissionReview(Sample("inferenceservice-create.json"), Gated());
  ASSERT_TRUE(request.ok());
  request->sub_resource = "status";
  EXPECT_EQ(PlanAdmission(Gated(), *request).kind, AdmissionPlan::Kind::kAllow);
  request->sub_resource = "ephemeralcontainers";
  AdmissionPlan plan = PlanAdmission(Gated(), *request);
  EXPECT_EQ(plan.kind, AdmissionPlan::Kind::kDeny);
  EXPECT_THAT(plan.message, HasSubstr("the ephemeralcontainers subresource"));
  // Outside a gated namespace, anything goes.
  request->ns = "default";
  EXPECT_EQ(PlanAdmission(Gated(), *request).kind, AdmissionPlan::Kind::kAllow);
}

TEST(AdmissionTest, TheUidOfAReviewThatDoesNotParse) {
  EXPECT_EQ(AdmissionReviewUid(R"({"request": {"uid": "u-7", "operation": 3}})"), "u-7");
  EXPECT_EQ(AdmissionReviewUid(R"({"request": {}})"), absl::nullopt);
  EXPECT_EQ(AdmissionReviewUid("["), absl::nullopt);
  EXPECT_EQ(AdmissionReviewUid(absl::StrCat(R"({"request": {"uid": ")", std::string(65, 'u'),
                                            R"("}})")),
            absl::nullopt);
}

TEST(AdmissionTest, AnUnlabeledWorkloadInAGatedNamespaceIsDenied) {
  AdmissionPlan plan = Plan("deployment-create-unlabeled.json");
  EXPECT_EQ(plan.kind, AdmissionPlan::Kind::kDeny);
  EXPECT_THAT(plan.message, HasSubstr("set the label or annotation vellum.dev/model"));
}

TEST(AdmissionTest, UngatedNamespacesResourcesOperationsAndExemptNamespacesAreAllowed) {
  AdmissionConfig config = Gated();
  absl::StatusOr<AdmissionRequest> request =
      ParseAdmissionReview(Sample("deployment-create-unlabeled.json"), config);
  ASSERT_TRUE(request.ok());
  AdmissionRequest other = *request;
  other.ns = "default";
  EXPECT_EQ(PlanAdmission(config, other).kind, AdmissionPlan::Kind::kAllow);
  other = *request;
  other.ns = "vellum-system";
  config.namespaces.insert(config.namespaces.begin(), {"*", "production"});
  EXPECT_EQ(PlanAdmission(config, other).kind, AdmissionPlan::Kind::kAllow);
  other = *request;
  other.resource = "configmaps";
  other.group = "";
  EXPECT_EQ(PlanAdmission(config, other).kind, AdmissionPlan::Kind::kAllow);
  other = *request;
  other.operation = "DELETE";
  EXPECT_EQ(PlanAdmission(config, other).kind, AdmissionPlan::Kind::kAllow);
  // A glob namespace gates.
  other = *request;
  other.ns = "ml-staging-eu";
  EXPECT_EQ(PlanAdmission(Gated(), other).kind, AdmissionPlan::Kind::kDeny);
}

TEST(AdmissionTest, MalformedReviewsAreRefusedWithoutQuotingThem) {
  for (const auto& [body, want] : std::vector<std::pair<std::string, std::string>>{
           {"[]", "not a JSON object"},
           {"{", "not a JSON object"},
           {R"({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview"})",
            "admissionReviewVersions: [v1]"},
           {R"({"apiVersion": "admission.k8s.io/v1", "kind": "Secret-xyz"})",
            "kind: want AdmissionReview"},
           {R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"})",
            "request: missing"},
           {R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}})",
            "request.uid"},
           {R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request":
               {"uid": "u", "resource": {"resource": "pods"}, "operation": "PATCH-xyz"}})",
            "want CREATE, UPDATE, DELETE or CONNECT"},
           {R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request":
               {"uid": "u", "resource": {"resource": "pods"}, "operation": "CREATE",
                "dryRun": "yes-xyz"}})",
            "request.dryRun"},
           {R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request":
               {"uid": "u", "resource": {"resource": "pods"}, "operation": "CREATE",
                "object": {"metadata": {"labels": {"a": 1}}}}})",
            "labels"},
       }) {
    absl::StatusOr<AdmissionRequest> request = ParseAdmissionReview(body, Gated());
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(request.status().message(), HasSubstr(want)) << body;
    EXPECT_THAT(request.status().message(), ::testing::Not(HasSubstr("xyz"))) << body;
  }
  EXPECT_FALSE(
      ParseAdmissionReview(std::string(kMaxAdmissionReviewBytes + 1, ' '), Gated()).ok());
}

// The keys of every object in `value`, with their paths.
void Keys(const google::protobuf::Value& value, const std::string& path,
          std::set<std::string>* out) {
  if (!value.has_struct_value()) return;
  for (const auto& [key, member] : value.struct_value().fields()) {
    out->insert(absl::StrCat(path, "/", key));
    Keys(member, absl::StrCat(path, "/", key), out);
  }
}

std::set<std::string> KeysOf(const std::string& json) {
  google::protobuf::Value value;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &value).ok()) << json;
  std::set<std::string> keys;
  Keys(value, "", &keys);
  return keys;
}

TEST(AdmissionTest, TheAnswerHasTheDocumentedShape) {
  const std::string denied = AdmissionReviewAnswer(
      "705ab4f5-6393-11e8-b7cc-42010a800002", false, 403,
      "You cannot do this because it is Tuesday and your name starts with A", {});
  // Exactly the members of the documentation's own answer, with the same values.
  EXPECT_EQ(KeysOf(denied), KeysOf(Sample("k8s-docs-response-forbid.json")));
  google::protobuf::Value ours, docs;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(denied, &ours).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  Sample("k8s-docs-response-forbid.json"), &docs)
                  .ok());
  EXPECT_EQ(ours.DebugString(), docs.DebugString());

  // An allow prints `allowed: true` and its audit annotations, and no status.
  const std::string allowed =
      AdmissionReviewAnswer("u-1", true, 200, "", {{"decision", "17"}, {"rule", "staging-open"}});
  EXPECT_EQ(KeysOf(allowed),
            (std::set<std::string>{"/apiVersion", "/kind", "/response", "/response/uid",
                                   "/response/allowed", "/response/auditAnnotations",
                                   "/response/auditAnnotations/decision",
                                   "/response/auditAnnotations/rule"}));
  EXPECT_THAT(allowed, HasSubstr("\"allowed\":true"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
