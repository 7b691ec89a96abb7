#include "tools/log_client.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/log.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/leveldb_storage.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"
#include "proof/tile.h"

namespace vellum {
namespace cli {
namespace {

using ::testing::HasSubstr;

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string Entry(uint64_t i) { return absl::StrCat("entry ", i, " of the test log"); }

// A log built by the real sequencer over LevelDB, remembering the head after every append.
class TestLog {
 public:
  explicit TestLog(const std::string& name, const std::string& entry_prefix = "") {
    key_ = *GenerateNoteKey("example.com/test-log");
    signer_ = *NoteSigner::Create(key_.signer_key);
    verifier_ = *NoteVerifier::Create(key_.verifier_key);
    storage_ = *ledger::LevelDbStorage::Open(absl::StrCat(TempDir(), "/", name), {});
    sequencer_ = *ledger::Sequencer::Create(storage_.get(), signer_.get(), {});
    prefix_ = entry_prefix;
    heads_.push_back(sequencer_->Head());
  }

  // Appends entries until the tree has `size` leaves, in one call.
  void GrowTo(uint64_t size) {
    std::vector<std::string> entries;
    for (uint64_t i = sequencer_->Head()->size; i < size; ++i) {
      entries.push_back(prefix_ + Entry(i));
    }
    ASSERT_TRUE(sequencer_->Append(std::move(entries)).ok());
    heads_.push_back(sequencer_->Head());
  }

  const ledger::LevelDbStorage& storage() const { return *storage_; }
  const NoteVerifier& verifier() const { return *verifier_; }
  const GeneratedKey& key() const { return key_; }
  const std::vector<std::shared_ptr<const ledger::LogHead>>& heads() const { return heads_; }
  std::shared_ptr<const ledger::LogHead> head() const { return sequencer_->Head(); }

 private:
  GeneratedKey key_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::unique_ptr<ledger::LevelDbStorage> storage_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::string prefix_;
  std::vector<std::shared_ptr<const ledger::LogHead>> heads_;
};

// Serves a log's endpoints from its storage, as vellumd would, with a given checkpoint; answers
// can be replaced or removed to play a misbehaving server.
class StorageFetcher : public LogFetcher {
 public:
  StorageFetcher(const TestLog& log, const ledger::LogHead& head)
      : log_(log), prover_(log.storage()), checkpoint_(head.checkpoint), size_(head.size) {}

  absl::StatusOr<std::string> Get(absl::string_view target) override {
    std::string t(target);
    fetched.push_back(t);
    if (missing.count(t) > 0) return absl::NotFoundError(absl::StrCat("GET ", t, ": HTTP 404"));
    if (failing.count(t) > 0) return absl::UnavailableError(absl::StrCat("GET ", t, ": HTTP 503"));
    if (auto it = replace.find(t); it != replace.end()) return it->second;
    if (t == "/checkpoint") return checkpoint_;
    if (t == "/v1/log") {
      api::LogInfo info;
      info.set_verifier_key(log_.key().verifier_key);
      return info.SerializeAsString();
    }
    absl::StatusOr<std::string> data = absl::NotFoundError(absl::StrCat("GET ", t, ": HTTP 404"));
    if (absl::StartsWith(t, "/tile/entries/")) {
      absl::StatusOr<EntryBundleId> bundle = ParseEntryBundlePath(t.substr(1));
      if (bundle.ok()) data = log_.storage().ReadEntryBundle(*bundle);
    } else if (absl::StartsWith(t, "/tile/")) {
      absl::StatusOr<TileId> tile = ParseTilePath(t.substr(1));
      if (tile.ok()) data = log_.storage().ReadTile(*tile);
    } else if (absl::StartsWith(t, "/v1/entries/")) {
      uint64_t index;
      if (absl::SimpleAtoi(t.substr(12), &index)) data = prover_.Entry(index, size_);
    } else if (absl::StartsWith(t, "/v1/proof/inclusion?")) {
      std::vector<std::string> parts = absl::StrSplit(t, absl::ByAnyChar("?=&"));
      uint64_t index, size;
      if (parts.size() == 5 && absl::SimpleAtoi(parts[2], &index) &&
          absl::SimpleAtoi(parts[4], &size)) {
        absl::StatusOr<std::vector<Hash>> proof = prover_.InclusionProof(index, size, size_);
        if (!proof.ok()) return absl::UnavailableError(proof.status().message());
        api::InclusionProof message;
        message.set_index(index);
        message.set_tree_size(size);
        for (const Hash& h : *proof) message.add_proof(std::string(HashBytes(h)));
        data = message.SerializeAsString();
      }
    }
    if (absl::IsNotFound(data.status())) {
      return absl::NotFoundError(absl::StrCat("GET ", t, ": HTTP 404"));
    }
    return data;
  }

