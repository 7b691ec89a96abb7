#include "api/witness_collector.h"

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "api/http_server.h"
#include "api/witness_service.h"
#include "ledger/memory_storage.h"
#include "ledger/testing/test_log.h"
#include "ledger/testing/wait_until.h"
#include "ledger/witness/memory_witness_store.h"
#include "ledger/witness/witness.h"
#include "proof/checkpoint.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kOrigin = "example.com/collected";

// A witness served over HTTP on loopback, with its state in a fresh directory.
class TestWitness {
 public:
  TestWitness(absl::string_view name, const std::string& log_vkey) {
    GeneratedKey key = GenerateNoteKey(name, kNoteSignatureTypeCosignatureV1).value();
    verifier_key_ = key.verifier_key;
    dir_ = absl::StrCat(::testing::TempDir(), "/collector-", name, "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
    std::vector<ledger::Witness::Log> logs(1);
    logs[0].origin = std::string(kOrigin);
    logs[0].keys.push_back(NoteVerifier::Create(log_vkey).value());
    service_ = std::make_unique<WitnessService>(
        ledger::Witness::Create(&store_, NoteSigner::Create(key.signer_key).value(),
                                std::move(logs), [] { return uint64_t{1700000000}; })
            .value());
    HttpServer::Options options;
    options.port = 0;
    WitnessService* service = service_.get();
    server_ = HttpServer::Start(options, [service](HttpRequest request,
                                                   HttpServer::Respond respond) {
                respond(service->Handle(request));
              }).value();
  }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", server_->port()); }
  std::unique_ptr<NoteVerifier> key() const {
    return NoteVerifier::Create(verifier_key_).value();
  }
  ledger::WitnessStore* store() { return &store_; }
  void Stop() { server_->Shutdown(absl::Seconds(1)); }

 private:
  std::string verifier_key_;
  std::string dir_;
  ledger::MemoryWitnessStore store_;
  std::unique_ptr<WitnessService> service_;
  std::unique_ptr<HttpServer> server_;
};

class WitnessCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_ = ledger::NewTestSigner(kOrigin);
    log_key_ = NoteVerifier::Create(signer_->VerifierKey()).value();
    sequencer_ = ledger::Sequencer::Create(&storage_, signer_.get(), {}).value();
    for (const char* name : {"w1.example", "w2.example", "w3.example"}) {
      witnesses_.push_back(std::make_unique<TestWitness>(name, signer_->VerifierKey()));
    }
  }

  std::unique_ptr<WitnessCollector> StartCollector(size_t quorum,
                                                   const std::string& dead_url = "") {
    std::vector<WitnessCollector::Witness> config;
    for (const auto& w : witnesses_) {
      config.push_back({dead_url.empty() || &w != &witnesses_[0] ? w->url() : dead_url, w->key()});
    }
    WitnessCollector::Options options;
    options.quorum = quorum;
    options.interval = absl::Milliseconds(20);
    options.timeout = absl::Seconds(2);
    return WitnessCollector::Start(sequencer_.get(), &storage_, std::move(config), options)
        .value();
  }

  void Append(int n) {
    std::vector<std::string> entries;
    for (int i = 0; i < n; ++i) entries.push_back(absl::StrCat("entry ", appended_++));
    ASSERT_TRUE(sequencer_->Append(std::move(entries)).ok());
  }

  // Waits until the collector publishes the current head; returns its note.
  std::shared_ptr<const ledger::LogHead> AwaitPublished(WitnessCollector& collector) {
    uint64_t size = sequencer_->Head()->size;
    std::shared_ptr<const ledger::LogHead> published;
    if (ledger::WaitUntil(
            [&] {
              published = collector.Published();
              return published != nullptr && published->size >= size;
            },
            absl::Seconds(20))) {
      return published;
    }
    ADD_FAILURE() << "nothing published for size " << size;
    return nullptr;
  }

  // The number of valid witness cosignatures on `note`, which must carry the log's signature.
  size_t Cosignatures(const std::string& note) {
    std::vector<std::unique_ptr<NoteVerifier>> keys;
    std::vector<const NoteVerifier*> verifiers = {log_key_.get()};
    for (const auto& w : witnesses_) {
      keys.push_back(w->key());
      verifiers.push_back(keys.back().get());
    }
    absl::StatusOr<Note> opened = OpenNote(note, verifiers);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return 0;
    EXPECT_EQ(opened->verified[0].name, kOrigin);  // The log's own signature comes first.
    EXPECT_TRUE(OpenCheckpoint(note, *log_key_).ok());
    return opened->verified.size() - 1;
  }

  ledger::MemoryStorage storage_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> log_key_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::vector<std::unique_ptr<TestWitness>> witnesses_;
  int appended_ = 0;
};

