// The gate end to end, against a LogServer as vellumd runs it (a token file, roles, the sealed
// store) over HTTP: a production deploy is denied until two governance members other than the
// requester approve that exact digest, then allowed; each step answers with a receipt that
// verifies against the log's key; the log replays to the same decisions, and a decision altered
// in a copy does not; a restart keeps the policy and approvals; every gate endpoint refuses a
// missing, wrong and lacking credential; bad input changes nothing; a malformed policy is
// refused and the old one stays; no personal value shows in clear in any entry.

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/client/http_client.h"
#include "api/config/config.pb.h"
#include "api/events/events_api.pb.h"
#include "api/gate/gate_api.pb.h"
#include "api/http.h"
#include "api/server/access_rules.h"
#include "api/server/gate_rules.h"
#include "api/server/log_server.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "ledger/file_io.h"
#include "ledger/identity/token_file.h"
#include "ledger/policy/replay.h"
#include "ledger/testing/test_log.h"
#include "ledger/tile_reader.h"
#include "proof/note.h"
#include "proof/receipt.h"

namespace vellum {
namespace api {
namespace {

namespace identity = ledger::identity;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPipelineToken[] = "pipeline-token-3c81e0f2a7b94d56";
constexpr char kDanaToken[] = "dana-token-9e2a4c71b06d58f3";
constexpr char kFrankToken[] = "frank-token-51d7b3e0c9a2f846";
constexpr char kGraceToken[] = "grace-token-0f6c2a9e4d1b7358";
constexpr char kBoardToken[] = "board-token-a4e8d1c35f092b76";
constexpr char kLackingToken[] = "lacking-token-7b20f9c4e1d3a865";
constexpr char kWrongToken[] = "wrong-token-e5c3a1f7092d4b68";

// The example of docs/gate.md.
constexpr char kPolicyYaml[] = R"(rules:
  - id: production-needs-governance
    match: {actions: [deploy, promote], environments: [production]}
    require: {approvals: 2, approver_groups: [ml-governance], distinct_from_requester: true,
              same_digest: true, max_age: 72h}
  - id: staging-open
    match: {actions: [deploy], environments: [staging]}
    allow: true
)";

constexpr char kDigest[] =
    "sha256:7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730";

std::string Target(const std::string& environment = "production",
                   const std::string& digest = kDigest) {
  return absl::StrCat(R"("action": "deploy", "model": "credit-risk", "version": "4", "digest": ")",
                      digest, R"(", "environment": ")", environment, R"(")");
}

std::string CheckBody(const std::string& extra = "", const std::string& environment = "production",
                      const std::string& digest = kDigest) {
  return absl::StrCat("{", Target(environment, digest), R"(, "on_behalf_of": "dana")", extra, "}");
}

template <typename M>
M Parse(const HttpResponse& response) {
  M message;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &message).ok())
      << response.body;
  return message;
}

class GateServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = ledger::NewTestSigner("example.com/gate-server");
    absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier =
        NoteVerifier::Create(signer_->VerifierKey());
    ASSERT_TRUE(verifier.ok());
    verifier_ = *std::move(verifier);
    dir_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0) << dir_;
    data_dir_ = dir_ + "/log";
    ASSERT_EQ(mkdir(data_dir_.c_str(), 0700), 0);
    std::string tokens;
    for (const auto& [token, name, groups] :
         std::vector<std::tuple<const char*, const char*, const char*>>{
             {kPipelineToken, "ci-deployer", ""},
             {kDanaToken, "dana", "ml-scientists"},
             {kFrankToken, "frank", "ml-governance"},
             {kGraceToken, "grace", "ml-governance,sre"},
             {kBoardToken, "board-admin", ""},
             {kLackingToken, "lacking", ""}}) {
      absl::StrAppend(&tokens, identity::TokenSet::Line(token, name, groups), "\n");
    }
    ASSERT_TRUE(ledger::WriteNewFile(dir_ + "/tokens", tokens, 0600).ok());
    Start();
  }

  void Start() {
    config::Config config;
    config.mutable_auth()->set_token_file(dir_ + "/tokens");
    auto bind = [&](const char* principal, const char* group, std::vector<const char*> roles) {
      config::Binding* b = config.add_bindings();
      if (principal != nullptr) b->set_principal(principal);
      if (group != nullptr) b->set_group(group);
      for (const char* r : roles) b->add_roles(r);
    };
    bind("ci-deployer", nullptr, {"pipeline", "appender"});
    bind("dana", nullptr, {"deployer", "reader"});
    bind(nullptr, "ml-governance", {"governance"});
    bind("board-admin", nullptr, {"governance", "oncall"});
    // Break glass is no default role's.
    google::protobuf::ListValue oncall;
    oncall.add_values()->set_string_value("gate.check");
    oncall.add_values()->set_string_value("gate.override");
    (*config.mutable_roles())["oncall"] = oncall;
    absl::StatusOr<std::shared_ptr<const AccessRules>> access = BuildAccessRules(config);
    ASSERT_TRUE(access.ok()) << access.status();
    LogServerOptions options;
    options.data_dir = data_dir_;
    options.signer = signer_.get();
    options.http.port = 0;
    options.access = *std::move(access);
    options.denials.burst = 1000;
    options.lookup_key = std::string(32, 'K');
    config::GateAdmission admission;
    config::AdmissionNamespace* prod = admission.add_namespaces();
    prod->set_namespace_("ml-prod");
    prod->set_environment("production");
    admission.add_exempt_namespaces("vellum-system");
    absl::StatusOr<AdmissionConfig> admission_config = AdmissionConfigOf(admission);
    ASSERT_TRUE(admission_config.ok()) << admission_config.status();
    options.admission = *std::move(admission_config);
    absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    absl::StatusOr<std::unique_ptr<HttpClient>> client =
        HttpClient::Create(absl::StrCat("http://127.0.0.1:", server_->port()), {});
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  HttpResponse Send(const std::string& method, const std::string& target, absl::string_view token,
                    const std::string& body = "",
                    const std::string& content_type = "application/json") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!body.empty()) headers.emplace_back("Content-Type", content_type);
    if (!token.empty()) headers.emplace_back("Authorization", absl::StrCat("Bearer ", token));
    absl::StatusOr<HttpResponse> response = client_->Send(method, target, body, headers);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *std::move(response) : HttpResponse();
  }

  uint64_t Size() { return server_->sequencer().Head()->size; }

  // Every entry of the log (the test's logs stay under 256).
  std::vector<std::string> Entries() {
    const uint64_t size = Size();
    EXPECT_LT(size, 256u);
    absl::StatusOr<std::vector<std::string>> entries =
        ledger::ReadBundleEntries(server_->log().storage(), 0, size);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *std::move(entries) : std::vector<std::string>();
  }

  // Checks `receipt` for entry `index` against the log's key.
  void ExpectReceipt(const std::string& receipt, uint64_t index) {
    absl::StatusOr<Receipt> parsed = ParseReceipt(receipt);
    ASSERT_TRUE(parsed.ok()) << parsed.status() << receipt;
    EXPECT_EQ(parsed->index, index);
    const std::vector<std::string> entries = Entries();
    ASSERT_LT(index, entries.size());
    EXPECT_TRUE(VerifyReceipt(*parsed, entries[index], *verifier_).ok());
  }

  GateCheckResponse Check(const std::string& body = CheckBody()) {
    HttpResponse r = Send("POST", "/v1/gate/check", kPipelineToken, body);
    EXPECT_EQ(r.status, 200) << r.body;
    GateCheckResponse answer = Parse<GateCheckResponse>(r);
    ExpectReceipt(answer.receipt(), answer.index());
    return answer;
  }

  // Replays `entries`; returns the summary's mismatches, or the error.
  absl::StatusOr<ledger::policy::Replayer::Summary> Replay(const std::vector<std::string>& entries) {
    ledger::policy::Replayer replayer;
    for (size_t i = 0; i < entries.size(); ++i) {
      absl::StatusOr<ledger::AuditEvent> event = ledger::DecodeEntry(entries[i]);
      if (!event.ok()) continue;
      if (absl::Status s = replayer.Add(i, *event); !s.ok()) return s;
    }
    return replayer.summary();
  }

  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::string dir_;
  std::string data_dir_;
  std::unique_ptr<LogServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(GateServerTest, DeniedUntilTwoGovernanceMembersApproveTheDigestThenAllowed) {
  // Without a policy on record the gate denies everything.
  GateCheckResponse empty = Check();
  EXPECT_FALSE(empty.allowed());
  EXPECT_THAT(empty.reasons(), ElementsAre(HasSubstr("denied by default")));

  HttpResponse put = Send("PUT", "/v1/policy", kBoardToken, kPolicyYaml, "application/yaml");
  ASSERT_EQ(put.status, 200) << put.body;
  PolicyInfo policy = Parse<PolicyInfo>(put);
  EXPECT_TRUE(policy.applied());
  EXPECT_EQ(policy.rules(), 2u);
  ExpectReceipt(policy.receipt(), policy.index());

  GateCheckResponse denied = Check();
  EXPECT_FALSE(denied.allowed());
  EXPECT_EQ(denied.rule(), "production-needs-governance");
  EXPECT_EQ(denied.policy_sha256(), policy.sha256());
  // Staging is open.
  EXPECT_TRUE(Check(CheckBody("", "staging")).allowed());

  HttpResponse asked = Send("POST", "/v1/approvals", kDanaToken, absl::StrCat("{", Target(), "}"));
  ASSERT_EQ(asked.status, 200) << asked.body;
  ApprovalInfo request = Parse<ApprovalInfo>(asked);
  ExpectReceipt(request.receipt(), request.index());
  EXPECT_EQ(request.state(), "pending");
  // The requester is named by her pseudonym, never in clear.
  EXPECT_THAT(request.requester(), HasSubstr("ps1_"));
  const std::string decisions = absl::StrCat("/v1/approvals/", request.id(), "/decisions");

  // Dana cannot decide (no approvals.decide); one governance approval is not enough.
  EXPECT_EQ(Send("POST", decisions, kDanaToken, R"({"decision": "approve"})").status, 403);
  HttpResponse first =
      Send("POST", decisions, kFrankToken, R"({"decision": "approve", "comment": "read-the-eval-report"})");
  ASSERT_EQ(first.status, 200) << first.body;
  ApprovalDecisionInfo frank = Parse<ApprovalDecisionInfo>(first);
  ExpectReceipt(frank.receipt(), frank.index());
  EXPECT_THAT(frank.approver_groups(), ElementsAre("ml-governance"));
  GateCheckResponse one = Check();
  EXPECT_FALSE(one.allowed());
  EXPECT_THAT(one.reasons(), ElementsAre(HasSubstr("has 1")));
  // Another digest is not approved by it.
  EXPECT_FALSE(Check(CheckBody("", "production", "sha256:00ff")).allowed());

  HttpResponse second = Send("POST", decisions, kGraceToken, R"({"decision": "approve"})");
  ASSERT_EQ(second.status, 200) << second.body;
  ApprovalDecisionInfo grace = Parse<ApprovalDecisionInfo>(second);
  HttpResponse pending = Send("GET", "/v1/approvals?state=approved", kFrankToken);
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(Parse<ApprovalList>(pending).approvals_size(), 1);

  GateCheckResponse allowed = Check();
  EXPECT_TRUE(allowed.allowed()) << allowed.reasons(0);
  EXPECT_THAT(allowed.approvals(), ElementsAre(frank.index(), grace.index()));
  EXPECT_EQ(allowed.horizon(), grace.index() + 1);

  // A restart keeps the policy and the approvals.
  server_.reset();
  Start();
  const GateCheckResponse restarted = Check();
  EXPECT_TRUE(restarted.allowed());
  HttpResponse got = Send("GET", "/v1/policy", kPipelineToken);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(Parse<PolicyInfo>(got).index(), policy.index());

  // A deploy that the pipeline reports afterwards links to the decision that allowed it; one of
  // another version to none.
  auto observed = [&](const std::string& id, const std::string& version) {
    ledger::AuditEvent event;
    event.mutable_id()->set_source("deployer");
    event.mutable_id()->set_source_id(id);
    *event.mutable_event_time() = ledger::ToProtoTime(absl::Now());
    event.mutable_observer()->set_adapter("native");
    event.set_action(ledger::ACTION_DEPLOY);
    event.mutable_target()->set_model_name("credit-risk");
    event.mutable_target()->set_model_version(version);
    event.mutable_target()->set_environment("production");
    event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
    HttpResponse posted =
        Send("POST", "/v1/events", kPipelineToken, *ledger::EventToJson(event));
    EXPECT_EQ(posted.status, 200) << posted.body;
    const uint64_t index = Size() - 1;
    HttpResponse got = Send("GET", absl::StrCat("/v1/events/", index), kDanaToken);
    EXPECT_EQ(got.status, 200) << got.body;
    EventSearchResponse answer = Parse<EventSearchResponse>(got);
    return answer.events_size() == 1 ? answer.events(0).deploy_link() : DeployLink();
  };
  const DeployLink linked = observed("deploy-1", "4");
  EXPECT_TRUE(linked.allowed());
  EXPECT_EQ(linked.decision(), restarted.index());
  EXPECT_FALSE(observed("deploy-2", "5").allowed());

  // The log replays to the same decisions; a decision altered in a copy does not.
  const std::vector<std::string> entries = Entries();
  absl::StatusOr<ledger::policy::Replayer::Summary> replayed = Replay(entries);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->decisions, 7u);
  EXPECT_TRUE(replayed->mismatches.empty()) << replayed->mismatches.front();
  std::vector<std::string> altered = entries;
  absl::StatusOr<ledger::AuditEvent> decision = ledger::DecodeEntry(altered[denied.index()]);
  ASSERT_TRUE(decision.ok());
  decision->mutable_gate()->set_allowed(true);
  decision->mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
  altered[denied.index()] = *ledger::EncodeEntry(*decision);
  replayed = Replay(altered);
  ASSERT_TRUE(replayed.ok());
  ASSERT_EQ(replayed->mismatches.size(), 1u);
  EXPECT_THAT(replayed->mismatches[0], HasSubstr(absl::StrCat("index ", denied.index())));

  // Nobody's name is in clear in any entry: the gate's events hold pseudonyms.
  for (const std::string& entry : entries) {
    for (const char* name : {"\"dana\"", "frank", "grace", "ci-deployer", "board-admin"}) {
      EXPECT_THAT(entry, Not(HasSubstr(name)));
    }
    EXPECT_THAT(entry, Not(HasSubstr("read-the-eval-report")));
  }
}

