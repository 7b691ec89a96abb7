// The gate in a real vellumd. "A decision is durable before it is answered, and a retry gets it
// back": vellumd (its
// policy from the configuration's policy_file) is killed with SIGKILL at random moments while
// pipelines ask the gate, each check with its own request_id, then restarted. After every
// restart each check is retried with the same request_id: one answered before the kill is
// answered again with the same decision at the same index (duplicate), one whose decision was
// committed but whose answer the kill cut is answered from the log (duplicate), and one never
// committed is decided now. The log holds at most one decision per request_id, and the policy
// and approvals it decided with survive the restarts. And the policy file: a reload puts a
// changed one in force and refuses a malformed one, keeping the old; a start refuses a malformed
// one.

#include <sys/stat.h>

#include <csignal>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/client/http_client.h"
#include "api/events/events_api.pb.h"
#include "api/gate/gate_api.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/identity/token_file.h"
#include "ledger/testing/wait_until.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using subprocess::ChildProcess;
using subprocess::TempDir;
using subprocess::WriteFile;

constexpr char kPipelineToken[] = "crash-pipeline-token-6a0e3c91f7d2b485";
constexpr char kFrankToken[] = "crash-frank-token-2d9b7e05c4a1f368";
constexpr char kGraceToken[] = "crash-grace-token-f18c4a6e2b0d9537";
constexpr char kAuditorToken[] = "crash-auditor-token-9c3e5a17d0b2f846";
constexpr int kRounds = 6;
constexpr int kChecksPerRound = 24;

constexpr char kCheck[] =
    R"({"action": "deploy", "model": "credit-risk", "version": "4", "digest": "sha256:ab12", )"
    R"("environment": "production", "on_behalf_of": "dana", "request_id": ")";

class GateProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = absl::StrCat(TempDir(), "/",
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(mkdir(folder_.c_str(), 0700), 0);
    WriteFile(folder_ + "/tokens",
              absl::StrCat(ledger::identity::TokenSet::Line(kPipelineToken, "ci-deployer"), "\n",
                           ledger::identity::TokenSet::Line(kFrankToken, "frank", "ml-governance"),
                           "\n",
                           ledger::identity::TokenSet::Line(kGraceToken, "grace", "ml-governance"),
                           "\n", ledger::identity::TokenSet::Line(kAuditorToken, "auditor"),
                           "\n"));
    WriteFile(folder_ + "/policy.yaml",
              "rules:\n"
              "  - id: production-needs-governance\n"
              "    match: {actions: [deploy], environments: [production]}\n"
              "    require: {approvals: 2, approver_groups: [ml-governance], same_digest: true}\n");
    WriteFile(folder_ + "/vellumd.yaml",
              "listen: 127.0.0.1:0\ndata_dir: data\nauth: {token_file: tokens}\n"
              "policy_file: policy.yaml\n"
              "bindings:\n  - {principal: ci-deployer, roles: [pipeline]}\n"
              "  - {group: ml-governance, roles: [governance, deployer]}\n"
              "  - {principal: auditor, roles: [auditor]}\n");
  }

  void Start() {
    server_ = ChildProcess::Spawn("tools/vellumd", {"--config", folder_ + "/vellumd.yaml"},
                                  absl::StrCat("gate-crash-", ++runs_));
    ASSERT_NE(server_, nullptr);
    const uint16_t port = server_->WaitUntilServing(absl::Seconds(60));
    ASSERT_NE(port, 0) << server_->err();
    port_ = port;
    auto client = NewClient();
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  absl::StatusOr<std::unique_ptr<api::HttpClient>> NewClient() {
    api::HttpClient::Options options;
    options.timeout = absl::Seconds(30);
    return api::HttpClient::Create(absl::StrCat("http://127.0.0.1:", port_), options);
  }

  static absl::StatusOr<api::HttpResponse> Post(api::HttpClient& client, const std::string& target,
                                                const char* token, const std::string& body) {
    return client.Send("POST", target, body,
                       {{"Authorization", absl::StrCat("Bearer ", token)},
                        {"Content-Type", "application/json"}});
  }

  // The decision for `request_id`, asked of the running server; fails the test unless 200.
  api::GateCheckResponse Check(api::HttpClient& client, const std::string& request_id) {
    api::GateCheckResponse answer;
    auto r = Post(client, "/v1/gate/check", kPipelineToken,
                  absl::StrCat(kCheck, request_id, R"("})"));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return answer;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &answer).ok()) << r->body;
    return answer;
  }

  // An approval request for credit-risk 4 of digest sha256:ab12 in production, approved by the
  // two governance members.
  void ApproveTheDigest() {
    auto asked = Post(*client_, "/v1/approvals", kFrankToken,
                      R"({"action": "deploy", "model": "credit-risk", "version": "4", )"
                      R"("digest": "sha256:ab12", "environment": "production"})");
    ASSERT_TRUE(asked.ok());
    ASSERT_EQ(asked->status, 200) << asked->body;
    api::ApprovalInfo request;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(asked->body, &request).ok());
    for (const char* token : {kFrankToken, kGraceToken}) {
      auto decided = Post(*client_, absl::StrCat("/v1/approvals/", request.id(), "/decisions"),
                          token, R"({"decision": "approve"})");
      ASSERT_TRUE(decided.ok());
      ASSERT_EQ(decided->status, 200) << decided->body;
    }
  }

  // request_id to the indices of its decisions on the log.
  std::map<std::string, std::vector<uint64_t>> DecisionsOnLog() {
    std::map<std::string, std::vector<uint64_t>> out;
    std::string token;
    do {
      std::string target = "/v1/events?action=gate.decision&order=oldest&limit=1000";
      if (!token.empty()) absl::StrAppend(&target, "&page_token=", token);
      auto r = client_->Send("GET", target, "",
                             {{"Authorization", absl::StrCat("Bearer ", kAuditorToken)}});
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) return out;
      EXPECT_EQ(r->status, 200) << r->body;
      api::EventSearchResponse page;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &page).ok());
      for (const auto& m : page.events()) out[m.event().gate().request_id()].push_back(m.index());
      token = page.next_page_token();
    } while (!token.empty());
    return out;
  }

  std::string folder_;
  int runs_ = 0;
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(GateProcessTest, ADecisionIsDurableBeforeItsAnswerAndARetryGetsItBackAcrossKill9) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // Two governance approvals of the exact digest, so that the checks are allowed.
  ASSERT_NO_FATAL_FAILURE(ApproveTheDigest());

  std::mt19937 rng(20261204);
  // Every check's first answer, if it had one before the kill.
  std::map<std::string, api::GateCheckResponse> answered;
  int lost_but_logged = 0;
  int never_logged = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    if (round > 0) {
      ASSERT_NO_FATAL_FAILURE(Start());
    }
    std::mutex mu;
    std::map<std::string, api::GateCheckResponse> round_answers;
    std::vector<std::thread> pipelines;
    for (int p = 0; p < 4; ++p) {
      pipelines.emplace_back([&, p] {
        auto client = NewClient();
        if (!client.ok()) return;
        for (int i = p; i < kChecksPerRound; i += 4) {
          const std::string id = absl::StrCat("r", round, "-", i);
          auto r = Post(**client, "/v1/gate/check", kPipelineToken,
                        absl::StrCat(kCheck, id, R"("})"));
          // The answer is lost with the server, or arrives first: either is fine.
          if (!r.ok() || r->status != 200) return;
          api::GateCheckResponse answer;
          if (!google::protobuf::util::JsonStringToMessage(r->body, &answer).ok()) return;
          std::lock_guard<std::mutex> lock(mu);
          round_answers[id] = answer;
        }
      });
    }
    absl::SleepFor(absl::Microseconds(std::uniform_int_distribution<int>(0, 60000)(rng)));
    ASSERT_TRUE(server_->Kill() || server_->status() == 0) << server_->err();
    for (std::thread& t : pipelines) t.join();
    for (auto& [id, answer] : round_answers) {
      EXPECT_TRUE(answer.allowed());
      answered[id] = answer;
    }

    ASSERT_NO_FATAL_FAILURE(Start());
    const std::map<std::string, std::vector<uint64_t>> before = DecisionsOnLog();
    for (int i = 0; i < kChecksPerRound; ++i) {
      const std::string id = absl::StrCat("r", round, "-", i);
      SCOPED_TRACE(id);
      auto logged = before.find(id);
      const api::GateCheckResponse retry = Check(*client_, id);
      EXPECT_TRUE(retry.allowed());
      if (auto first = answered.find(id); first != answered.end()) {
        // Answered before the kill: so it was durable, and the retry gets it back.
        ASSERT_NE(logged, before.end()) << "answered, yet not on the log after the restart";
        EXPECT_TRUE(retry.duplicate());
        EXPECT_EQ(retry.index(), first->second.index());
        EXPECT_EQ(retry.evaluated_time(), first->second.evaluated_time());
      } else if (logged != before.end()) {
        EXPECT_TRUE(retry.duplicate());
        EXPECT_EQ(retry.index(), logged->second.front());
        ++lost_but_logged;
      } else {
        EXPECT_FALSE(retry.duplicate());
        ++never_logged;
      }
    }
    // One decision per request_id, however often it was asked.
    for (const auto& [id, indices] : DecisionsOnLog()) {
      EXPECT_EQ(indices.size(), 1u) << id;
    }
    server_->Stop(SIGTERM, absl::Seconds(30));
  }
  std::cout << "gate_process_test: " << answered.size() << " checks answered before a kill, "
            << lost_but_logged << " logged with their answer lost, " << never_logged
            << " never logged\n";
}