  std::map<std::string, std::string> replace;
  std::set<std::string> missing;
  std::set<std::string> failing;
  std::vector<std::string> fetched;

 private:
  const TestLog& log_;
  const ledger::Prover prover_;
  const std::string checkpoint_;
  const uint64_t size_;
};

Checkpoint Open(const TestLog& log, const ledger::LogHead& head) {
  return *OpenCheckpoint(head.checkpoint, log.verifier());
}

uint64_t TileCount(uint64_t size) {
  uint64_t count = 0;
  for (const LevelTiles& level : TilesForSize(size)) count += level.tile_count();
  return count;
}

// Sizes around tile and bundle edges, up to a level-2 tile.
const uint64_t kSizes[] = {1,     2,     255,   256,   257,   511,          512,
                           513,   65535, 65536, 65537, 65536 + 256 * 3 + 7, 131072 + 1};

class AuditTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    log_ = new TestLog("audit");
    for (uint64_t size : kSizes) log_->GrowTo(size);
  }
  static void TearDownTestSuite() {
    delete log_;
    log_ = nullptr;
  }
  static const ledger::LogHead& HeadOfSize(uint64_t size) {
    for (const auto& head : log_->heads()) {
      if (head->size == size) return *head;
    }
    ADD_FAILURE() << "no head of size " << size;
    return *log_->heads().front();
  }

  static TestLog* log_;
};

TestLog* AuditTest::log_ = nullptr;

TEST_F(AuditTest, AcceptsTheLogAtEveryCheckpointedSize) {
  for (const auto& head : log_->heads()) {
    StorageFetcher fetcher(*log_, *head);
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, *head), {});
    ASSERT_TRUE(result.ok()) << "size " << head->size << ": " << result.status();
    EXPECT_EQ(result->entries, head->size);
    EXPECT_EQ(result->bundles, (head->size + 255) / 256);
    EXPECT_EQ(result->tiles, TileCount(head->size)) << head->size;
    EXPECT_EQ(result->root, head->root) << head->size;
  }
}

TEST_F(AuditTest, EmptyLog) {
  const ledger::LogHead& empty = HeadOfSize(0);
  StorageFetcher fetcher(*log_, empty);
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, empty), {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->entries, 0u);
  EXPECT_EQ(result->root, EmptyRoot());
  EXPECT_TRUE(fetcher.fetched.empty());
}

TEST_F(AuditTest, ReadsSupersededPartialTilesFromFullOnes) {
  // At size 257, tile 0/001 had width 1; the log has grown since and replaced it.
  const ledger::LogHead& head = HeadOfSize(257);
  StorageFetcher fetcher(*log_, head);
  ASSERT_TRUE(AuditLog(fetcher, Open(*log_, head), {}).ok());
  EXPECT_THAT(fetcher.fetched,
              ::testing::IsSupersetOf({"/tile/0/001.p/1", "/tile/0/001", "/tile/entries/001.p/1",
                                       "/tile/entries/001", "/tile/1/000.p/1"}));
}