// The admission answer's response, as a Struct.
google::protobuf::Struct AdmissionResponseOf(const HttpResponse& r) {
  EXPECT_EQ(r.status, 200) << r.body;
  google::protobuf::Struct review;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &review).ok()) << r.body;
  return review.fields().at("response").struct_value();
}

TEST_F(GateServerTest, TheAdmissionWebhookDeniesUntilApprovedAndKeepsRunningWorkloads) {
  ASSERT_EQ(Send("PUT", "/v1/policy", kBoardToken, kPolicyYaml).status, 200);
  auto sample = [](const std::string& name) {
    absl::StatusOr<std::string> text =
        ledger::ReadInput(absl::StrCat("testdata/admission/", name), size_t{1} << 20);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : "";
  };
  auto admit = [&](const std::string& name) {
    return AdmissionResponseOf(
        Send("POST", "/v1/admission", kPipelineToken, sample(name)));
  };

  uint64_t size = Size();
  google::protobuf::Struct denied = admit("inferenceservice-create.json");
  EXPECT_FALSE(denied.fields().at("allowed").bool_value());
  EXPECT_EQ(denied.fields().at("uid").string_value(), "3f6b0c1e-8d2a-4b7e-9a51-2c4d6e8f0a13");
  const google::protobuf::Struct& status = denied.fields().at("status").struct_value();
  EXPECT_EQ(status.fields().at("code").number_value(), 403);
  EXPECT_THAT(status.fields().at("message").string_value(),
              HasSubstr("vellum gate denied the deploy of credit-risk version 4 to production: "
                        "rule production-needs-governance: needs 2 approvals"));
  const auto& notes = denied.fields().at("auditAnnotations").struct_value().fields();
  EXPECT_EQ(notes.at("decision").string_value(), absl::StrCat(size));
  EXPECT_EQ(notes.at("rule").string_value(), "production-needs-governance");
  EXPECT_EQ(Size(), size + 1);
  absl::StatusOr<ledger::AuditEvent> decision = ledger::DecodeEntry(Entries()[size]);
  ASSERT_TRUE(decision.ok());
  EXPECT_EQ(decision->gate().via(), "admission");
  EXPECT_FALSE(decision->gate().allowed());

  // A dry run is evaluated, not recorded; an unlabeled workload is denied; a scaling that keeps
  // the model is allowed; none of them appends anything.
  size = Size();
  google::protobuf::Struct dry = admit("inferenceservice-create-dry-run.json");
  EXPECT_FALSE(dry.fields().at("allowed").bool_value());
  EXPECT_EQ(dry.fields().at("auditAnnotations").struct_value().fields().at("decision")
                .string_value(),
            "dry-run");
  google::protobuf::Struct unlabeled = admit("deployment-create-unlabeled.json");
  EXPECT_FALSE(unlabeled.fields().at("allowed").bool_value());
  EXPECT_THAT(unlabeled.fields().at("status").struct_value().fields().at("message")
                  .string_value(),
              HasSubstr("only workloads that name their model may run there"));
  EXPECT_TRUE(admit("inferenceservice-update-same-version.json").fields().at("allowed")
                  .bool_value());
  EXPECT_TRUE(admit("k8s-docs-scale-update.json").fields().at("allowed").bool_value());
  EXPECT_EQ(Size(), size);

  // Two governance members (neither dana, who applies it) approve the digest: allowed.
  HttpResponse asked = Send("POST", "/v1/approvals", kDanaToken, absl::StrCat("{", Target(), "}"));
  ASSERT_EQ(asked.status, 200) << asked.body;
  const std::string id = Parse<ApprovalInfo>(asked).id();
  for (const char* token : {kFrankToken, kGraceToken}) {
    ASSERT_EQ(Send("POST", absl::StrCat("/v1/approvals/", id, "/decisions"), token,
                   R"({"decision": "approve"})")
                  .status,
              200);
  }
  // The same admission call (its uid) is answered with its first decision; a new call with the
  // same workload is decided again.
  EXPECT_FALSE(admit("inferenceservice-create.json").fields().at("allowed").bool_value());
  std::string again = sample("inferenceservice-create.json");
  const std::string uid = "3f6b0c1e-8d2a-4b7e-9a51-2c4d6e8f0a13";
  again.replace(again.find(uid), uid.size(), "4a7c1d2e-9b3f-4e58-a6d0-1c2b3d4e5f60");
  google::protobuf::Struct allowed =
      AdmissionResponseOf(Send("POST", "/v1/admission", kPipelineToken, again));
  EXPECT_TRUE(allowed.fields().at("allowed").bool_value());
  EXPECT_EQ(allowed.fields().count("status"), 0u);
  // A new version still needs its own approvals.
  EXPECT_FALSE(admit("inferenceservice-update-new-version.json").fields().at("allowed")
                   .bool_value());

  // Not JSON, or not an AdmissionReview: 4xx, nothing appended.
  size = Size();
  EXPECT_EQ(Send("POST", "/v1/admission", kPipelineToken, "{}").status, 400);
  EXPECT_EQ(Send("POST", "/v1/admission", kPipelineToken, "x", "text/plain").status, 415);
  EXPECT_EQ(Size(), size);
}