TEST_F(WitnessCollectorTest, PublishesCheckpointsCosignedByAllWitnesses) {
  auto collector = StartCollector(3);
  auto published = AwaitPublished(*collector);  // The empty tree first.
  ASSERT_NE(published, nullptr);
  for (int round = 0; round < 3; ++round) {
    Append(5 + round * 40);
    published = AwaitPublished(*collector);
    ASSERT_NE(published, nullptr);
    EXPECT_EQ(published->size, sequencer_->Head()->size);
    EXPECT_EQ(Cosignatures(published->checkpoint), 3u);
  }
  for (const WitnessStatus& s : collector->Status()) {
    EXPECT_TRUE(s.healthy) << s.name << ": " << s.last_error;
    EXPECT_EQ(s.cosigned_size, sequencer_->Head()->size);
  }
  std::string metrics;
  collector->RenderMetrics(&metrics);
  EXPECT_THAT(metrics, HasSubstr(absl::StrCat("vellum_witnessed_tree_size ", published->size)));
  EXPECT_THAT(metrics, HasSubstr("vellum_witness_healthy{witness=\"w2.example\"} 1"));
}

TEST_F(WitnessCollectorTest, AQuorumIsEnoughWhenAWitnessIsDown) {
  witnesses_[0]->Stop();
  auto collector = StartCollector(2);
  Append(10);
  auto published = AwaitPublished(*collector);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(Cosignatures(published->checkpoint), 2u);
  std::vector<WitnessStatus> status = collector->Status();
  EXPECT_FALSE(status[0].healthy);
  EXPECT_FALSE(status[0].last_error.empty());
  EXPECT_GT(status[0].failures, 0u);
  EXPECT_TRUE(status[1].healthy);
}

TEST_F(WitnessCollectorTest, NothingIsPublishedWithoutQuorumAndWaitersTimeOut) {
  witnesses_[0]->Stop();
  witnesses_[1]->Stop();
  auto collector = StartCollector(2);
  Append(3);
  absl::Notification done;
  absl::Status result;
  collector->WhenCovered(3, absl::Now() + absl::Milliseconds(300),
                         [&](absl::StatusOr<std::shared_ptr<const ledger::LogHead>> r) {
                           result = r.status();
                           done.Notify();
                         });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(absl::IsDeadlineExceeded(result)) << result;
  EXPECT_EQ(collector->Published(), nullptr);
}

TEST_F(WitnessCollectorTest, WaitersGetTheFirstCheckpointThatCoversThem) {
  auto collector = StartCollector(3);
  Append(7);
  absl::Notification done;
  absl::StatusOr<std::shared_ptr<const ledger::LogHead>> result =
      absl::UnknownError("not called");
  collector->WhenCovered(7, absl::Now() + absl::Seconds(20),
                         [&](absl::StatusOr<std::shared_ptr<const ledger::LogHead>> r) {
                           result = std::move(r);
                           done.Notify();
                         });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GE((*result)->size, 7u);
  EXPECT_EQ(Cosignatures((*result)->checkpoint), 3u);
}

