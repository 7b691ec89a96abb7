#include "api/bench/bench.h"

#include <sys/stat.h>

#include <memory>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/authorizer.h"
#include "ledger/identity/token_file.h"
#include "api/log.pb.h"
#include "api/server/log_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/stored_log.h"
#include "ledger/sequencer.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

TEST(LatencySamplesTest, NearestRankPercentiles) {
  LatencySamples samples;
  EXPECT_EQ(samples.Percentile(50), 0);
  EXPECT_EQ(samples.Max(), 0);
  for (int i = 100; i >= 1; --i) samples.Add(i / 1000.0);
  EXPECT_DOUBLE_EQ(samples.Percentile(50), 0.050);
  EXPECT_DOUBLE_EQ(samples.Percentile(99), 0.099);
  EXPECT_DOUBLE_EQ(samples.Percentile(100), 0.100);
  EXPECT_DOUBLE_EQ(samples.Percentile(0.1), 0.001);
  EXPECT_DOUBLE_EQ(samples.Max(), 0.100);
  LatencySamples more;
  more.Add(5.0);
  samples.Merge(more);
  EXPECT_EQ(samples.size(), 101u);
  EXPECT_DOUBLE_EQ(samples.Percentile(100), 5.0);
  EXPECT_DOUBLE_EQ(samples.Max(), 5.0);
}

TEST(JsonObjectTest, FormatsFieldsInOrder) {
  JsonObject json;
  json.Add("entries", uint64_t{12}).Add("seconds", 1.5).Add("note", "a \"b\"\\\n");
  EXPECT_EQ(json.ToString(),
            R"({"entries": 12, "seconds": 1.500, "note": "a \"b\"\\\n"})");
  EXPECT_EQ(JsonObject().Add("x", 0.0 / 0.0).ToString(), R"({"x": null})");
}

TEST(BenchEntryTest, SizedAndUnique) {
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 1000; ++i) {
    std::string entry = BenchEntry(42, i, 300);
    EXPECT_EQ(entry.size(), 300u);
    seen.insert(entry);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_NE(BenchEntry(1, 0, 300), BenchEntry(2, 0, 300));
  EXPECT_EQ(BenchEntry(1, 0, 5).size(), 5u);
}

TEST(BatchPayloadTest, IsAnAppendBatchRequestOfBenchEntries) {
  BatchPayload payload(7, 300, 200);  // 200-byte entries need a two-byte length varint.
  for (uint64_t first : {uint64_t{0}, uint64_t{300}, uint64_t{1} << 40}) {
    api::AppendBatchRequest request;
    ASSERT_TRUE(request.ParseFromString(payload.Renumber(first)));
    ASSERT_EQ(request.entries_size(), 300);
    for (int k = 0; k < 300; ++k) {
      ASSERT_EQ(request.entries(k), BenchEntry(7, first + k, 200)) << first << " " << k;
    }
  }
  api::AppendBatchRequest tiny;
  ASSERT_TRUE(tiny.ParseFromString(BatchPayload(7, 2, 3).Renumber(5)));
  EXPECT_EQ(tiny.entries(1), "vel");
}

TEST(AppendBenchTest, AppendsDurablyAndReports) {
  AppendBenchOptions options;
  options.data_dir = TempDir() + "/append-bench";
  options.entries = 3000;
  options.entry_bytes = 100;
  options.clients = 3;
  options.batch = 7;
  absl::StatusOr<AppendBenchResult> result = RunAppendBench(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->bench.entries, 3000u);
  EXPECT_EQ(result->bench.operations, (3000u + 6) / 7);
  EXPECT_EQ(result->bench.errors, 0u);
  EXPECT_EQ(result->tree_size, 3000u);
  EXPECT_GE(result->batches, 1u);
  EXPECT_LE(result->batches, result->bench.operations);
  EXPECT_EQ(result->bench.latency.size(), result->bench.operations);
  std::string json = AppendBenchJson(options, *result);
  EXPECT_THAT(json, StartsWith(R"({"benchmark": "append", "entries": 3000, )"));
  EXPECT_THAT(json, HasSubstr(R"("entries_per_second": )"));
  EXPECT_THAT(json, HasSubstr(R"("seconds": )"));
  EXPECT_THAT(json, HasSubstr(R"("p99_ms": )"));

  // The log is really there: reopen it.
  auto storage = ledger::OpenStoredLog(options.data_dir + "/db");
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_EQ((*storage)->ReadCheckpoint()->first, 3000u);
  storage->reset();

  absl::StatusOr<AppendBenchResult> again = RunAppendBench(options);
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("already holds a log"));

  options.data_dir = TempDir() + "/append-bench-bad";
  options.clients = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(RunAppendBench(options).status()));
}