TEST_F(GateServerTest, EveryGateEndpointRefusesMissingWrongAndLackingCredentials) {
  struct Endpoint {
    std::string method, target, body;
  };
  const std::vector<Endpoint> endpoints = {
      {"PUT", "/v1/policy", kPolicyYaml},
      {"GET", "/v1/policy", ""},
      {"POST", "/v1/approvals", absl::StrCat("{", Target(), "}")},
      {"GET", "/v1/approvals", ""},
      {"POST", "/v1/approvals/apr_x/decisions", R"({"decision": "approve"})"},
      {"POST", "/v1/gate/check", CheckBody()},
      {"POST", "/v1/admission", "{}"},
  };
  for (const Endpoint& e : endpoints) {
    for (const auto& [token, status] : std::vector<std::pair<const char*, int>>{
             {"", 401}, {kWrongToken, 401}, {kLackingToken, 403}}) {
      SCOPED_TRACE(absl::StrCat(e.method, " ", e.target, " with '", token, "'"));
      const uint64_t size = Size();
      HttpResponse r = Send(e.method, e.target, token, e.body);
      EXPECT_EQ(r.status, status) << r.body;
      if (*token != '\0') {
        EXPECT_THAT(r.body, Not(HasSubstr(token)));
      }
      // The refusal is on record, and it is all that was appended.
      EXPECT_EQ(Size(), size + 1);
    }
  }
  // A deployer may not change the policy, nor override, nor name whom it deploys for (that is
  // a trusted pipeline's: gate.act_for).
  EXPECT_EQ(Send("PUT", "/v1/policy", kPipelineToken, kPolicyYaml).status, 403);
  HttpResponse act_for = Send("POST", "/v1/gate/check", kDanaToken, CheckBody());
  EXPECT_EQ(act_for.status, 403) << act_for.body;
  EXPECT_THAT(act_for.body, HasSubstr("gate.act_for"));
  EXPECT_EQ(Send("POST", "/v1/gate/check", kDanaToken, absl::StrCat("{", Target(), "}")).status,
            200);
  EXPECT_EQ(Send("POST", "/v1/gate/check", kPipelineToken,
                 CheckBody(R"(, "override": true, "override_reason": "incident")"))
                .status,
            403);
  // Without a reason, break glass is refused; with one, allowed and recorded as an override.
  EXPECT_EQ(Send("POST", "/v1/gate/check", kBoardToken,
                 absl::StrCat("{", Target(), R"(, "override": true})"))
                .status,
            400);
  HttpResponse forced =
      Send("POST", "/v1/gate/check", kBoardToken,
           absl::StrCat("{", Target(), R"(, "override": true, "override_reason": "incident 7"})"));
  ASSERT_EQ(forced.status, 200) << forced.body;
  GateCheckResponse answer = Parse<GateCheckResponse>(forced);
  EXPECT_TRUE(answer.allowed());
  EXPECT_TRUE(answer.override());
  ExpectReceipt(answer.receipt(), answer.index());
  absl::StatusOr<ledger::AuditEvent> logged = ledger::DecodeEntry(Entries()[answer.index()]);
  ASSERT_TRUE(logged.ok());
  EXPECT_TRUE(logged->gate().override());
  EXPECT_TRUE(logged->gate().override_reason().empty()) << "the reason is sealed";
}

