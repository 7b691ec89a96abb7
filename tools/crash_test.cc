// "No acknowledged entry is ever lost across kill -9": real vellumd processes on one data
// directory, appended to by concurrent clients and killed with SIGKILL at random moments, then
// restarted. At the end every acknowledged entry must be at its acknowledged index with its exact
// bytes, every receipt and checkpoint must verify, and every checkpoint seen on the way must be a
// prefix of the final tree, checked both with the server's consistency proofs and by recomputing
// the roots locally from the entry bundles.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/client/http_client.h"
#include "api/log.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/checkpoint.h"
#include "proof/compact_range.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"
#include "proof/tile.h"
#include "proof/verify.h"
#include "ledger/testing/wait_until.h"
#include "tools/testing/process.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kVellumd[] = "tools/vellumd";
constexpr char kOrigin[] = "example.com/crash-test";
constexpr char kProtobuf[] = "application/x-protobuf";
// Generous: a loaded machine may be slow to start a server, and that must not fail the test.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);

using subprocess::ChildProcess;
using subprocess::ReadFile;
using subprocess::TempDir;

// What a client was told.
struct Acked {
  uint64_t index;
  std::string entry;
  std::string receipt;  // Empty unless asked for.
};

// Where the clients find the server: the port of the one running, or 0 while it is down.
class Address {
 public:
  void Set(uint16_t port) {
    absl::MutexLock lock(&mu_);
    port_ = port;
    ++epoch_;
  }
  std::pair<uint64_t, uint16_t> Get() const {
    absl::MutexLock lock(&mu_);
    return {epoch_, port_};
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  uint16_t port_ ABSL_GUARDED_BY(mu_) = 0;
};

// A client thread's work: appends of single entries (some asking for receipts) and of batches,
// and checkpoint reads, against whichever server is up, recording each acknowledged entry.
class Appender {
 public:
  Appender(int id, uint64_t seed, const Address* address)
      : id_(id), rng_(seed), address_(address) {}

  void Run(const std::atomic<bool>* stop) {
    uint64_t epoch = ~uint64_t{0};
    std::unique_ptr<api::HttpClient> client;
    // Bounded although `stop` ends it long before.
    for (int op = 0; op < 1000000 && !stop->load(); ++op) {
      const auto [now_epoch, port] = address_->Get();
      if (now_epoch != epoch) {
        epoch = now_epoch;
        client.reset();
        if (port != 0) {
          api::HttpClient::Options options;
          options.timeout = absl::Seconds(20);
          auto created =
              api::HttpClient::Create(absl::StrCat("http://127.0.0.1:", port), options);
          if (!created.ok()) {
            ADD_FAILURE() << created.status();
            return;
          }
          client = *std::move(created);
        }
      }
      if (client == nullptr || !Step(*client)) absl::SleepFor(absl::Milliseconds(2));
    }
  }

  std::vector<Acked>& acked() { return acked_; }
  std::vector<std::string>& checkpoints() { return checkpoints_; }
  int failed_exchanges() const { return failed_exchanges_; }

 private:
  // A fresh entry: unique, 1 to 65,535 bytes, with arbitrary bytes.
  std::string NewEntry() {
    std::string entry = absl::StrCat("client ", id_, " entry ", next_++, " ");
    size_t padding = rng_() % 600;
    if (rng_() % 100 == 0) padding = 60000 + rng_() % (65535 - 60000 - entry.size());
    for (size_t i = 0; i < padding; ++i) entry.push_back(static_cast<char>(rng_() & 0xff));
    return entry;
  }

  // One request. False if the exchange failed (the server is down or was killed meanwhile).
  bool Step(api::HttpClient& client) {
    const int kind = static_cast<int>(rng_() % 10);
    if (kind == 0) {
      auto response = client.Send("GET", "/checkpoint");
      if (!Answered(response)) return false;
      checkpoints_.push_back(response->body);
      return true;
    }
    if (kind <= 3) {  // A batch.
      api::AppendBatchRequest request;
      const int n = 1 + static_cast<int>(rng_() % 20);
      for (int i = 0; i < n; ++i) request.add_entries(NewEntry());
      auto response = client.Send("POST", "/v1/entries:batch", request.SerializeAsString(),
                                  {{"Content-Type", kProtobuf}, {"Accept", kProtobuf}});
      if (!Answered(response)) return false;
      api::AppendBatchResponse answer;
      if (!answer.ParseFromString(response->body) ||
          answer.count() != static_cast<uint64_t>(n) ||
          answer.tree_size() < answer.first_index() + answer.count()) {
        ADD_FAILURE() << "bad batch answer: " << answer.ShortDebugString();
        return true;
      }
      for (int i = 0; i < n; ++i) {
        acked_.push_back({answer.first_index() + i, request.entries(i), ""});
      }
      return true;
    }
    const bool receipt = kind <= 6;
    std::string entry = NewEntry();
    auto response = client.Send("POST", receipt ? "/v1/entries?receipt=1" : "/v1/entries",
                                entry, {{"Accept", kProtobuf}});
    if (!Answered(response)) return false;
    api::AppendResponse answer;
    if (!answer.ParseFromString(response->body) || answer.tree_size() <= answer.index() ||
        answer.receipt().empty() == receipt) {
      ADD_FAILURE() << "bad append answer: " << answer.ShortDebugString();
      return true;
    }
    acked_.push_back({answer.index(), std::move(entry), answer.receipt()});
    return true;
  }

