// LogServer as vellumd runs it, in this process: Shutdown with appends and receipts in flight
// loses no acknowledged entry and answers every request it took, and an Open that fails part
// way leaves nothing running.

#include "api/server/log_server.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/client/http_client.h"
#include "api/events/events_api.pb.h"
#include "api/log.pb.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/shed_log.h"
#include "ledger/prover.h"
#include "gtest/gtest.h"
#include "ledger/testing/test_log.h"
#include "ledger/testing/wait_until.h"
#include "proof/note.h"
#include "proof/receipt.h"

namespace vellum {
namespace api {
namespace {

std::string NewDir(absl::string_view name) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  EXPECT_EQ(mkdir(dir.c_str(), 0700), 0) << dir;
  return dir;
}

LogServerOptions Options(const std::string& dir, const NoteSigner* signer) {
  LogServerOptions options;
  options.data_dir = dir;
  options.signer = signer;
  options.http.port = 0;
  return options;
}

TEST(LogServerTest, ShutdownWithReceiptsInFlightLosesNoAcknowledgedEntry) {
  std::unique_ptr<NoteSigner> signer = ledger::NewTestSigner("example.com/log-server-test");
  std::unique_ptr<NoteVerifier> verifier = NoteVerifier::Create(signer->VerifierKey()).value();
  const std::string dir = NewDir("shutdown");
  absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(Options(dir, signer.get()));
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = absl::StrCat("http://127.0.0.1:", (*server)->port());

  absl::Mutex mu;
  std::vector<std::pair<uint64_t, std::string>> acked;  // Index and entry.
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Create(url, {});
      ASSERT_TRUE(client.ok()) << client.status();
      for (int i = 0; !stop.load(); ++i) {
        const std::string entry = absl::StrCat("client ", c, " entry ", i);
        absl::StatusOr<HttpResponse> response = (*client)->Send(
            "POST", "/v1/entries?receipt=1", entry, {{"Accept", "application/x-protobuf"}});
        if (!response.ok() || response->status != 200) return;  // The server went away.
        AppendResponse answer;
        ASSERT_TRUE(answer.ParseFromString(response->body));
        absl::StatusOr<Receipt> receipt = ParseReceipt(answer.receipt());
        ASSERT_TRUE(receipt.ok()) << receipt.status();
        EXPECT_TRUE(VerifyReceipt(*receipt, entry, *verifier).ok());
        absl::MutexLock lock(&mu);
        acked.emplace_back(answer.index(), entry);
      }
    });
  }
  ASSERT_TRUE(ledger::WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return acked.size() >= 200;
      },
      absl::Seconds(60)));
  (*server)->Shutdown();  // While the clients keep appending.
  stop = true;
  for (std::thread& t : clients) t.join();

  // Every acknowledged entry is in the log at its index, also after a restart.
  const uint64_t size = (*server)->log().storage().ReadCheckpoint()->first;
  server->reset();
  absl::StatusOr<std::unique_ptr<LogServer>> reopened =
      LogServer::Open(Options(dir, signer.get()));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->sequencer().Head()->size, size);
  absl::MutexLock lock(&mu);
  for (const auto& [index, entry] : acked) {
    ASSERT_LT(index, size);
    absl::StatusOr<std::string> stored = ledger::Prover((*reopened)->log().storage(), {})
                                             .Entry(index, size);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(*stored, entry);
  }
}

TEST(LogServerTest, AnOpenThatFailsLeavesNothingRunning) {
  std::unique_ptr<NoteSigner> signer = ledger::NewTestSigner("example.com/log-server-test");
  absl::StatusOr<std::unique_ptr<LogServer>> first =
      LogServer::Open(Options(NewDir("first"), signer.get()));
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string dir = NewDir("second");
  LogServerOptions taken = Options(dir, signer.get());
  taken.http.port = (*first)->port();
  absl::StatusOr<std::unique_ptr<LogServer>> refused = LogServer::Open(std::move(taken));
  EXPECT_FALSE(refused.ok()) << "two servers listen on port " << (*first)->port();
  // The refused server's store and indexes were closed: the directory opens again.
  absl::StatusOr<std::unique_ptr<LogServer>> second = LogServer::Open(Options(dir, signer.get()));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->sequencer().Head()->size, 0u);

  LogServerOptions no_signer = Options(NewDir("third"), nullptr);
  absl::StatusOr<std::unique_ptr<LogServer>> unsigned_server = LogServer::Open(std::move(no_signer));
  EXPECT_EQ(unsigned_server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unsigned_server.status().message(), "LogServer needs a signer");
}