TEST_F(AuditTest, FetchesEveryTileAndBundleOnce) {
  const uint64_t size = 131072 + 1;  // The latest size: no partial tile is superseded yet.
  StorageFetcher fetcher(*log_, HeadOfSize(size));
  ASSERT_TRUE(AuditLog(fetcher, Open(*log_, HeadOfSize(size)), {}).ok());
  std::set<std::string> want;
  for (const LevelTiles& level : TilesForSize(size)) {
    for (uint64_t n = 0; n < level.tile_count(); ++n) {
      uint16_t width = n < level.full_tiles ? kTileWidth : level.partial_width;
      want.insert("/" + TilePath({level.level, n, width}));
      if (level.level == 0) want.insert("/" + EntryBundlePath({n, width}));
    }
  }
  std::set<std::string> got(fetcher.fetched.begin(), fetcher.fetched.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(fetcher.fetched.size(), want.size());
}

TEST_F(AuditTest, NamesATamperedLevel0TileHash) {
  const uint64_t size = 65537;
  const ledger::LogHead& head = HeadOfSize(size);
  StorageFetcher fetcher(*log_, head);
  std::string tile = *log_->storage().ReadTile({0, 1, kTileWidth});
  const Hash want = HashLeaf(Entry(256 + 17));
  Hash got = want;
  got[5] ^= 1;
  tile.replace(17 * 32, 32, std::string(HashBytes(got)));
  fetcher.replace["/tile/0/001"] = tile;
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("tile/0/001 hash 17: got ", HashToBase64(got), ", want ",
                         HashToBase64(want), " (the leaf hash of entry 273)"));
}

TEST_F(AuditTest, NamesATamperedEntry) {
  const ledger::LogHead& head = HeadOfSize(513);
  StorageFetcher fetcher(*log_, head);
  // The log has grown since: bundle 002.p/1 is now the first entry of the full bundle.
  std::vector<std::string> entries = {"forged"};
  fetcher.replace["/tile/entries/002.p/1"] = *EncodeEntryBundle(entries);
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("tile/0/002.p/1 hash 0: got ", HashToBase64(HashLeaf(Entry(512))),
                         ", want ", HashToBase64(HashLeaf("forged")),
                         " (the leaf hash of entry 512)"));
}

TEST_F(AuditTest, NamesATamperedHigherLevelTile) {
  const uint64_t size = 131072 + 1;
  const ledger::LogHead& head = HeadOfSize(size);
  StorageFetcher fetcher(*log_, head);
  // Level 1 tile 000 is full at this size; corrupt its hash 200, the root of tile/0/200.
  std::string tile = *log_->storage().ReadTile({1, 0, kTileWidth});
  const Hash want = *HashFromBytes(tile.substr(200 * 32, 32));
  tile[200 * 32] ^= 0x40;
  const Hash got = *HashFromBytes(tile.substr(200 * 32, 32));
  fetcher.replace["/tile/1/000"] = tile;
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("tile/1/000 hash 200: got ", HashToBase64(got), ", want ",
                         HashToBase64(want), " (the root of tile/0/200)"));
  // Level 2 is where the 131072 + 1 tree's big peak lives.
  fetcher.replace.clear();
  std::string top = *log_->storage().ReadTile({2, 0, 2});
  top[40] ^= 1;
  fetcher.replace["/tile/2/000.p/2"] = top;
  result = AuditLog(fetcher, Open(*log_, head), {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_THAT(std::string(result.status().message()),
              ::testing::StartsWith("tile/2/000.p/2 hash 1: got "));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("(the root of tile/1/001)"));
}