TEST_F(GateProcessTest, VellumGateCheckExitsByTheDecisionAndPolicyReplayAgrees) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string server = absl::StrCat("http://127.0.0.1:", port_);
  WriteFile(folder_ + "/pipeline-token", std::string(kPipelineToken) + "\n");
  WriteFile(folder_ + "/auditor-token", std::string(kAuditorToken) + "\n");
  const std::vector<std::string> check = {
      "gate", "check", "--server", server, "--token-file", folder_ + "/pipeline-token",
      "--model", "credit-risk", "--version", "4", "--digest", "sha256:ab12",
      "--environment", "production", "--on-behalf-of", "dana", "--label", "team=risk"};
  subprocess::RunResult denied = subprocess::Run("tools/vellum", check);
  EXPECT_EQ(denied.status, 1) << denied.err;
  EXPECT_THAT(denied.err, ::testing::HasSubstr("needs 2 approvals of deploy credit-risk 4"));
  api::GateCheckResponse answer;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(denied.out, &answer).ok()) << denied.out;
  EXPECT_FALSE(answer.allowed());
  EXPECT_FALSE(answer.receipt().empty());

  ASSERT_NO_FATAL_FAILURE(ApproveTheDigest());
  subprocess::RunResult allowed = subprocess::Run("tools/vellum", check);
  EXPECT_EQ(allowed.status, 0) << allowed.err;
  EXPECT_THAT(allowed.err, ::testing::HasSubstr("allowed by rule production-needs-governance"));

  // Every decision on the log replays, its proofs checked against the log's key.
  subprocess::RunResult replayed = subprocess::Run(
      "tools/vellum", {"policy", "replay", "--server", server, "--token-file",
                       folder_ + "/auditor-token", "--verifier-key", folder_ + "/data/log.pub"});
  EXPECT_EQ(replayed.status, 0) << replayed.out << replayed.err;
  EXPECT_THAT(replayed.err, ::testing::HasSubstr("2 decisions replayed, 0 overrides, 0 mismatches"));
  // A key of the log's name that did not sign it: the proofs do not verify (exit 1).
  ASSERT_EQ(subprocess::Run("tools/vellum", {"keygen", "--origin", "localhost/vellum", "--out",
                                             folder_ + "/other"})
                .status,
            0);
  subprocess::RunResult wrong_key = subprocess::Run(
      "tools/vellum", {"policy", "replay", "--server", server, "--token-file",
                       folder_ + "/auditor-token", "--verifier-key", folder_ + "/other.pub"});
  EXPECT_EQ(wrong_key.status, 1) << wrong_key.err;
  // The benchmark's load generator: every check answered with a durable decision.
  subprocess::RunResult bench = subprocess::Run(
      "tools/vellum", {"bench", "gate", "--server", server, "--token-file",
                       folder_ + "/pipeline-token", "--clients", "2", "--requests", "40"});
  EXPECT_EQ(bench.status, 0) << bench.out << bench.err;
  EXPECT_THAT(bench.out, ::testing::HasSubstr("{\"benchmark\": \"gate\", \"decisions\": 40, "
                                              "\"allowed\": 0, \"clients\": 2"));
  // No credential for the search, or no server: errors, never a pass.
  subprocess::RunResult anonymous = subprocess::Run(
      "tools/vellum", {"policy", "replay", "--server", server, "--verifier-key",
                       folder_ + "/data/log.pub"});
  EXPECT_EQ(anonymous.status, 2) << anonymous.err;
  EXPECT_TRUE(server_->Stop(SIGTERM, absl::Seconds(30)));
  subprocess::RunResult down = subprocess::Run("tools/vellum", check);
  EXPECT_EQ(down.status, 2) << down.err;
}