// The attacks of issue 11 on the event log through raw appends, over HTTP.
TEST(LogServerTest, ShedDeliveriesAndTheEventMetricsAreReachable) {
  std::unique_ptr<NoteSigner> signer = ledger::NewTestSigner("example.com/shed");
  LogServerOptions options = Options(NewDir("shed"), signer.get());
  options.body_limits.ingest = 16;
  absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE((*server)->shed_log(), nullptr);
  (*server)->shed_log()->RecordShed("github", ledger::ShedReason::kRateLimit);
  auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", (*server)->port()), {});
  ASSERT_TRUE(client.ok()) << client.status();
  // A delivery the HTTP server refuses at its body limit is counted too.
  auto too_large = (*client)->Send("POST", "/v1/ingest/github", std::string(100, 'x'), {});
  ASSERT_TRUE(too_large.ok()) << too_large.status();
  EXPECT_EQ(too_large->status, 413) << too_large->body;
  auto metrics = (*client)->Send("GET", "/metrics", "", {});
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  for (const char* want : {"vellum_tree_size 0\n", "vellum_denied_requests_total 0\n",
                           "vellum_logged_time_clamped_total 0\n",
                           "vellum_ingest_shed_total{reason=\"rate_limit\"} 1\n"}) {
    EXPECT_NE(metrics->body.find(want), std::string::npos) << want << " in " << metrics->body;
  }
  // Shutdown writes the window's summary while the sequencer still runs.
  (*server)->Shutdown();
  auto checkpoint = (*server)->log().storage().ReadCheckpoint();
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  ASSERT_EQ(checkpoint->first, 1u);
  auto entry = ledger::Prover((*server)->log().storage()).Entry(0, 1);
  ASSERT_TRUE(entry.ok()) << entry.status();
  auto event = ledger::DecodeEntry(*entry);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->action(), ledger::ACTION_INGEST_SHED);
  EXPECT_EQ(event->context().labels().at("vellum.shed.rate_limit"), "1");
  EXPECT_EQ(event->context().labels().at("vellum.shed.body_too_large"), "1");
}

class RawEntryAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = ledger::NewTestSigner("example.com/raw-entries");
    dir_ = NewDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    Start();
  }

  void Start() {
    auto server = LogServer::Open(Options(dir_, signer_.get()));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", server_->port()), {});
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  void Restart() {
    client_.reset();
    server_.reset();
    Start();
  }

  HttpResponse Send(absl::string_view method, absl::string_view target, absl::string_view body,
                    absl::string_view type = "application/octet-stream") {
    auto response = client_->Send(method, target, body,
                                  {{"Content-Type", std::string(type)},
                                   {"Accept", "application/x-protobuf"}});
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : HttpResponse();
  }

  EventAppended PostEvent(absl::string_view source_id) {
    HttpResponse response = Send("POST", "/v1/events", *ledger::EventToJson(Event(source_id)),
                                 "application/json");
    EventAppended appended;
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_TRUE(appended.ParseFromString(response.body));
    return appended;
  }

  static ledger::AuditEvent Event(absl::string_view source_id) {
    ledger::AuditEvent event;
    event.mutable_id()->set_source("ci");
    event.mutable_id()->set_source_id(std::string(source_id));
    *event.mutable_event_time() = ledger::ToProtoTime(absl::FromUnixSeconds(1790000000));
    event.mutable_observer()->set_adapter("native");
    event.set_action(ledger::ACTION_APPROVE);
    event.mutable_target()->set_model_name("fraud-scorer");
    event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
    return event;
  }

  // The event as the code before the tag stored it: its bare deterministic encoding.
  static std::string Untagged(const ledger::AuditEvent& event) {
    return ledger::EncodeEntry(event)->substr(ledger::kEventEntryTag.size());
  }

  EventSearchResponse Search(absl::string_view query) {
    HttpResponse response = Send("GET", absl::StrCat("/v1/events?", query), "");
    EventSearchResponse found;
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_TRUE(found.ParseFromString(response.body));
    return found;
  }

  uint64_t Size() { return server_->sequencer().Head()->size; }

  std::unique_ptr<NoteSigner> signer_;
  std::string dir_;
  std::unique_ptr<LogServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(RawEntryAttackTest, ReappendingAnEventsEntryIsRefusedOrNeverAnEvent) {
  const EventAppended original = PostEvent("approval-1");
  HttpResponse entry = Send("GET", absl::StrCat("/v1/entries/", original.index()), "");
  ASSERT_EQ(entry.status, 200) << entry.body;
  const uint64_t size = Size();

  HttpResponse refused = Send("POST", "/v1/entries", entry.body);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("starts with the event tag"), std::string::npos) << refused.body;
  AppendBatchRequest batch;
  batch.add_entries("an opaque entry");
  batch.add_entries(entry.body);
  refused = Send("POST", "/v1/entries:batch", batch.SerializeAsString(), "application/x-protobuf");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("entry 1: the entry starts with the event tag"), std::string::npos)
      << refused.body;
  EXPECT_EQ(Size(), size);

  // Without the tag the bytes are appended as they are, and are not an event.
  const std::string untagged = entry.body.substr(ledger::kEventEntryTag.size());
  ASSERT_EQ(Send("POST", "/v1/entries", untagged).status, 200);
  EXPECT_EQ(Size(), size + 1);
  const EventSearchResponse found = Search("order=oldest");
  ASSERT_EQ(found.events_size(), 1);
  EXPECT_EQ(found.events(0).index(), original.index());
}

TEST_F(RawEntryAttackTest, ARawEntryClaimingAFutureSourceIdDoesNotMakeTheRealOneADuplicate) {
  ASSERT_EQ(Send("POST", "/v1/entries", *ledger::EncodeEntry(Event("future-7"))).status, 400);
  ASSERT_EQ(Send("POST", "/v1/entries", Untagged(Event("future-7"))).status, 200);
  const EventAppended real = PostEvent("future-7");
  EXPECT_FALSE(real.duplicate());
  EXPECT_EQ(real.index(), 1u);
  EXPECT_EQ(Search("").events_size(), 1);
}

TEST_F(RawEntryAttackTest, ARawLoggedTimeOf9999DoesNotCarryOverARestart) {
  ledger::AuditEvent late = Event("late");
  *late.mutable_logged_time() = ledger::ToProtoTime(absl::FromUnixSeconds(253402300000));
  ASSERT_EQ(Send("POST", "/v1/entries", *ledger::EncodeEntry(late)).status, 400);
  ASSERT_EQ(Send("POST", "/v1/entries", Untagged(late)).status, 200);
  Restart();
  const absl::Time before = absl::Now();
  const EventAppended appended = PostEvent("after-restart");
  const EventSearchResponse found = Search("");
  ASSERT_EQ(found.events_size(), 1);
  EXPECT_EQ(found.events(0).index(), appended.index());
  const absl::Time logged = ledger::FromProtoTime(found.events(0).event().logged_time());
  EXPECT_GE(logged, before);
  EXPECT_LE(logged, absl::Now());
}

TEST_F(RawEntryAttackTest, LogInfoServesTypedFrom) {
  HttpResponse response = Send("GET", "/v1/log", "");
  ASSERT_EQ(response.status, 200) << response.body;
  LogInfo info;
  ASSERT_TRUE(info.ParseFromString(response.body));
  EXPECT_EQ(info.typed_from(), 0u);
}

}  // namespace
}  // namespace api
}  // namespace vellum
