// Every endpoint of LogService, over real HTTP: an HttpServer on a free loopback port in front of
// a LogService, a Sequencer and a MemoryStorage. Checks status codes and error messages, content
// types and caching headers (c2sp.org/tlog-tiles), JSON and binary protobuf answers, bearer
// tokens, the server's request limits, and that what concurrent appends get back verifies.

#include "api/log_service.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "api/client/http_client.h"
#include "api/http.h"
#include "api/http_server.h"
#include "api/log.pb.h"
#include "api/raw_connection.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/refusal.h"
#include "ledger/sequencer.h"
#include "ledger/testing/fault_storage.h"
#include "ledger/testing/wait_until.h"
#include "ledger/tile_cache.h"
#include "proof/base64.h"
#include "proof/checkpoint.h"
#include "proof/compact_range.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"
#include "proof/tile.h"
#include "proof/verify.h"

namespace vellum {
namespace api {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kOrigin[] = "example.com/log-service-test";
constexpr char kProtobuf[] = "application/x-protobuf";
constexpr char kToken[] = "correct horse battery staple";

Hash RootOf(const std::vector<std::string>& entries, size_t size) {
  CompactRange range;
  for (size_t i = 0; i < size; ++i) range.Append(HashLeaf(entries[i]));
  return range.Root();
}

std::string Base64Url(const Hash& hash) {
  std::string text = HashToBase64(hash);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

// The value of response header `name` (any case), or "".
std::string HeaderOf(const HttpResponse& response, absl::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

template <typename Message>
Message FromJson(const HttpResponse& response) {
  Message message;
  EXPECT_EQ(response.content_type, "application/json") << response.body;
  auto status = google::protobuf::util::JsonStringToMessage(response.body, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << ": " << response.body;
  return message;
}

template <typename Message>
Message FromProtobuf(const HttpResponse& response) {
  Message message;
  EXPECT_EQ(response.content_type, kProtobuf);
  EXPECT_TRUE(message.ParseFromString(response.body)) << "not a " << message.GetTypeName();
  return message;
}

// The same for an exchange that may have failed, and must have answered 200.
template <typename Message>
Message FromJson(const absl::StatusOr<HttpResponse>& response) {
  EXPECT_TRUE(response.ok()) << response.status();
  if (!response.ok()) return Message();
  EXPECT_EQ(response->status, 200) << response->body;
  return FromJson<Message>(*response);
}

template <typename Message>
Message FromProtobuf(const absl::StatusOr<HttpResponse>& response) {
  EXPECT_TRUE(response.ok()) << response.status();
  if (!response.ok()) return Message();
  EXPECT_EQ(response->status, 200) << response->body;
  return FromProtobuf<Message>(*response);
}

std::vector<Hash> Hashes(const google::protobuf::RepeatedPtrField<std::string>& bytes) {
  std::vector<Hash> hashes;
  for (const std::string& b : bytes) {
    auto hash = HashFromBytes(b);
    EXPECT_TRUE(hash.ok()) << hash.status();
    if (hash.ok()) hashes.push_back(*hash);
  }
  return hashes;
}

// Checks an error answer: the status, and a one-line JSON body {"error":"..."} that contains
// `message`.
void ExpectError(const absl::StatusOr<HttpResponse>& response, int status,
                 absl::string_view message) {
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, status) << response->body;
  EXPECT_EQ(response->content_type, "application/json");
  EXPECT_THAT(response->body, StartsWith("{\"error\":\""));
  EXPECT_TRUE(absl::EndsWith(response->body, "\"}\n")) << response->body;
  EXPECT_EQ(std::count(response->body.begin(), response->body.end(), '\n'), 1) << response->body;
  EXPECT_THAT(response->body, HasSubstr(message));
}

class LogServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = GenerateNoteKey(kOrigin);
    ASSERT_TRUE(key.ok()) << key.status();
    auto signer = NoteSigner::Create(key->signer_key);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = *std::move(signer);
    auto verifier = NoteVerifier::Create(signer_->VerifierKey());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  void TearDown() override {
    // The sequencer goes before the service: it may still call back into the service for
    // appends it had queued.
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
    sequencer_.reset();
    service_.reset();
    server_.reset();
  }

  void Start(LogService::Options service_options = {},
             HttpServer::Options server_options = HttpServer::Options()) {
    auto sequencer = ledger::Sequencer::Create(&faults_, signer_.get(), sequencer_options_);
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    sequencer_ = *std::move(sequencer);
    service_ = std::make_unique<LogService>(sequencer_.get(), &faults_,
                                            signer_->VerifierKey(), service_options);
    server_options.address = "127.0.0.1";
    server_options.port = 0;
    auto server = HttpServer::Start(server_options, [this](HttpRequest request,
                                                           HttpServer::Respond respond) {
      service_->Handle(std::move(request), std::move(respond));
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client_ = NewClient();
  }

  std::unique_ptr<HttpClient> NewClient() {
    auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", server_->port()), {});
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  absl::StatusOr<HttpResponse> Send(
      absl::string_view method, absl::string_view target, absl::string_view body = "",
      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    if (client_ == nullptr) return absl::UnavailableError("no server");
    return client_->Send(method, target, body, headers);
  }

  uint16_t port() const { return server_ != nullptr ? server_->port() : 0; }

  // Appends `entries` as one batch and returns them; fails the test unless it works.
  std::vector<std::string> AppendBatch(const std::vector<std::string>& entries) {
    AppendBatchRequest request;
    for (const std::string& e : entries) request.add_entries(e);
    auto response = Send("POST", "/v1/entries:batch", request.SerializeAsString(),
                         {{"Content-Type", kProtobuf}, {"Accept", kProtobuf}});
    EXPECT_TRUE(response.ok()) << response.status();
    if (response.ok()) {
      EXPECT_EQ(response->status, 200) << response->body;
    }
    return entries;
  }

  // Appends entries "entry 0" .. "entry n-1" and returns them.
  std::vector<std::string> AppendNumbered(size_t n) {
    std::vector<std::string> entries;
    for (size_t i = 0; i < n; ++i) entries.push_back(absl::StrCat("entry ", i));
    return AppendBatch(entries);
  }

  Checkpoint CurrentCheckpoint() {
    auto response = Send("GET", "/checkpoint");
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return {};
    auto checkpoint = OpenCheckpoint(response->body, *verifier_);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status();
    return checkpoint.ok() ? *checkpoint : Checkpoint();
  }

  ledger::MemoryStorage storage_;
  ledger::FaultStorage faults_{&storage_};
  // Room for 16 expanded full tiles, so that a test's load evicts some.
  ledger::TileCache small_cache_{16 * ledger::ExpandedTile(std::vector<Hash>(kTileWidth)).bytes()};
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  // Set before Start(). Reopens after a failed commit come quickly, so that tests wait little.
  ledger::SequencerOptions sequencer_options_ = [] {
    ledger::SequencerOptions options;
    options.retry_initial_delay = absl::Milliseconds(1);
    options.retry_max_delay = absl::Milliseconds(10);
    return options;
  }();
  std::unique_ptr<LogService> service_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

// --- Static API (c2sp.org/tlog-tiles) ------------------------------------------------------------

TEST_F(LogServiceTest, CheckpointIsSignedTextAndShortLived) {
  Start();
  auto response = Send("GET", "/checkpoint");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->content_type, "text/plain; charset=utf-8");
  const std::string cache = HeaderOf(*response, "Cache-Control");
  EXPECT_THAT(cache, Not(HasSubstr("immutable")));
  // "SHOULD prevent caching beyond a few seconds".
  const size_t at = cache.find("max-age=");
  ASSERT_NE(at, std::string::npos) << cache;
  int max_age = -1;
  const size_t end = std::min(cache.find_first_not_of("0123456789", at + 8), cache.size());
  const std::string value = cache.substr(at + 8, end - (at + 8));
  ASSERT_TRUE(absl::SimpleAtoi(value, &max_age)) << cache;
  EXPECT_LE(max_age, 10);
  auto checkpoint = OpenCheckpoint(response->body, *verifier_);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->origin, kOrigin);
  EXPECT_EQ(checkpoint->size, 0u);
  EXPECT_EQ(checkpoint->root, EmptyRoot());

  std::vector<std::string> entries = AppendNumbered(3);
  Checkpoint later = CurrentCheckpoint();
  EXPECT_EQ(later.size, 3u);
  EXPECT_EQ(later.root, RootOf(entries, 3));
}

TEST_F(LogServiceTest, TilesHoldTheTreeAndAreImmutable) {
  Start();
  std::vector<std::string> entries = AppendNumbered(300);
  struct Case {
    std::string path;
    size_t hashes;
  };
  for (const Case& c : {Case{"/tile/0/000", 256}, Case{"/tile/0/001.p/44", 44},
                        Case{"/tile/1/000.p/1", 1}}) {
    SCOPED_TRACE(c.path);
    auto response = Send("GET", c.path);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(response->content_type, "application/octet-stream");
    EXPECT_THAT(HeaderOf(*response, "Cache-Control"), HasSubstr("immutable"));
    EXPECT_THAT(HeaderOf(*response, "Cache-Control"), HasSubstr("max-age=31536000"));
    ASSERT_EQ(response->body.size(), 32 * c.hashes);
  }
  // Level 0 holds the leaf hashes; level 1 the roots of the full level-0 tiles.
  auto tile = client_->Get("/tile/0/001.p/44");
  ASSERT_TRUE(tile.ok()) << tile.status();
  auto hashes = ParseTileData(*tile, 44);
  ASSERT_TRUE(hashes.ok()) << hashes.status();
  for (size_t i = 0; i < 44; ++i) EXPECT_EQ((*hashes)[i], HashLeaf(entries[256 + i])) << i;
  auto level1 = client_->Get("/tile/1/000.p/1");
  ASSERT_TRUE(level1.ok()) << level1.status();
  EXPECT_EQ(*level1, std::string(HashBytes(RootOf(entries, 256))));
}

TEST_F(LogServiceTest, EntryBundlesHoldTheEntries) {
  Start();
  std::vector<std::string> entries = AppendNumbered(300);
  auto response = Send("GET", "/tile/entries/000");
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200);
  EXPECT_EQ(response->content_type, "application/octet-stream");
  EXPECT_THAT(HeaderOf(*response, "Cache-Control"), HasSubstr("immutable"));
  auto full = ParseEntryBundle(response->body, 256);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_TRUE(std::equal(full->begin(), full->end(), entries.begin()));
  auto partial = client_->Get("/tile/entries/001.p/44");
  ASSERT_TRUE(partial.ok()) << partial.status();
  auto parsed = ParseEntryBundle(*partial, 44);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(std::equal(parsed->begin(), parsed->end(), entries.begin() + 256));
}

TEST_F(LogServiceTest, TilesBeyondTheTreeAreNotFound) {
  Start();
  AppendNumbered(300);
  const char* const paths[] = {
      "/tile/0/001",           "/tile/0/001.p/45", "/tile/0/002",       "/tile/1/000",
      "/tile/1/000.p/2",       "/tile/2/000.p/1",  "/tile/entries/001", "/tile/entries/001.p/45",
      "/tile/entries/x001/000"};
  for (const char* path : paths) {
    SCOPED_TRACE(path);
    ExpectError(Send("GET", path), 404,
                absl::StrCat(absl::string_view(path).substr(1), " is not in the tree of size 300"));
  }
  // Inside the tree but never checkpointed: the tree went from 0 to 300 in one batch.
  ExpectError(Send("GET", "/tile/0/001.p/7"), 404, "not found");
}

TEST_F(LogServiceTest, MalformedTilePathsAreBadRequests) {
  Start();
  AppendNumbered(300);
  struct Case {
    const char* path;
    const char* message;
  };
  const Case cases[] = {
      {"/tile/0/0", "malformed tile path"},
      {"/tile/0/0000", "malformed tile path"},
      {"/tile/00/000", "level \\\"00\\\" has a leading zero"},
      {"/tile/64/000", "is above 63"},
      {"/tile/x/000", "is not a decimal number"},
      {"/tile/0/000.p/256", "width 256 is a full tile"},
      {"/tile/0/000.p/0", "is not in 1..255"},
      {"/tile/0/000.p/07", "has a leading zero"},
      {"/tile/0/000.p/", "malformed tile path"},
      {"/tile/0/000/", "trailing slash"},
      {"/tile/0/x000/001", "malformed tile path"},
      {"/tile/0/001/x002", "malformed tile path"},
      {"/tile/0", "missing index"},
      {"/tile/", "malformed tile path"},
      {"/tile/entries/0", "malformed entry bundle path"},
      {"/tile/entries/000.p/300", "malformed entry bundle path"},
      {"/tile/entries/", "malformed entry bundle path"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    ExpectError(Send("GET", c.path), 400, c.message);
  }
}

// --- Appends -------------------------------------------------------------------------------------

TEST_F(LogServiceTest, AppendAnswersIndexLeafHashAndTreeSize) {
  Start();
  auto response = Send("POST", "/v1/entries", "first entry");
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  auto answer = FromJson<AppendResponse>(*response);
  EXPECT_EQ(answer.index(), 0u);
  EXPECT_EQ(answer.leaf_hash(), std::string(HashBytes(HashLeaf("first entry"))));
  EXPECT_EQ(answer.tree_size(), 1u);
  EXPECT_EQ(answer.receipt(), "");
  // JSON answers follow the proto3 mapping: 64-bit integers as strings, bytes as base64.
  EXPECT_THAT(response->body, HasSubstr("\"index\":\"0\""));

  response = Send("POST", "/v1/entries?receipt=0", "second entry", {{"Accept", kProtobuf}});
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  answer = FromProtobuf<AppendResponse>(*response);
  EXPECT_EQ(answer.index(), 1u);
  EXPECT_EQ(answer.tree_size(), 2u);
  EXPECT_EQ(answer.receipt(), "");
}

TEST_F(LogServiceTest, AppendWithReceiptVerifiesOffline) {
  Start();
  AppendNumbered(10);
  for (const bool protobuf : {false, true}) {
    const std::string entry = absl::StrCat("receipted entry ", protobuf);
    std::vector<std::pair<std::string, std::string>> headers;
    if (protobuf) headers.emplace_back("Accept", kProtobuf);
    auto response = Send("POST", "/v1/entries?receipt=1", entry, headers);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << response->body;
    AppendResponse answer = protobuf ? FromProtobuf<AppendResponse>(*response)
                                     : FromJson<AppendResponse>(*response);
    auto receipt = ParseReceipt(answer.receipt());
    ASSERT_TRUE(receipt.ok()) << receipt.status() << "\n" << answer.receipt();
    EXPECT_EQ(receipt->index, answer.index());
    EXPECT_TRUE(VerifyReceipt(*receipt, entry, *verifier_).ok());
    // A receipt does not verify for another entry.
    absl::Status wrong = VerifyReceipt(*receipt, entry + "!", *verifier_);
    EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(wrong.message(), HasSubstr("root mismatch"));
  }
}

TEST_F(LogServiceTest, AppendRejectsBadEntriesAndChangesNothing) {
  Start();
  AppendNumbered(2);
  ExpectError(Send("POST", "/v1/entries", ""), 400, "the entry is empty");
  ExpectError(Send("POST", "/v1/entries", std::string(65536, 'x')), 413,
              "the entry is 65536 bytes, want at most 65535");
  ExpectError(Send("POST", "/v1/entries?receipt=2", "x"), 400,
              "query parameter \\\"receipt\\\" must be 0 or 1");
  ExpectError(Send("POST", "/v1/entries?wait=1", "x"), 400,
              "unknown query parameter \\\"wait\\\"");
  ExpectError(Send("POST", "/v1/entries?receipt=1&receipt=1", "x"), 400, "given more than once");
  ExpectError(Send("POST", "/v1/entries?receipt=%zz", "x"), 400, "bad %-escape");
  EXPECT_EQ(sequencer_->Head()->size, 2u);
  // The largest entry is fine.
  auto response = Send("POST", "/v1/entries", std::string(65535, 'x'));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(sequencer_->Head()->size, 3u);
}

TEST_F(LogServiceTest, BatchAppendTakesJsonAndProtobuf) {
  Start();
  auto response = Send("POST", "/v1/entries:batch",
                       R"({"entries": ["b25l", "dHdv", "dGhyZWU="]})",
                       {{"Content-Type", "application/json"}});
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  auto answer = FromJson<AppendBatchResponse>(*response);
  EXPECT_EQ(answer.first_index(), 0u);
  EXPECT_EQ(answer.count(), 3u);
  EXPECT_EQ(answer.tree_size(), 3u);

  AppendBatchRequest request;
  request.add_entries("four");
  request.add_entries(std::string("\0five\xff", 6));
  response = Send("POST", "/v1/entries:batch", request.SerializeAsString(),
                  {{"Content-Type", kProtobuf}, {"Accept", kProtobuf}});
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->status, 200) << response->body;
  answer = FromProtobuf<AppendBatchResponse>(*response);
  EXPECT_EQ(answer.first_index(), 3u);
  EXPECT_EQ(answer.count(), 2u);
  EXPECT_EQ(answer.tree_size(), 5u);

  const std::vector<std::string> entries = {"one", "two", "three", "four",
                                            std::string("\0five\xff", 6)};
  for (size_t i = 0; i < entries.size(); ++i) {
    auto entry = client_->Get(absl::StrCat("/v1/entries/", i));
    ASSERT_TRUE(entry.ok()) << entry.status();
    EXPECT_EQ(*entry, entries[i]);
  }
  EXPECT_EQ(CurrentCheckpoint().root, RootOf(entries, 5));
}

TEST_F(LogServiceTest, BatchAppendAcceptsMediaTypeParameters) {
  Start();
  for (const char* type : {"application/json; charset=utf-8", "Application/JSON"}) {
    SCOPED_TRACE(type);
    auto response = Send("POST", "/v1/entries:batch", R"({"entries": ["b25l"]})",
                         {{"Content-Type", type}});
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200) << response->body;
  }
}

TEST_F(LogServiceTest, BatchAppendRejectsBadRequestsAndChangesNothing) {
  LogService::Options options;
  options.max_batch_request_entries = 5;
  Start(options);
  AppendNumbered(2);
  const std::pair<std::string, std::string> json = {"Content-Type", "application/json"};
  ExpectError(Send("POST", "/v1/entries:batch", "{\"entries\": [", {json}), 400,
              "body is not a valid AppendBatchRequest");
  ExpectError(Send("POST", "/v1/entries:batch", R"({"entries": ["not base64!"]})", {json}), 400,
              "body is not a valid AppendBatchRequest");
  ExpectError(Send("POST", "/v1/entries:batch", R"({"entries": ["b25l"], "extra": 1})", {json}),
              400, "body is not a valid AppendBatchRequest");
  ExpectError(Send("POST", "/v1/entries:batch", "\xff\xff\xff", {{"Content-Type", kProtobuf}}),
              400, "body is not a valid AppendBatchRequest protobuf");
  ExpectError(Send("POST", "/v1/entries:batch", R"({"entries": ["b25l"]})",
                   {{"Content-Type", "text/plain"}}),
              415, "content type must be application/x-protobuf or application/json");
  ExpectError(Send("POST", "/v1/entries:batch", R"({"entries": ["b25l"]})"), 415,
              "content type must be");
  ExpectError(Send("POST", "/v1/entries:batch", R"({"entries": []})", {json}), 400,
              "no entries to append");
  ExpectError(Send("POST", "/v1/entries:batch", R"({"entries": ["b25l", ""]})", {json}), 400,
              "entry 1 is 0 bytes, want 1 to 65535");
  ExpectError(Send("POST", "/v1/entries:batch",
                   R"({"entries": ["MQ==", "Mg==", "Mw==", "NA==", "NQ==", "Ng=="]})", {json}),
              413, "the batch has 6 entries, want at most 5");
  AppendBatchRequest big;
  big.add_entries("fine");
  big.add_entries(std::string(65536, 'x'));
  ExpectError(Send("POST", "/v1/entries:batch", big.SerializeAsString(),
                   {{"Content-Type", kProtobuf}}),
              413, "entry 1 is 65536 bytes, want at most 65535");
  EXPECT_EQ(sequencer_->Head()->size, 2u);
  EXPECT_EQ(CurrentCheckpoint().size, 2u);
}

// --- Dynamic reads -------------------------------------------------------------------------------

TEST_F(LogServiceTest, EntriesByIndex) {
  Start();
  std::vector<std::string> entries = AppendNumbered(300);
  for (uint64_t i : {0, 1, 255, 256, 299}) {
    auto response = Send("GET", absl::StrCat("/v1/entries/", i));
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(response->content_type, "application/octet-stream");
    EXPECT_THAT(HeaderOf(*response, "Cache-Control"), HasSubstr("immutable"));
    EXPECT_EQ(response->body, entries[i]);
  }
  ExpectError(Send("GET", "/v1/entries/300"), 404, "300");
  ExpectError(Send("GET", "/v1/entries/18446744073709551615"), 404, "18446744073709551615");
  ExpectError(Send("GET", "/v1/entries/18446744073709551616"), 400, "overflows 64 bits");
  ExpectError(Send("GET", "/v1/entries/abc"), 400,
              "entry index \\\"abc\\\" is not a decimal number");
  ExpectError(Send("GET", "/v1/entries/01"), 400, "has a leading zero");
  ExpectError(Send("GET", "/v1/entries/-1"), 400, "is not a decimal number");
  ExpectError(Send("GET", "/v1/entries/"), 400, "is empty");
}

TEST_F(LogServiceTest, InclusionProofsVerify) {
  Start();
  std::vector<std::string> entries = AppendNumbered(300);
  for (const bool protobuf : {false, true}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (protobuf) headers.emplace_back("Accept", kProtobuf);
    for (const auto& [index, size] : std::vector<std::pair<uint64_t, uint64_t>>{
             {0, 1}, {0, 300}, {7, 8}, {255, 256}, {256, 300}, {299, 300}, {100, 257}}) {
      SCOPED_TRACE(absl::StrCat("index ", index, " size ", size, " protobuf ", protobuf));
      auto response =
          Send("GET", absl::StrCat("/v1/proof/inclusion?index=", index, "&size=", size), "",
               headers);
      ASSERT_TRUE(response.ok()) << response.status();
      ASSERT_EQ(response->status, 200) << response->body;
      InclusionProof proof = protobuf ? FromProtobuf<InclusionProof>(*response)
                                      : FromJson<InclusionProof>(*response);
      EXPECT_EQ(proof.index(), index);
      EXPECT_EQ(proof.tree_size(), size);
      EXPECT_TRUE(VerifyInclusion(index, size, HashLeaf(entries[index]), Hashes(proof.proof()),
                                  RootOf(entries, size))
                      .ok());
    }
    // By leaf hash, in the current tree.
    const std::string leaf_hash = Base64Url(HashLeaf(entries[123]));
    ASSERT_EQ(*Base64UrlDecodeStrict(leaf_hash), HashBytes(HashLeaf(entries[123])));
    auto response =
        Send("GET", absl::StrCat("/v1/proof/inclusion?leaf_hash=", leaf_hash), "", headers);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->status, 200) << response->body;
    InclusionProof proof = protobuf ? FromProtobuf<InclusionProof>(*response)
                                    : FromJson<InclusionProof>(*response);
    EXPECT_EQ(proof.index(), 123u);
    EXPECT_EQ(proof.tree_size(), 300u);
    EXPECT_EQ(proof.leaf_hash(), std::string(HashBytes(HashLeaf(entries[123]))));
    EXPECT_TRUE(VerifyInclusion(123, 300, HashLeaf(entries[123]), Hashes(proof.proof()),
                                CurrentCheckpoint().root)
                    .ok());
  }
}

TEST_F(LogServiceTest, InclusionProofErrors) {
  Start();
  std::vector<std::string> entries = AppendNumbered(300);
  const std::string unknown = Base64Url(HashLeaf("never appended"));
  struct Case {
    std::string query;
    int status;
    std::string message;
  };
  const Case cases[] = {
      {"index=0&size=301", 400, "tree size 301 is past the current tree size 300"},
      {"index=300&size=300", 400, "index 300 is past tree size 300"},
      {"index=5&size=5", 400, "index 5 is past tree size 5"},
      {"index=0&size=0", 400, "past tree size 0"},
      {"index=abc", 400, "index \\\"abc\\\" is not a decimal number"},
      {"index=1&size=ten", 400, "size \\\"ten\\\" is not a decimal number"},
      {"index=1&size=", 400, "size \\\"\\\" is empty"},
      {"", 400, "give exactly one of the query parameters index and leaf_hash"},
      {"index=1&leaf_hash=" + unknown, 400, "give exactly one"},
      {"leaf_hash=!!!!", 400, "leaf_hash: want base64url of 32 bytes"},
      {"leaf_hash=abc", 400, "leaf_hash: hash is 2 bytes, want 32"},
      {"leaf_hash=" + unknown, 404, "no entry with leaf hash"},
      {"leaf_hash=" + Base64Url(HashLeaf(entries[200])) + "&size=100", 404,
       "in the tree of size 100"},
      {"index=1&proof=1", 400, "unknown query parameter \\\"proof\\\""},
      {"index=1&index=2", 400, "given more than once"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    ExpectError(Send("GET", "/v1/proof/inclusion?" + c.query), c.status, c.message);
  }
}

TEST_F(LogServiceTest, ConsistencyProofsVerify) {
  Start();
  std::vector<std::string> entries = AppendNumbered(300);
  for (const bool protobuf : {false, true}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (protobuf) headers.emplace_back("Accept", kProtobuf);
    for (const auto& [from, to] : std::vector<std::pair<uint64_t, uint64_t>>{
             {1, 2}, {1, 300}, {7, 8}, {100, 256}, {256, 257}, {255, 300}, {300, 300}, {0, 300},
             {0, 0}}) {
      SCOPED_TRACE(absl::StrCat("from ", from, " to ", to, " protobuf ", protobuf));
      auto response = Send(
          "GET", absl::StrCat("/v1/proof/consistency?from=", from, "&to=", to), "", headers);
      ASSERT_TRUE(response.ok()) << response.status();
      ASSERT_EQ(response->status, 200) << response->body;
      ConsistencyProof proof = protobuf ? FromProtobuf<ConsistencyProof>(*response)
                                        : FromJson<ConsistencyProof>(*response);
      EXPECT_EQ(proof.from(), from);
      EXPECT_EQ(proof.to(), to);
      EXPECT_TRUE(VerifyConsistency(from, to, Hashes(proof.proof()), RootOf(entries, from),
                                    RootOf(entries, to))
                      .ok());
    }
  }
  // `to` defaults to the current size.
  auto proof = FromJson<ConsistencyProof>(Send("GET", "/v1/proof/consistency?from=10"));
  EXPECT_EQ(proof.to(), 300u);
  EXPECT_TRUE(VerifyConsistency(10, 300, Hashes(proof.proof()), RootOf(entries, 10),
                                CurrentCheckpoint().root)
                  .ok());
}

TEST_F(LogServiceTest, ConsistencyProofErrors) {
  Start();
  AppendNumbered(300);
  struct Case {
    std::string query;
    std::string message;
  };
  const Case cases[] = {
      {"from=1&to=301", "tree size 301 is past the current tree size 300"},
      {"from=301", "size1 301 is greater than size2 300"},
      {"from=20&to=10", "size1 20 is greater than size2 10"},
      {"to=10", "missing query parameter \\\"from\\\""},
      {"from=x&to=10", "from \\\"x\\\" is not a decimal number"},
      {"from=1&to=1e3", "to \\\"1e3\\\" is not a decimal number"},
      {"from=1&to=10&first=1", "unknown query parameter \\\"first\\\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    ExpectError(Send("GET", "/v1/proof/consistency?" + c.query), 400, c.message);
  }
}

TEST_F(LogServiceTest, LogInfoInJsonAndProtobuf) {
  Start();
  std::vector<std::string> entries = AppendNumbered(5);
  auto json = FromJson<LogInfo>(Send("GET", "/v1/log"));
  EXPECT_EQ(json.origin(), kOrigin);
  EXPECT_EQ(json.verifier_key(), signer_->VerifierKey());
  EXPECT_EQ(json.size(), 5u);
  EXPECT_EQ(json.root_hash(), std::string(HashBytes(RootOf(entries, 5))));
  auto binary = FromProtobuf<LogInfo>(Send("GET", "/v1/log", "", {{"Accept", kProtobuf}}));
  EXPECT_EQ(binary.SerializeAsString(), json.SerializeAsString());
}

TEST_F(LogServiceTest, HealthAndMetrics) {
  Start();
  AppendNumbered(4);
  auto health = Send("GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  ExpectError(Send("GET", "/nope"), 404, "no such endpoint");
  auto metrics = Send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->content_type, StartsWith("text/plain"));
  EXPECT_THAT(metrics->body, HasSubstr("vellum_http_requests_total"));
  EXPECT_THAT(metrics->body, HasSubstr("vellum_http_client_errors_total 1"));
  EXPECT_THAT(metrics->body, HasSubstr("vellum_tree_size 4"));
}

// --- Routing -------------------------------------------------------------------------------------

TEST_F(LogServiceTest, AFailedCommitStopsAppendsUntilTheStoreIsReopenedAndReadsGoOn) {
  Start();
  AppendNumbered(3);
  faults_.FailNextReopens(1000000);
  faults_.FailNextCommits(1);
  auto failed = Send("POST", "/v1/entries", "lost");
  ExpectError(failed, 503,
              "injected commit failure; the batch may have been stored: retry with the same "
              "Idempotency-Key");
  EXPECT_EQ(HeaderOf(*failed, "Retry-After"), "1");
  auto refused = Send("POST", "/v1/entries", "refused");
  // The refusal names the last failure: the commit's, or a reopen's.
  ExpectError(refused, 503, "the log takes no appends until its store is reopened (injected ");
  ExpectError(refused, 503, "); nothing of this one was stored; retry later");
  EXPECT_EQ(HeaderOf(*refused, "Retry-After"), "1");
  auto health = Send("GET", "/healthz");
  ExpectError(health, 503, "the log takes no appends: injected ");
  // Reads go on.
  EXPECT_EQ(CurrentCheckpoint().size, 3u);  // The failed batch was never published.
  EXPECT_EQ(Send("GET", "/tile/0/000.p/3")->status, 200);
  EXPECT_EQ(Send("GET", "/tile/entries/000.p/3")->status, 200);
  EXPECT_EQ(Send("GET", "/v1/entries/2")->body, "entry 2");
  EXPECT_EQ(Send("GET", "/v1/proof/inclusion?index=1&size=3")->status, 200);
  auto metrics = Send("GET", "/metrics");
  EXPECT_THAT(metrics->body, HasSubstr("vellum_writes_refused 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("vellum_commit_errors_total 1\n"));
  // Once a reopen succeeds, appends are taken again, without a restart.
  faults_.FailNextReopens(0);
  ASSERT_TRUE(ledger::WaitUntil([&] { return Send("GET", "/healthz")->status == 200; },
                                absl::Seconds(30)));
  auto appended = Send("POST", "/v1/entries", "kept");
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->status, 200) << appended->body;
  EXPECT_EQ(FromJson<AppendResponse>(appended).index(), 3u);
  metrics = Send("GET", "/metrics");
  EXPECT_THAT(metrics->body, HasSubstr("vellum_writes_refused 0\n"));
  EXPECT_THAT(metrics->body, HasSubstr("vellum_store_reopens_total 1\n"));
}

TEST_F(LogServiceTest, AFullDiskIs507WithRetryAfter) {
  Start();
  faults_.FailNextReopens(1000000);
  faults_.FailNextCommits(
      1, ledger::InsufficientStorageError("cannot commit batch: IO error: No space left on device"));
  auto failed = Send("POST", "/v1/entries", "lost");
  ExpectError(failed, 507, "No space left on device; the batch may have been stored");
  EXPECT_EQ(HeaderOf(*failed, "Retry-After"), "1");
  EXPECT_EQ(StatusFromResponse(*failed).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(ledger::IsInsufficientStorage(StatusFromResponse(*failed)));
}

TEST_F(LogServiceTest, AFullAppendQueueIs503WithRetryAfter) {
  sequencer_options_.max_queued_entries = 1;
  sequencer_options_.max_batch_entries = 1;
  absl::Notification release;
  std::atomic<bool> holding{false};
  faults_.SetBeforeCommit([&] {
    holding = true;
    release.WaitForNotificationWithTimeout(absl::Seconds(30));
  });
  Start();
  // One append is held in its commit, the next is built into the batch after it, the third
  // waits in the queue, which is then full.
  std::vector<std::thread> appenders;
  std::atomic<int> ok{0};
  auto append = [&](std::string entry) {
    auto client = NewClient();
    auto response = client->Send("POST", "/v1/entries", entry, {});
    if (response.ok() && response->status == 200) ok++;
  };
  appenders.emplace_back(append, "held");
  ASSERT_TRUE(ledger::WaitUntil([&] { return holding.load(); }, absl::Seconds(30)));
  // Until the sequencer's metrics show `sample`.
  auto shows = [&](const char* sample) {
    return ledger::WaitUntil(
        [&] {
          std::string metrics;
          sequencer_->RenderMetrics(&metrics);
          return absl::StrContains(metrics, sample);
        },
        absl::Seconds(30));
  };
  appenders.emplace_back(append, "built");
  ASSERT_TRUE(shows("vellum_append_building_entries 1\n"));
  appenders.emplace_back(append, "queued");
  ASSERT_TRUE(shows("vellum_append_queue_entries 1\n"));
  auto refused = Send("POST", "/v1/entries", "refused");
  ExpectError(refused, 503, "the append queue holds 1 entries of 6 bytes");
  EXPECT_EQ(HeaderOf(*refused, "Retry-After"), "1");
  release.Notify();
  for (std::thread& t : appenders) t.join();
  EXPECT_EQ(ok.load(), 3);
  auto metrics = Send("GET", "/metrics");
  EXPECT_THAT(metrics->body,
              HasSubstr("vellum_appends_refused_total{reason=\"queue_full\"} 1\n"));
  EXPECT_EQ(CurrentCheckpoint().size, 3u);
}

TEST_F(LogServiceTest, AnIdempotencyKeyAppendsAnEntryOnce) {
  Start();
  AppendNumbered(3);
  const std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "k-1"}};
  auto first = FromJson<AppendResponse>(Send("POST", "/v1/entries", "once", key));
  EXPECT_EQ(first.index(), 3u);
  EXPECT_FALSE(first.duplicate());
  AppendNumbered(2);
  auto again = FromJson<AppendResponse>(Send("POST", "/v1/entries", "once", key));
  EXPECT_EQ(again.index(), 3u);
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.tree_size(), 6u);
  EXPECT_EQ(again.leaf_hash(), first.leaf_hash());
  // The quoted form of draft-ietf-httpapi-idempotency-key-header names the same key, and a
  // receipt proves the original entry.
  auto with_receipt = FromJson<AppendResponse>(
      Send("POST", "/v1/entries?receipt=1", "once", {{"Idempotency-Key", "\"k-1\""}}));
  EXPECT_TRUE(with_receipt.duplicate());
  auto receipt = ParseReceipt(with_receipt.receipt());
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->index, 3u);
  EXPECT_TRUE(VerifyReceipt(*receipt, "once", *verifier_).ok());
  ExpectError(Send("POST", "/v1/entries", "other", key), 409,
              "k-1\\\" was used for another append, at index 3; use a new key");
  ExpectError(Send("POST", "/v1/entries", "x", {{"Idempotency-Key", "a b"}}), 400,
              "idempotency key byte 1 is 0x20");
  ExpectError(Send("POST", "/v1/entries", "x", {{"Idempotency-Key", std::string(129, 'k')}}),
              400, "idempotency key is 129 bytes, want 1 to 128");
  EXPECT_EQ(CurrentCheckpoint().size, 6u);
}

TEST_F(LogServiceTest, AnIdempotencyKeyNamesAWholeBatch) {
  Start();
  AppendNumbered(2);
  auto batch = [](const std::vector<std::string>& entries) {
    AppendBatchRequest request;
    for (const std::string& e : entries) request.add_entries(e);
    return request.SerializeAsString();
  };
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", kProtobuf}, {"Idempotency-Key", "batch-7"}};
  auto first = FromJson<AppendBatchResponse>(
      Send("POST", "/v1/entries:batch", batch({"a", "b", "c"}), headers));
  EXPECT_EQ(first.first_index(), 2u);
  EXPECT_FALSE(first.duplicate());
  auto again = FromJson<AppendBatchResponse>(
      Send("POST", "/v1/entries:batch", batch({"a", "b", "c"}), headers));
  EXPECT_EQ(again.first_index(), 2u);
  EXPECT_EQ(again.count(), 3u);
  EXPECT_TRUE(again.duplicate());
  ExpectError(Send("POST", "/v1/entries:batch", batch({"a", "b"}), headers), 409,
              "batch-7\\\" was used for another append, at index 2");
  EXPECT_EQ(CurrentCheckpoint().size, 5u);
}

TEST_F(LogServiceTest, WrongMethodIs405WithAllow) {
  Start();
  struct Case {
    const char* method;
    const char* target;
    const char* allow;
  };
  const Case cases[] = {
      {"POST", "/checkpoint", "GET"},          {"PUT", "/tile/0/000", "GET"},
      {"DELETE", "/tile/entries/000", "GET"},  {"GET", "/v1/entries", "POST"},
      {"PUT", "/v1/entries", "POST"},          {"GET", "/v1/entries:batch", "POST"},
      {"POST", "/v1/entries/0", "GET"},        {"POST", "/v1/proof/inclusion", "GET"},
      {"POST", "/v1/proof/consistency", "GET"}, {"DELETE", "/v1/log", "GET"},
      {"POST", "/healthz", "GET"},             {"POST", "/metrics", "GET"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.method, " ", c.target));
    auto response = Send(c.method, c.target, c.method == std::string("GET") ? "" : "x");
    ExpectError(response, 405, absl::StrCat("method ", c.method, " not allowed; use ", c.allow));
    EXPECT_EQ(HeaderOf(*response, "Allow"), c.allow);
  }
  for (const char* target : {"/", "/v2/entries", "/checkpoint/", "/tiles/0/000", "/v1/proof"}) {
    SCOPED_TRACE(target);
    ExpectError(Send("GET", target), 404, "no such endpoint");
  }
}

// --- Concurrency ---------------------------------------------------------------------------------

// With a shared tile cache small enough to evict, as vellumd runs: receipts of one batch are
// proved together, and proofs at every size read cached tiles.
TEST_F(LogServiceTest, ConcurrentAppendsAllVerify) {
  LogService::Options options;
  options.tile_cache = &small_cache_;
  Start(options);
  constexpr int kThreads = 8;
  constexpr int kRequests = 30;
  struct Acked {
    uint64_t index;
    std::string entry;
    std::string receipt;  // Empty when not asked for.
  };
  absl::Mutex mu;
  std::vector<Acked> acked;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<HttpClient> client = NewClient();
      ASSERT_NE(client, nullptr);
      for (int r = 0; r < kRequests; ++r) {
        const std::string tag = absl::StrCat("thread ", t, " request ", r);
        if (r % 3 == 2) {  // A batch.
          AppendBatchRequest request;
          for (int i = 0; i < 1 + r % 7; ++i) request.add_entries(absl::StrCat(tag, " #", i));
          auto response = client->Send("POST", "/v1/entries:batch", request.SerializeAsString(),
                                       {{"Content-Type", kProtobuf}, {"Accept", kProtobuf}});
          ASSERT_TRUE(response.ok()) << response.status();
          ASSERT_EQ(response->status, 200) << response->body;
          auto answer = FromProtobuf<AppendBatchResponse>(*response);
          ASSERT_EQ(answer.count(), static_cast<uint64_t>(request.entries_size()));
          ASSERT_GE(answer.tree_size(), answer.first_index() + answer.count());
          absl::MutexLock lock(&mu);
          for (int i = 0; i < request.entries_size(); ++i) {
            acked.push_back({answer.first_index() + i, request.entries(i), ""});
          }
        } else {
          const bool receipt = r % 3 == 0;
          auto response = client->Send("POST", receipt ? "/v1/entries?receipt=1" : "/v1/entries",
                                       tag, {{"Accept", kProtobuf}});
          ASSERT_TRUE(response.ok()) << response.status();
          ASSERT_EQ(response->status, 200) << response->body;
          auto answer = FromProtobuf<AppendResponse>(*response);
          ASSERT_GT(answer.tree_size(), answer.index());
          absl::MutexLock lock(&mu);
          acked.push_back({answer.index(), tag, answer.receipt()});
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (HasFatalFailure()) return;

  // Every index was handed out once, and the log holds exactly the acknowledged entries.
  std::vector<std::string> entries(acked.size());
  for (const Acked& a : acked) {
    ASSERT_LT(a.index, entries.size());
    ASSERT_EQ(entries[a.index], "") << "index " << a.index << " acknowledged twice";
    entries[a.index] = a.entry;
  }
  const Checkpoint final_checkpoint = CurrentCheckpoint();
  ASSERT_EQ(final_checkpoint.size, entries.size());
  EXPECT_EQ(final_checkpoint.root, RootOf(entries, entries.size()));

  int receipts = 0;
  for (const Acked& a : acked) {
    SCOPED_TRACE(absl::StrCat("index ", a.index));
    if (!a.receipt.empty()) {
      ++receipts;
      auto receipt = ParseReceipt(a.receipt);
      ASSERT_TRUE(receipt.ok()) << receipt.status();
      EXPECT_TRUE(VerifyReceipt(*receipt, a.entry, *verifier_).ok());
      // The receipt's checkpoint is a prefix of the final tree.
      auto old = OpenCheckpoint(receipt->checkpoint, *verifier_);
      ASSERT_TRUE(old.ok()) << old.status();
      auto proof = FromJson<ConsistencyProof>(Send(
          "GET", absl::StrCat("/v1/proof/consistency?from=", old->size, "&to=",
                              final_checkpoint.size)));
      EXPECT_TRUE(VerifyConsistency(old->size, final_checkpoint.size, Hashes(proof.proof()),
                                    old->root, final_checkpoint.root)
                      .ok());
      EXPECT_EQ(old->root, RootOf(entries, old->size));
    }
    auto proof = FromProtobuf<InclusionProof>(Send(
        "GET", absl::StrCat("/v1/proof/inclusion?index=", a.index), "", {{"Accept", kProtobuf}}));
    EXPECT_TRUE(VerifyInclusion(a.index, final_checkpoint.size, HashLeaf(a.entry),
                                Hashes(proof.proof()), final_checkpoint.root)
                    .ok());
  }
  EXPECT_EQ(receipts, kThreads * (kRequests / 3));
  EXPECT_GT(small_cache_.stats().hits, 0u);
  auto metrics = Send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(metrics->body, HasSubstr("vellum_tile_cache_hits_total"));
  std::printf("%zu entries from %d threads\n", entries.size(), kThreads);
}

// --- Server limits -------------------------------------------------------------------------------

TEST_F(LogServiceTest, AnswerToHeadHasNoBody) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(connection.connected());
  // Pipelined on one connection: the second answer must be read as its own response.
  ASSERT_TRUE(connection.Send("HEAD /checkpoint HTTP/1.1\r\nHost: test\r\n\r\n"
                              "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  std::string answer = connection.ReadUntilClosed(&closed);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(answer, Not(HasSubstr("{\"error\"")));
  const size_t second = answer.find("HTTP/1.1 200 ");
  ASSERT_NE(second, std::string::npos) << answer;
  EXPECT_THAT(answer.substr(second), EndsWith("\r\n\r\nok\n"));
}

TEST_F(LogServiceTest, OversizedHeaderIs431) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.Send(absl::StrCat("GET /checkpoint HTTP/1.1\r\nHost: test\r\nX-Big: ",
                                           std::string(16 * 1024, 'h'), "\r\n\r\n")));
  bool closed = false;
  std::string answer = connection.ReadUntilClosed(&closed);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 431 "));
  EXPECT_THAT(answer, HasSubstr("{\"error\":\"request header is larger than the limit\"}"));
  EXPECT_TRUE(closed);
  // The server goes on serving.
  EXPECT_EQ(CurrentCheckpoint().size, 0u);
}

