// "Data is never gone without its event": a real vellumd is killed with SIGKILL at random
// moments while it erases a subject, or while its retention job purges, then restarted. After every restart an erasure is either done and
// recorded (requested and completed, the subject's values no longer open, nothing of theirs in
// any file of the data directory) or was never requested (the values still open); a request on
// record without its completion is finished by the restart.

#include <sys/stat.h>

#include <csignal>
#include <cstdint>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/client/http_client.h"
#include "api/events/events_api.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/identity/token_file.h"
#include "ledger/testing/file_bytes.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using subprocess::ChildProcess;
using subprocess::TempDir;
using subprocess::WriteFile;

constexpr char kWriterToken[] = "crash-writer-token-3f9a0c71d2b8e645";
constexpr char kOfficerToken[] = "crash-officer-token-8b1d4e62a07c93f5";
constexpr int kRounds = 8;

class ErasureCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = absl::StrCat(TempDir(), "/",
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(mkdir(folder_.c_str(), 0700), 0);
    WriteFile(folder_ + "/tokens",
              absl::StrCat(ledger::identity::TokenSet::Line(kWriterToken, "writer"), "\n",
                           ledger::identity::TokenSet::Line(kOfficerToken, "officer"), "\n"));
    WriteFile(folder_ + "/vellumd.yaml",
              "listen: 127.0.0.1:0\ndata_dir: data\nauth: {token_file: tokens}\n"
              "bindings:\n  - {principal: writer, roles: [appender]}\n"
              "  - {principal: officer, roles: [governance]}\n");
  }

  // `vellum holds verify` against the running server, as the officer: every gone value is
  // accounted for by a record under which no hold covered it.
  void ExpectHoldsVerify() {
    WriteFile(folder_ + "/officer-token", std::string(kOfficerToken) + "\n");
    subprocess::RunResult verified = subprocess::Run(
        "tools/vellum", {"holds", "verify", "--server", absl::StrCat("http://127.0.0.1:", port_),
                         "--token-file", folder_ + "/officer-token"});
    EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
    EXPECT_THAT(verified.err, ::testing::HasSubstr(" 0 violations"));
  }

  void Start() {
    server_ = ChildProcess::Spawn("tools/vellumd", {"--config", folder_ + "/vellumd.yaml"},
                                  absl::StrCat("erasure-crash-", ++runs_));
    ASSERT_NE(server_, nullptr);
    const uint16_t port = server_->WaitUntilServing(absl::Seconds(60));
    ASSERT_NE(port, 0) << server_->err();
    port_ = port;
    api::HttpClient::Options options;
    options.timeout = absl::Seconds(30);
    auto client = api::HttpClient::Create(absl::StrCat("http://127.0.0.1:", port), options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  absl::StatusOr<api::HttpResponse> Send(api::HttpClient& client, const std::string& method,
                                         const std::string& target, const char* token,
                                         const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", absl::StrCat("Bearer ", token)}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return client.Send(method, target, body, headers);
  }

  api::EventSearchResponse Search(const std::string& query) {
    auto r = Send(*client_, "GET", absl::StrCat("/v1/events?", query), kOfficerToken);
    EXPECT_TRUE(r.ok()) << r.status();
    api::EventSearchResponse page;
    if (!r.ok()) return page;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &page).ok()) << r->body;
    return page;
  }

  std::string folder_;
  int runs_ = 0;
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(ErasureCrashTest, AnErasureIsDoneAndRecordedOrNotRequestedAcrossKill9) {
  std::mt19937 rng(20261203);
  int completed_rounds = 0;
  int untouched_rounds = 0;
  int redone_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    ASSERT_NO_FATAL_FAILURE(Start());
    const std::string subject = absl::StrCat("subject-", round, "@example.com");
    for (int i = 0; i < 3; ++i) {
      auto r = Send(*client_, "POST", "/v1/events", kWriterToken,
                    absl::StrCat(R"({"id":{"source":"registry","sourceId":")", round, "-", i,
                                 R"("},"eventTime":"2026-05-01T12:00:00Z",)",
                                 R"("observer":{"adapter":"native"},"action":"ACTION_APPROVE",)",
                                 R"("target":{"modelName":"fraud"},)",
                                 R"("outcome":{"result":"RESULT_SUCCESS"},"actor":{"subject":")",
                                 subject, R"("}})"));
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->status, 200) << r->body;
    }
    api::EventSearchResponse mine = Search(absl::StrCat("actor=", subject));
    ASSERT_EQ(mine.events_size(), 3);
    const std::string pseudonym = mine.events(0).event().actor().pseudonym();
    ASSERT_FALSE(pseudonym.empty());

    // The erasure, with a kill at a random moment of it (or before it starts).
    std::thread erase([&] {
      auto client = api::HttpClient::Create(
          absl::StrCat("http://127.0.0.1:", port_), api::HttpClient::Options());
      if (!client.ok()) return;
      // The answer is lost with the server, or arrives first: either is fine.
      (void)Send(**client, "POST", "/v1/erasure", kOfficerToken,
                 absl::StrCat(R"({"subject": ")", subject, R"("})"));
    });
    absl::SleepFor(absl::Microseconds(std::uniform_int_distribution<int>(0, 40000)(rng)));
    ASSERT_TRUE(server_->Kill() || server_->status() == 0) << server_->err();
    erase.join();

    ASSERT_NO_FATAL_FAILURE(Start());
    // Every request on record has its completion: the restart finished what the kill cut.
    api::EventSearchResponse requested = Search("action=ACTION_ERASURE_REQUESTED");
    api::EventSearchResponse completed = Search("action=ACTION_ERASURE_COMPLETED");
    std::set<std::string> done;
    for (const auto& m : completed.events()) done.insert(m.event().erasure().request_id());
    bool requested_this_round = false;
    for (const auto& m : requested.events()) {
      EXPECT_EQ(done.count(m.event().erasure().request_id()), 1u)
          << "request " << m.event().erasure().request_id() << " was not completed";
      for (const std::string& p : m.event().erasure().pseudonyms()) {
        if (p == pseudonym) requested_this_round = true;
      }
    }
    mine = Search(absl::StrCat("actor=", pseudonym));
    ASSERT_EQ(mine.events_size(), 3);
    size_t subjects_open = 0;
    for (const auto& m : mine.events()) {
      if (m.unsealed().actor().subject() == subject) ++subjects_open;
    }
    if (requested_this_round) {
      EXPECT_EQ(subjects_open, 0u) << "erased, yet the subject still opens";
      ++completed_rounds;
      // Finished by this start (after its config.applied) rather than before the kill?
      api::EventSearchResponse started = Search("action=ACTION_CONFIG_APPLIED&limit=1");
      ASSERT_EQ(started.events_size(), 1);
      for (const auto& m : completed.events()) {
        for (const std::string& p : m.event().erasure().pseudonyms()) {
          if (p == pseudonym && m.index() > started.events(0).index()) ++redone_rounds;
        }
      }
    } else {
      EXPECT_EQ(subjects_open, 3u) << "the subject's values went without an erasure on record";
      ++untouched_rounds;
    }
    ExpectHoldsVerify();
    server_->Stop(SIGTERM, absl::Seconds(30));
    if (requested_this_round) {
      EXPECT_THAT(ledger::AllFileBytes(folder_ + "/data"), ::testing::Not(::testing::HasSubstr(
                                                                subject)));
    }
  }
  // Which outcomes the kills produced.
  std::cout << "erasure_crash_test: " << completed_rounds << " rounds erased (" << redone_rounds
            << " of them finished by the restart), " << untouched_rounds
            << " not requested before the kill\n";
}