// A log server in this process, on a free loopback port.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    key_ = *GenerateNoteKey("example.com/bench-test");
    signer_ = *NoteSigner::Create(key_.signer_key);
    auto tokens = ledger::identity::TokenSet::Parse(ledger::identity::TokenSet::Line("secret-token"));
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    auto rules = api::TokenFileRules(*std::move(tokens));
    ASSERT_TRUE(rules.ok()) << rules.status();
    api::LogServerOptions options;
    options.data_dir = absl::StrCat(TempDir(), "/server", counter++);
    ASSERT_EQ(mkdir(options.data_dir.c_str(), 0700), 0) << options.data_dir;
    options.signer = signer_.get();
    options.access = *std::move(rules);
    options.events = false;
    options.http.port = 0;
    server_ = *api::LogServer::Open(std::move(options));
    sequencer_ = &server_->sequencer();
    url_ = absl::StrCat("http://127.0.0.1:", server_->port());
  }

  void TearDown() override { server_->Shutdown(); }

  GeneratedKey key_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<api::LogServer> server_;
  ledger::Sequencer* sequencer_ = nullptr;
  std::string url_;
};

TEST_F(ServerTest, HttpAppendBenchSingleBatchAndReceipts) {
  HttpAppendBenchOptions options;
  options.url = url_;
  options.clients = 4;
  options.requests = 40;
  options.token = "secret-token";
  absl::StatusOr<BenchResult> single = RunHttpAppendBench(options);
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_EQ(single->errors, 0u) << single->first_error;
  EXPECT_EQ(single->operations, 40u);
  EXPECT_EQ(single->entries, 40u);
  EXPECT_EQ(sequencer_->Head()->size, 40u);

  options.receipt = true;
  absl::StatusOr<BenchResult> receipts = RunHttpAppendBench(options);
  ASSERT_TRUE(receipts.ok()) << receipts.status();
  EXPECT_EQ(receipts->errors, 0u) << receipts->first_error;
  EXPECT_EQ(sequencer_->Head()->size, 80u);

  options.receipt = false;
  options.batch = 25;
  options.requests = 8;
  absl::StatusOr<BenchResult> batch = RunHttpAppendBench(options);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->errors, 0u) << batch->first_error;
  EXPECT_EQ(batch->operations, 8u);
  EXPECT_EQ(batch->entries, 200u);
  EXPECT_EQ(sequencer_->Head()->size, 280u);
  std::string json = HttpAppendBenchJson(options, *batch);
  EXPECT_THAT(json, StartsWith(R"({"benchmark": "http", "requests": 8, "entries": 200, )"));
  EXPECT_THAT(json, HasSubstr(R"("entries_per_second": )"));

  options.receipt = true;
  EXPECT_TRUE(absl::IsInvalidArgument(RunHttpAppendBench(options).status()));
}

TEST_F(ServerTest, HttpAppendBenchCountsRefusedRequests) {
  HttpAppendBenchOptions options;
  options.url = url_;
  options.clients = 2;
  options.requests = 6;
  options.token = "wrong-token";
  absl::StatusOr<BenchResult> result = RunHttpAppendBench(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->operations, 0u);
  EXPECT_EQ(result->errors, 6u);
  EXPECT_THAT(result->first_error, StartsWith("HTTP 401: "));
  EXPECT_THAT(result->first_error, ::testing::Not(HasSubstr("wrong-token")));
  EXPECT_THAT(HttpAppendBenchJson(options, *result), HasSubstr(R"("errors": 6)"));
}

TEST_F(ServerTest, ProofBench) {
  ProofBenchOptions options;
  options.url = url_;
  options.clients = 3;
  options.requests = 60;
  absl::StatusOr<ProofBenchResult> empty = RunProofBench(options);
  EXPECT_TRUE(absl::IsFailedPrecondition(empty.status())) << empty.status();

  std::vector<std::string> entries;
  for (int i = 0; i < 1000; ++i) entries.push_back(absl::StrCat("entry ", i));
  ASSERT_TRUE(sequencer_->Append(entries).ok());
  absl::StatusOr<ProofBenchResult> result = RunProofBench(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->bench.errors, 0u) << result->bench.first_error;
  EXPECT_EQ(result->bench.operations, 60u);
  EXPECT_EQ(result->tree_size, 1000u);
  EXPECT_EQ(result->bench.latency.size(), 60u);
  EXPECT_THAT(ProofBenchJson(options, *result),
              StartsWith(R"({"benchmark": "proofs", "requests": 60, "clients": 3, )"
                         R"("tree_size": 1000, "requests_per_second": )"));
}

TEST(HttpBenchTest, UnreachableServerCountsErrors) {
  HttpAppendBenchOptions options;
  options.url = "http://127.0.0.1:1";
  options.clients = 2;
  options.requests = 5;
  absl::StatusOr<BenchResult> result = RunHttpAppendBench(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->operations, 0u);
  EXPECT_EQ(result->errors, 2u);  // Each client failed to connect.
  EXPECT_THAT(result->first_error, HasSubstr("cannot connect"));

  options.url = "ftp://x";
  EXPECT_TRUE(absl::IsInvalidArgument(RunHttpAppendBench(options).status()));
}

}  // namespace
}  // namespace bench
}  // namespace api
}  // namespace vellum