  // True for a 200 answer. A failed exchange is expected while servers die; an HTTP error is not.
  bool Answered(const absl::StatusOr<api::HttpResponse>& response) {
    if (!response.ok()) {
      ++failed_exchanges_;
      return false;
    }
    if (response->status != 200) {
      ADD_FAILURE() << "HTTP " << response->status << ": " << response->body;
      return false;
    }
    return true;
  }

  const int id_;
  std::mt19937_64 rng_;
  const Address* const address_;
  uint64_t next_ = 0;
  std::vector<Acked> acked_;
  std::vector<std::string> checkpoints_;
  int failed_exchanges_ = 0;
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = TempDir() + "/data";
    key_path_ = TempDir() + "/log.key";
    auto key = GenerateNoteKey(kOrigin);
    ASSERT_TRUE(key.ok()) << key.status();
    subprocess::WriteFile(key_path_, key->signer_key + "\n");
    chmod(key_path_.c_str(), 0600);
    auto verifier = NoteVerifier::Create(key->verifier_key);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  std::unique_ptr<ChildProcess> SpawnServer(const std::string& name) {
    return ChildProcess::Spawn(
        kVellumd, {"--data-dir", data_dir_, "--listen", "127.0.0.1:0", "--signer-key", key_path_},
        name);
  }

  // Opens a checkpoint note with the log's key, failing the test if it does not verify.
  absl::StatusOr<Checkpoint> Open(const std::string& note) {
    auto checkpoint = OpenCheckpoint(note, *verifier_);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status() << "\n" << note;
    return checkpoint;
  }

  std::string data_dir_;
  std::string key_path_;
  std::unique_ptr<NoteVerifier> verifier_;
};

// The tree size a server recovered, from its "log ... at tree size N" line.
uint64_t RecoveredSize(const std::string& out) {
  const std::string marker = " at tree size ";
  const size_t at = out.find(marker);
  if (at == std::string::npos) return 0;
  const size_t begin = at + marker.size();
  uint64_t size = 0;
  if (!absl::SimpleAtoi(out.substr(begin, out.find('\n', begin) - begin), &size)) return 0;
  return size;
}

TEST_F(CrashTest, NoAcknowledgedEntryIsLostAcrossKill9) {
  const uint64_t seed = 20261128;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  constexpr int kClients = 4;
  constexpr int kRounds = 10;

  Address address;
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Appender>> appenders;
  for (int i = 0; i < kClients; ++i) {
    appenders.push_back(std::make_unique<Appender>(i, seed + 1 + i, &address));
  }
  std::vector<std::thread> threads;
  // Stops and joins the clients on every way out of the test.
  struct Joiner {
    std::atomic<bool>* stop;
    std::vector<std::thread>* threads;
    ~Joiner() {
      stop->store(true);
      for (std::thread& t : *threads) {
        if (t.joinable()) t.join();
      }
    }
  } joiner{&stop, &threads};
  for (auto& appender : appenders) {
    threads.emplace_back([&stop, a = appender.get()] { a->Run(&stop); });
  }

  // Rounds: start a server on the data directory, let the clients append for a random while,
  // kill -9 it. Some kills come early, while the server may still be recovering.
  uint64_t committed_floor = 0;  // No restart may come back with a smaller tree.
  int early_kills = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    std::unique_ptr<ChildProcess> server = SpawnServer(absl::StrCat("round", round));
    ASSERT_NE(server, nullptr);
    if (round > 0 && rng() % 4 == 0) {
      absl::SleepFor(absl::Milliseconds(rng() % 40));
      ++early_kills;
      ASSERT_TRUE(server->Kill()) << "vellumd exited by itself with " << server->status() << ": "
                                  << server->err();
      continue;
    }
    const uint16_t port = server->WaitUntilServing(kStartTimeout);
    ASSERT_NE(port, 0) << "vellumd exited with " << server->status() << ": " << server->err();
    const uint64_t recovered = RecoveredSize(server->out());
    EXPECT_GE(recovered, committed_floor) << "the tree went back after a restart";
    address.Set(port);
    absl::SleepFor(absl::Milliseconds(150 + rng() % 600));
    // What the server acknowledged so far is durable: read the floor before the kill. (A
    // checkpoint is served only once committed.)
    {
      auto client = api::HttpClient::Create(absl::StrCat("http://127.0.0.1:", port), {});
      ASSERT_TRUE(client.ok()) << client.status();
      auto note = (*client)->Get("/checkpoint");
      ASSERT_TRUE(note.ok()) << note.status();
      auto checkpoint = Open(*note);
      ASSERT_TRUE(checkpoint.ok());
      committed_floor = std::max(committed_floor, checkpoint->size);
    }
    ASSERT_TRUE(server->Kill()) << "vellumd exited by itself with " << server->status() << ": "
                                << server->err();
    EXPECT_EQ(server->status(), 128 + SIGKILL);
    address.Set(0);
  }
  stop.store(true);
  for (std::thread& t : threads) t.join();
  threads.clear();