TEST_F(WitnessCollectorTest, ARestartedLogResumesFromTheWitnessesSizes) {
  {
    auto collector = StartCollector(3);
    Append(20);
    ASSERT_NE(AwaitPublished(*collector), nullptr);
  }
  // A new collector starts from "old 0"; each witness answers 409 with its size, and the
  // collector retries with a proof from there.
  auto collector = StartCollector(3);
  Append(30);
  auto published = AwaitPublished(*collector);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(Cosignatures(published->checkpoint), 3u);
}

TEST_F(WitnessCollectorTest, AWitnessThatSawAnotherTreeIsReported) {
  // Witness 0 already cosigned a different tree of this origin at size 50: a fork elsewhere,
  // signed with the same key.
  ledger::MemoryStorage fork_storage;
  auto fork = ledger::Sequencer::Create(&fork_storage, signer_.get(), {}).value();
  std::vector<std::string> entries;
  for (int i = 0; i < 50; ++i) entries.push_back(absl::StrCat("fork ", i));
  ASSERT_TRUE(fork->Append(std::move(entries)).ok());
  std::string fork_note = fork->Head()->checkpoint;
  ASSERT_TRUE(witnesses_[0]
                  ->store()
                  ->Update(kOrigin, [&](const absl::optional<std::string>&) { return fork_note; })
                  .ok());
  auto collector = StartCollector(2);
  Append(10);
  auto published = AwaitPublished(*collector);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(Cosignatures(published->checkpoint), 2u);
  WitnessStatus status = collector->Status()[0];
  EXPECT_FALSE(status.healthy);
  EXPECT_EQ(status.cosigned_size, 50u);
  EXPECT_THAT(status.last_error, HasSubstr("larger than the log's"));
}

TEST(WitnessCollectorConfigTest, MetricsEscapeWitnessNames) {
  ledger::MemoryStorage storage;
  auto signer = ledger::NewTestSigner(kOrigin);
  auto sequencer = ledger::Sequencer::Create(&storage, signer.get(), {}).value();
  GeneratedKey key =
      GenerateNoteKey("quote\"back\\slash", kNoteSignatureTypeCosignatureV1).value();
  std::vector<WitnessCollector::Witness> witnesses;
  witnesses.push_back({"http://127.0.0.1:1", NoteVerifier::Create(key.verifier_key).value()});
  WitnessCollector::Options options;
  options.timeout = absl::Milliseconds(100);
  auto collector =
      WitnessCollector::Start(sequencer.get(), &storage, std::move(witnesses), options).value();
  std::string metrics;
  collector->RenderMetrics(&metrics);
  EXPECT_THAT(metrics,
              HasSubstr("vellum_witness_healthy{witness=\"quote\\\"back\\\\slash\"} 0"));
}

TEST(WitnessCollectorConfigTest, RejectsBadPolicies) {
  ledger::MemoryStorage storage;
  auto signer = ledger::NewTestSigner(kOrigin);
  auto sequencer = ledger::Sequencer::Create(&storage, signer.get(), {}).value();
  auto witness_key = [](uint8_t type) {
    return NoteVerifier::Create(GenerateNoteKey("w", type).value().verifier_key).value();
  };
  auto start = [&](std::vector<WitnessCollector::Witness> witnesses, size_t quorum) {
    WitnessCollector::Options options;
    options.quorum = quorum;
    return WitnessCollector::Start(sequencer.get(), &storage, std::move(witnesses), options)
        .status();
  };
  EXPECT_FALSE(start({}, 1).ok());
  std::vector<WitnessCollector::Witness> one;
  one.push_back({"http://127.0.0.1:1", witness_key(kNoteSignatureTypeCosignatureV1)});
  EXPECT_FALSE(start(std::move(one), 2).ok());
  std::vector<WitnessCollector::Witness> plain;
  plain.push_back({"http://127.0.0.1:1", witness_key(kNoteSignatureTypeEd25519)});
  EXPECT_THAT(std::string(start(std::move(plain), 1).message()), HasSubstr("type 0x04"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