TEST_F(GateProcessTest, AReloadPutsAChangedPolicyInForceAndRefusesAMalformedOne) {
  ASSERT_NO_FATAL_FAILURE(Start());
  auto policy = [&]() {
    auto r = client_->Send("GET", "/v1/policy", "",
                           {{"Authorization", absl::StrCat("Bearer ", kPipelineToken)}});
    EXPECT_TRUE(r.ok()) << r.status();
    api::PolicyInfo info;
    if (!r.ok()) return info;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &info).ok()) << r->body;
    return info;
  };
  auto reload = [&](absl::string_view want) {
    const size_t printed = server_->out().size();
    EXPECT_TRUE(server_->Signal(SIGHUP));
    EXPECT_TRUE(ledger::WaitUntil(
        [&] { return absl::StrContains(server_->out().substr(printed), want); },
        absl::Seconds(30)))
        << server_->out();
  };
  const api::PolicyInfo first = policy();
  EXPECT_EQ(first.rules(), 1u);

  WriteFile(folder_ + "/policy.yaml", "rules:\n  - id: frozen\n    allow: sometimes\n");
  reload("vellumd: reload refused, the configuration ");
  EXPECT_THAT(server_->out(), ::testing::HasSubstr("rules[0].allow (line 3)"));
  EXPECT_EQ(policy().sha256(), first.sha256());

  WriteFile(folder_ + "/policy.yaml",
            "rules:\n  - {id: freeze, match: {environments: [production]}, allow: false}\n"
            "  - {id: staging-open, match: {environments: [staging]}, allow: true}\n");
  reload("vellumd: reloaded: configuration ");
  const api::PolicyInfo second = policy();
  EXPECT_EQ(second.rules(), 2u);
  EXPECT_GT(second.index(), first.index());
  // The same file again appends nothing.
  reload("vellumd: reloaded: configuration ");
  EXPECT_EQ(policy().index(), second.index());
  EXPECT_TRUE(server_->Stop(SIGTERM, absl::Seconds(30)));

  WriteFile(folder_ + "/policy.yaml", "rules: {id: x}\n");
  subprocess::RunResult refused =
      subprocess::Run("tools/vellumd", {"--config", folder_ + "/vellumd.yaml"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("rules (line 1)"));
}

}  // namespace
}  // namespace vellum
