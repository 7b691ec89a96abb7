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
#include "api/log.pb.h"
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

}  // namespace
}  // namespace api
}  // namespace vellum