TEST_F(GateServerTest, BadInputIsRefusedAndChangesNothing) {
  ASSERT_EQ(Send("PUT", "/v1/policy", kBoardToken, kPolicyYaml).status, 200);
  const std::string sha = Parse<PolicyInfo>(Send("GET", "/v1/policy", kPipelineToken)).sha256();
  struct Bad {
    std::string method, target;
    const char* token;
    std::string body;
    int status;
    std::string error;
  };
  const std::vector<Bad> cases = {
      {"PUT", "/v1/policy", kBoardToken, "rules:\n  - id: x\n    allow: maybe\n", 400, "allow"},
      {"PUT", "/v1/policy", kBoardToken, "rules: [{id: a, allow: true}, {id: a, allow: true}]",
       400, "id"},
      {"PUT", "/v1/policy", kBoardToken, std::string(300 * 1024, '#'), 413, ""},
      {"POST", "/v1/gate/check", kPipelineToken, "{", 400, "body"},
      {"POST", "/v1/gate/check", kPipelineToken, R"({"action": "deploy", "colour": "red"})", 400,
       "body"},
      {"POST", "/v1/gate/check", kPipelineToken, CheckBody("", "prod uction"), 400,
       "environment"},
      {"POST", "/v1/gate/check", kPipelineToken,
       absl::StrCat(R"({"action": "register", "model": "m", "version": "1", )",
                    R"("environment": "production"})"),
       400, "want deploy or promote"},
      {"POST", "/v1/gate/check", kPipelineToken,
       CheckBody(absl::StrCat(R"(, "request_id": ")", std::string(129, 'r'), R"(")")), 400,
       "request_id"},
      {"POST", "/v1/gate/check", kPipelineToken, std::string(17 * 1024, ' '), 413, ""},
      {"POST", "/v1/approvals", kDanaToken, R"({"action": "deploy", "model": "credit-risk"})",
       400, "version"},
      {"POST", "/v1/approvals/apr_none/decisions", kFrankToken, R"({"decision": "approve"})",
       404, "no approval request"},
      {"POST", "/v1/approvals/apr_none/decisions", kFrankToken, R"({"decision": "maybe"})", 400,
       "approve or reject"},
      {"GET", "/v1/approvals?state=lost", kFrankToken, "", 400, "state"},
      {"GET", "/v1/approvals?limit=0", kFrankToken, "", 400, "limit"},
      {"DELETE", "/v1/policy", kPipelineToken, "", 405, ""},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.method, " ", c.target, " ", c.body.substr(0, 80)));
    const uint64_t size = Size();
    HttpResponse r = Send(c.method, c.target, c.token, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_THAT(r.body, HasSubstr(c.error));
    EXPECT_EQ(Size(), size);
  }
  // The malformed policies left the old one in force.
  EXPECT_EQ(Parse<PolicyInfo>(Send("GET", "/v1/policy", kPipelineToken)).sha256(), sha);
}

}  // namespace
}  // namespace api
}  // namespace vellum