  // The last start, which must recover whatever the last kill left.
  std::unique_ptr<ChildProcess> server = SpawnServer("final");
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->WaitUntilServing(kStartTimeout);
  ASSERT_NE(port, 0) << "vellumd exited with " << server->status() << ": " << server->err();
  EXPECT_GE(RecoveredSize(server->out()), committed_floor);
  auto client = api::HttpClient::Create(absl::StrCat("http://127.0.0.1:", port), {});
  ASSERT_TRUE(client.ok()) << client.status();
  api::HttpClient& http = **client;

  // A second server on the same directory refuses at once, naming it.
  {
    std::unique_ptr<ChildProcess> second = SpawnServer("second");
    ASSERT_NE(second, nullptr);
    ASSERT_TRUE(second->WaitForExit(kStartTimeout)) << "a second vellumd kept running";
    EXPECT_NE(second->status(), 0);
    EXPECT_THAT(second->err(), HasSubstr(data_dir_));
    EXPECT_THAT(second->err(), HasSubstr("in use by another process"));
    EXPECT_THAT(second->out(), Not(HasSubstr("serving")));
  }

  // The final checkpoint.
  auto final_note = http.Get("/checkpoint");
  ASSERT_TRUE(final_note.ok()) << final_note.status();
  auto final_checkpoint = Open(*final_note);
  ASSERT_TRUE(final_checkpoint.ok());
  const uint64_t size = final_checkpoint->size;
  const Hash root = final_checkpoint->root;

  // Every stored entry, from the entry bundles; each level-0 tile matches its bundle.
  std::vector<std::string> entries;
  entries.reserve(size);
  for (uint64_t start = 0; start < size; start += kTileWidth) {
    const EntryBundleId bundle{start / kTileWidth,
                               static_cast<uint16_t>(std::min<uint64_t>(kTileWidth, size - start))};
    auto data = http.Get("/" + EntryBundlePath(bundle));
    ASSERT_TRUE(data.ok()) << data.status();
    auto parsed = ParseEntryBundle(*data, bundle.width);
    ASSERT_TRUE(parsed.ok()) << EntryBundlePath(bundle) << ": " << parsed.status();
    auto tile = http.Get("/" + TilePath(TileId{0, bundle.index, bundle.width}));
    ASSERT_TRUE(tile.ok()) << tile.status();
    auto hashes = ParseTileData(*tile, bundle.width);
    ASSERT_TRUE(hashes.ok()) << hashes.status();
    for (size_t i = 0; i < parsed->size(); ++i) {
      ASSERT_EQ((*hashes)[i], HashLeaf((*parsed)[i])) << "entry " << start + i;
    }
    entries.insert(entries.end(), parsed->begin(), parsed->end());
  }
  ASSERT_EQ(entries.size(), size);