TEST_F(AuditTest, ADifferentTreeUnderTheCheckpointFailsAtTheRoot) {
  // A server serves another, self-consistent tree of 600 entries under a checkpoint of size 600
  // signed by this log's key: every tile agrees with the one below, but not with the root.
  TestLog other("audit-other", "other ");
  other.GrowTo(600);
  std::unique_ptr<NoteSigner> signer = *NoteSigner::Create(log_->key().signer_key);
  Checkpoint lie;
  lie.origin = "example.com/test-log";
  lie.size = 600;
  lie.root = log_->head()->root;
  StorageFetcher fetcher(other, *other.head());
  fetcher.replace["/checkpoint"] = *SignCheckpoint(lie, *signer);
  absl::StatusOr<VerifiedCheckpoint> checkpoint = FetchCheckpoint(fetcher, log_->verifier());
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  absl::StatusOr<AuditResult> result = AuditLog(fetcher, checkpoint->checkpoint, {});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_EQ(result.status().message(),
            absl::StrCat("root of tree size 600 from the tiles: got ",
                         HashToBase64(other.head()->root), ", want the checkpoint's ",
                         HashToBase64(lie.root)));
}

TEST_F(AuditTest, MissingAndMalformedResources) {
  const ledger::LogHead& head = HeadOfSize(513);
  // Missing partial tiles and bundles of the latest size, whose full versions do not exist yet.
  const ledger::LogHead& latest = *log_->head();
  for (const char* target : {"/tile/2/000.p/2", "/tile/0/512.p/1", "/tile/entries/512.p/1"}) {
    StorageFetcher fetcher(*log_, latest);
    fetcher.missing.insert(target);
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, latest), {});
    EXPECT_TRUE(absl::IsNotFound(result.status())) << result.status();
    EXPECT_EQ(result.status().message(), absl::StrCat("GET ", target, ": HTTP 404"));
  }
  {
    StorageFetcher fetcher(*log_, head);
    fetcher.replace["/tile/0/000"] = std::string(255 * 32, 'x');
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
    EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
    EXPECT_THAT(std::string(result.status().message()), ::testing::StartsWith("tile/0/000: "));
  }
  {
    StorageFetcher fetcher(*log_, head);
    fetcher.replace["/tile/entries/001"] = *EncodeEntryBundle(std::vector<std::string>{"a"});
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
    EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
    EXPECT_THAT(std::string(result.status().message()), ::testing::StartsWith("tile/entries/001: "));
  }
  {
    StorageFetcher fetcher(*log_, head);
    fetcher.failing.insert("/tile/0/001");
    absl::StatusOr<AuditResult> result = AuditLog(fetcher, Open(*log_, head), {});
    EXPECT_TRUE(IsExchangeError(result.status())) << result.status();
    EXPECT_EQ(result.status().message(), "GET /tile/0/001: HTTP 503");
  }
}

TEST_F(AuditTest, ReportsProgress) {
  const ledger::LogHead& head = HeadOfSize(65537);
  StorageFetcher fetcher(*log_, head);
  AuditOptions options;
  options.progress_every_bundles = 64;
  std::vector<AuditProgress> reports;
  options.progress = [&](const AuditProgress& p) { reports.push_back(p); };
  ASSERT_TRUE(AuditLog(fetcher, Open(*log_, head), options).ok());
  // 257 bundles: after 64, 128, 192, 256, and at the end.
  ASSERT_EQ(reports.size(), 5u);
  EXPECT_EQ(reports[0].entries, 64u * 256);
  EXPECT_EQ(reports[0].bundles, 64u);
  EXPECT_EQ(reports.back().entries, 65537u);
  EXPECT_EQ(reports.back().tree_size, 65537u);
  EXPECT_EQ(reports.back().tiles, TileCount(65537));
}

TEST_F(AuditTest, FetchCheckpoint) {
  const ledger::LogHead& head = HeadOfSize(257);
  StorageFetcher fetcher(*log_, head);
  absl::StatusOr<VerifiedCheckpoint> ok = FetchCheckpoint(fetcher, log_->verifier());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->note, head.checkpoint);
  EXPECT_EQ(ok->checkpoint.size, 257u);
  EXPECT_EQ(ok->checkpoint.root, head.root);

  auto stranger = *GenerateNoteKey("example.com/test-log");
  absl::StatusOr<VerifiedCheckpoint> wrong_key =
      FetchCheckpoint(fetcher, **NoteVerifier::Create(stranger.verifier_key));
  EXPECT_TRUE(absl::IsUnauthenticated(wrong_key.status())) << wrong_key.status();
  EXPECT_THAT(std::string(wrong_key.status().message()), ::testing::StartsWith("checkpoint: "));

  fetcher.replace["/checkpoint"] = "garbage\n";
  EXPECT_TRUE(absl::IsInvalidArgument(FetchCheckpoint(fetcher, log_->verifier()).status()));

  fetcher.missing.insert("/checkpoint");
  absl::StatusOr<VerifiedCheckpoint> missing = FetchCheckpoint(fetcher, log_->verifier());
  EXPECT_TRUE(IsExchangeError(missing.status())) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("is the URL the log's?"));
}