// The same for retention: a job that purges every approval's sealed values each second, killed
// at random moments. After each restart (with the job off, so that nothing moves while the
// state is checked) an approval's values are gone exactly when a retention.purged record's
// range covers it.
TEST_F(ErasureCrashTest, APurgeIsRecordedBeforeItsValuesGoAcrossKill9) {
  const std::string rules =
      "privacy:\n  retention: [{name: approvals, actions: [ACTION_APPROVE], keep_days: 0}]\n";
  const std::string base = "listen: 127.0.0.1:0\ndata_dir: data\nauth: {token_file: tokens}\n"
                           "bindings:\n  - {principal: writer, roles: [appender]}\n"
                           "  - {principal: officer, roles: [governance]}\n";
  std::mt19937 rng(20261204);
  int event = 0;
  size_t purged_seen = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    WriteFile(folder_ + "/vellumd.yaml",
              base + rules + "  retention_interval_seconds: 1\n");
    ASSERT_NO_FATAL_FAILURE(Start());
    for (int i = 0; i < 3; ++i, ++event) {
      auto r = Send(*client_, "POST", "/v1/events", kWriterToken,
                    absl::StrCat(R"({"id":{"source":"registry","sourceId":"p-)", event,
                                 R"("},"eventTime":"2026-05-01T12:00:00Z",)",
                                 R"("observer":{"adapter":"native"},"action":"ACTION_APPROVE",)",
                                 R"("target":{"modelName":"fraud"},)",
                                 R"("outcome":{"result":"RESULT_SUCCESS"},"actor":{"subject":")",
                                 "approver-", event, R"(@example.com"}})"));
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->status, 200) << r->body;
    }
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(0, 2500)(rng)));
    ASSERT_TRUE(server_->Kill()) << server_->err();

    WriteFile(folder_ + "/vellumd.yaml", base + rules + "  retention_interval_seconds: 0\n");
    ASSERT_NO_FATAL_FAILURE(Start());
    api::EventSearchResponse purges = Search("action=ACTION_RETENTION_PURGED&limit=1000");
    purged_seen = purges.events_size();
    auto covered = [&](uint64_t index) {
      for (const auto& m : purges.events()) {
        if (m.event().erasure().first_index() <= index && index < m.event().erasure().end_index())
          return true;
      }
      return false;
    };
    api::EventSearchResponse approvals = Search("action=ACTION_APPROVE&limit=1000");
    ASSERT_EQ(approvals.events_size(), event);
    for (const auto& m : approvals.events()) {
      const bool open = !m.unsealed().actor().subject().empty();
      EXPECT_NE(open, covered(m.index()))
          << "approval at " << m.index() << (open ? " opens inside" : " is gone outside")
          << " a purge's range";
    }
    ExpectHoldsVerify();
    server_->Stop(SIGTERM, absl::Seconds(30));
  }
  std::cout << "erasure_crash_test: " << purged_seen << " retention.purged records over "
            << kRounds << " kills\n";
}

}  // namespace
}  // namespace vellum