TEST_F(LogServiceTest, OversizedBodyIs413) {
  HttpServer::Options limits;
  limits.max_body_bytes = 1024;
  Start({}, limits);
  {
    // Declared too large: refused without reading it.
    RawConnection connection(port());
    ASSERT_TRUE(connection.connected());
    ASSERT_TRUE(connection.Send(
        "POST /v1/entries HTTP/1.1\r\nHost: test\r\nContent-Length: 4096\r\n\r\n"));
    bool closed = false;
    std::string answer = connection.ReadUntilClosed(&closed);
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 413 "));
    EXPECT_THAT(answer, HasSubstr("request body is 4096 bytes, want at most 1024 for POST "
                                  "/v1/entries"));
    EXPECT_TRUE(closed);
  }
  {
    // Chunked, so that only the bytes show it.
    RawConnection connection(port());
    ASSERT_TRUE(connection.connected());
    ASSERT_TRUE(connection.Send(absl::StrCat(
        "POST /v1/entries HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n",
        std::string(0x800, 'b'), "\r\n0\r\n\r\n")));
    bool closed = false;
    std::string answer = connection.ReadUntilClosed(&closed);
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 413 "));
    EXPECT_THAT(answer, HasSubstr("request body is larger than the limit of 1024 bytes"));
  }
  auto response = Send("POST", "/v1/entries", std::string(1024, 'x'));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(sequencer_->Head()->size, 1u);
}