TEST_F(AuditTest, FetchAndVerifyInclusion) {
  const ledger::LogHead& head = HeadOfSize(65537);
  const Checkpoint checkpoint = Open(*log_, head);
  StorageFetcher fetcher(*log_, head);
  for (uint64_t index : {0u, 1u, 255u, 256u, 4095u, 65535u, 65536u}) {
    absl::StatusOr<ProvedEntry> proved = FetchAndVerifyInclusion(fetcher, checkpoint, index);
    ASSERT_TRUE(proved.ok()) << index << ": " << proved.status();
    EXPECT_EQ(proved->entry, Entry(index));
    EXPECT_EQ(proved->leaf_hash, HashLeaf(Entry(index)));
    EXPECT_EQ(proved->tree_size, 65537u);
    EXPECT_EQ(proved->root, head.root);
    EXPECT_EQ(proved->proof.size(), index == 65536 ? 1u : 17u);
  }
  absl::StatusOr<ProvedEntry> past = FetchAndVerifyInclusion(fetcher, checkpoint, 65537);
  EXPECT_TRUE(absl::IsOutOfRange(past.status())) << past.status();
  EXPECT_EQ(past.status().message(), "index 65537 is past the checkpoint's tree size 65537");

  // The server lies about the entry.
  fetcher.replace["/v1/entries/7"] = "forged";
  absl::StatusOr<ProvedEntry> forged = FetchAndVerifyInclusion(fetcher, checkpoint, 7);
  EXPECT_TRUE(absl::IsInvalidArgument(forged.status())) << forged.status();
  EXPECT_THAT(std::string(forged.status().message()),
              ::testing::StartsWith("inclusion proof of entry 7: root mismatch: got "));
}

TEST(VerifyInclusionAnswerTest, RejectsAnswersForOtherQuestions) {
  Checkpoint checkpoint;
  checkpoint.origin = "o";
  checkpoint.size = 2;
  checkpoint.root = HashChildren(HashLeaf("a"), HashLeaf("b"));
  api::InclusionProof message;
  message.set_index(1);
  message.set_tree_size(2);
  message.add_proof(std::string(HashBytes(HashLeaf("a"))));
  ASSERT_TRUE(VerifyInclusionAnswer(checkpoint, 1, "b", message.SerializeAsString()).ok());

  absl::StatusOr<ProvedEntry> wrong_index =
      VerifyInclusionAnswer(checkpoint, 0, "a", message.SerializeAsString());
  EXPECT_TRUE(absl::IsInvalidArgument(wrong_index.status()));
  EXPECT_EQ(wrong_index.status().message(),
            "the inclusion proof is for index 1 in tree size 2, want index 0 in tree size 2");

  message.set_leaf_hash(std::string(HashBytes(HashLeaf("c"))));
  EXPECT_THAT(std::string(VerifyInclusionAnswer(checkpoint, 1, "b", message.SerializeAsString())
                  .status()
                  .message()),
              HasSubstr("names another leaf hash"));
  message.clear_leaf_hash();
  message.add_proof("short");
  EXPECT_EQ(VerifyInclusionAnswer(checkpoint, 1, "b", message.SerializeAsString())
                .status()
                .message(),
            "proof hash 1: hash is 5 bytes, want 32");
  EXPECT_THAT(std::string(VerifyInclusionAnswer(checkpoint, 1, "b", "\xff\xff").status().message()),
              HasSubstr("not an InclusionProof"));
}