  // The tree recomputed from all stored entries is the final checkpoint's, and its roots at
  // every size any checkpoint named are recomputed along the way.
  std::map<uint64_t, Hash> seen;  // Size -> root, from every checkpoint observed.
  int notes = 0;
  auto observe = [&](const std::string& note) {
    auto checkpoint = Open(note);
    if (!checkpoint.ok()) return;
    ++notes;
    auto [it, inserted] = seen.emplace(checkpoint->size, checkpoint->root);
    EXPECT_EQ(it->second, checkpoint->root)
        << "two checkpoints of size " << checkpoint->size << " with different roots: a fork";
  };
  std::vector<Acked> acked;
  int receipts = 0, failed_exchanges = 0;
  for (auto& appender : appenders) {
    for (const std::string& note : appender->checkpoints()) observe(note);
    for (Acked& a : appender->acked()) acked.push_back(std::move(a));
    failed_exchanges += appender->failed_exchanges();
  }
  for (const Acked& a : acked) {
    if (a.receipt.empty()) continue;
    ++receipts;
    auto receipt = ParseReceipt(a.receipt);
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    EXPECT_EQ(receipt->index, a.index);
    absl::Status verified = VerifyReceipt(*receipt, a.entry, *verifier_);
    EXPECT_TRUE(verified.ok()) << "receipt for index " << a.index << ": " << verified;
    observe(receipt->checkpoint);
  }
  seen.emplace(size, root);
  {
    CompactRange range;
    uint64_t appended = 0;
    for (const auto& [seen_size, seen_root] : seen) {
      ASSERT_LE(seen_size, size) << "a checkpoint is ahead of the final tree";
      while (appended < seen_size) range.Append(HashLeaf(entries[appended++]));
      EXPECT_EQ(range.Root(), seen_root)
          << "the stored entries do not give the root of the checkpoint of size " << seen_size;
    }
  }

  // Every acknowledged entry is at its acknowledged index, with its exact bytes.
  for (const Acked& a : acked) {
    ASSERT_LT(a.index, size) << "acknowledged index " << a.index << " is past the final tree";
    ASSERT_EQ(entries[a.index], a.entry) << "entry " << a.index << " differs from what was acked";
  }
  // And reads back one by one.
  for (const Acked& a : acked) {
    auto entry = http.Get(absl::StrCat("/v1/entries/", a.index));
    ASSERT_TRUE(entry.ok()) << entry.status();
    ASSERT_EQ(*entry, a.entry) << "GET /v1/entries/" << a.index;
  }

  // Every observed checkpoint is a prefix of the final tree, by the server's own proof too.
  for (const auto& [seen_size, seen_root] : seen) {
    auto response = http.Send("GET",
                              absl::StrCat("/v1/proof/consistency?from=", seen_size, "&to=", size),
                              "", {{"Accept", kProtobuf}});
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << response->body;
    api::ConsistencyProof proof;
    ASSERT_TRUE(proof.ParseFromString(response->body));
    std::vector<Hash> hashes;
    for (const std::string& bytes : proof.proof()) {
      auto hash = HashFromBytes(bytes);
      ASSERT_TRUE(hash.ok()) << hash.status();
      hashes.push_back(*hash);
    }
    absl::Status consistent = VerifyConsistency(seen_size, size, hashes, seen_root, root);
    EXPECT_TRUE(consistent.ok()) << "size " << seen_size << ": " << consistent;
  }

  // The leaf-hash index, written after each commit and killed along with it, catches up with the
  // recovered log; then it alone (no leaf is left to search in the tiles) finds every
  // acknowledged entry at its first index.
  const std::string caught_up = absl::StrCat("vellum_index_position ", size, "\n");
  std::string metrics;
  ASSERT_TRUE(ledger::WaitUntil(
      [&] {
        absl::StatusOr<std::string> got = http.Get("/metrics");
        metrics = got.ok() ? *got : got.status().ToString();
        return got.ok() && absl::StrContains(*got, caught_up);
      },
      kStartTimeout))
      << "the leaf-hash index did not catch up:\n" << metrics;
  std::map<std::string, uint64_t> first_index;
  for (uint64_t i = 0; i < size; ++i) first_index.emplace(entries[i], i);
  for (const Acked& a : acked) {
    const Hash leaf_hash = HashLeaf(a.entry);
    auto response = http.Send(
        "GET", absl::StrCat("/v1/proof/inclusion?leaf_hash=",
                            absl::WebSafeBase64Escape(HashBytes(leaf_hash))),
        "", {{"Accept", kProtobuf}});
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << "entry " << a.index << ": " << response->body;
    api::InclusionProof proof;
    ASSERT_TRUE(proof.ParseFromString(response->body));
    EXPECT_EQ(proof.index(), first_index[a.entry]) << "entry " << a.index;
  }

  std::printf(
      "%d rounds (%d killed early), final tree %llu; %zu acknowledged entries, %d receipts, "
      "%d checkpoints at %zu sizes, %d failed exchanges\n",
      kRounds, early_kills, static_cast<unsigned long long>(size), acked.size(), receipts, notes,
      seen.size(), failed_exchanges);
  EXPECT_GT(acked.size(), 0u);
  EXPECT_GT(receipts, 0);
  EXPECT_TRUE(server->Kill());
}

}  // namespace
}  // namespace vellum