TEST_F(LogServiceTest, SlowClientsAreCutOff) {
  HttpServer::Options limits;
  limits.header_timeout = absl::Milliseconds(300);
  limits.idle_timeout = absl::Milliseconds(300);
  Start({}, limits);
  {
    // Half a request, then silence.
    RawConnection connection(port());
    ASSERT_TRUE(connection.connected());
    ASSERT_TRUE(connection.Send("GET /checkpoint HTTP/1.1\r\nHost: te"));
    bool closed = false;
    std::string answer = connection.ReadUntilClosed(&closed);
    EXPECT_TRUE(closed) << "the server kept a stalled request open";
    EXPECT_EQ(answer, "");
  }
  {
    // A request dribbled out a byte at a time: the deadline holds although bytes keep coming.
    RawConnection connection(port());
    ASSERT_TRUE(connection.connected());
    const std::string request = absl::StrCat("GET /checkpoint HTTP/1.1\r\nHost: test\r\nX-Pad: ",
                                             std::string(400, 'p'), "\r\n\r\n");
    bool cut_off = false;
    for (size_t i = 0; i < request.size() && !cut_off; ++i) {
      cut_off = !connection.Send(request.substr(i, 1));
      absl::SleepFor(absl::Milliseconds(10));
    }
    bool closed = false;
    std::string answer = connection.ReadUntilClosed(&closed);
    EXPECT_TRUE(cut_off || closed);
    EXPECT_THAT(answer, Not(HasSubstr("200 OK")));
  }
  // Prompt clients are still served.
  EXPECT_EQ(CurrentCheckpoint().size, 0u);
}

}  // namespace
}  // namespace api
}  // namespace vellum