// The JSON answer of POST /v1/entries?receipt=1 for `entry` at `index` of `log`'s head.
std::string AppendAnswer(const TestLog& log, uint64_t index, absl::string_view entry,
                         absl::string_view receipt_entry_override = "") {
  std::shared_ptr<const ledger::LogHead> head = log.head();
  ledger::Prover prover(log.storage());
  Receipt receipt;
  receipt.index = index;
  receipt.proof = *prover.InclusionProof(index, head->size, head->size);
  receipt.checkpoint = head->checkpoint;
  api::AppendResponse message;
  message.set_index(index);
  message.set_leaf_hash(std::string(HashBytes(
      HashLeaf(receipt_entry_override.empty() ? entry : receipt_entry_override))));
  message.set_tree_size(head->size);
  message.set_receipt(FormatReceipt(receipt));
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

TEST_F(AuditTest, VerifyAppendAnswer) {
  const uint64_t last = log_->head()->size - 1;
  const std::string entry = Entry(last);
  absl::StatusOr<Receipt> ok = VerifyAppendAnswer(AppendAnswer(*log_, last, entry), entry,
                                                  log_->verifier());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->index, last);
  EXPECT_TRUE(VerifyReceipt(*ok, entry, log_->verifier()).ok());

  // The answer is for another entry than the one sent.
  absl::StatusOr<Receipt> other =
      VerifyAppendAnswer(AppendAnswer(*log_, last, entry), "not sent", log_->verifier());
  EXPECT_TRUE(absl::IsInvalidArgument(other.status()));
  EXPECT_EQ(other.status().message(),
            absl::StrCat("leafHash: got ", HashToBase64(HashLeaf(entry)), ", want ",
                         HashToBase64(HashLeaf("not sent"))));

  // A leaf hash that matches the entry, but a receipt proving another index.
  absl::StatusOr<Receipt> wrong_proof =
      VerifyAppendAnswer(AppendAnswer(*log_, last - 1, entry), entry, log_->verifier());
  EXPECT_FALSE(wrong_proof.ok());
  EXPECT_THAT(std::string(wrong_proof.status().message()), HasSubstr("receipt inclusion proof: root mismatch"));

  auto stranger = *GenerateNoteKey("example.com/test-log");
  absl::StatusOr<Receipt> wrong_key = VerifyAppendAnswer(
      AppendAnswer(*log_, last, entry), entry, **NoteVerifier::Create(stranger.verifier_key));
  EXPECT_TRUE(absl::IsUnauthenticated(wrong_key.status())) << wrong_key.status();

  std::string no_receipt = absl::StrCat(R"({"index": "3", "leafHash": ")",
                                        HashToBase64(HashLeaf(entry)), R"(", "treeSize": "4"})");
  EXPECT_EQ(VerifyAppendAnswer(no_receipt, entry, log_->verifier()).status().message(),
            "the answer has no receipt");
  EXPECT_THAT(std::string(VerifyAppendAnswer("not json", entry, log_->verifier()).status().message()),
              HasSubstr("not an AppendResponse"));
}

TEST(FetchErrorTest, MapsStatuses) {
  api::HttpResponse response;
  response.status = 404;
  response.body = "{\"error\": \"no such tile\"}\n";
  absl::Status not_found = FetchError("/tile/0/000", response);
  EXPECT_TRUE(absl::IsNotFound(not_found));
  EXPECT_EQ(not_found.message(), "GET /tile/0/000: HTTP 404: {\"error\": \"no such tile\"}");
  EXPECT_FALSE(IsExchangeError(not_found));
  for (int status : {400, 401, 429, 500, 503}) {
    response.status = status;
    EXPECT_TRUE(IsExchangeError(FetchError("/checkpoint", response))) << status;
  }
}

}  // namespace
}  // namespace cli
}  // namespace vellum
