#include "api/client/log_client.h"

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
#include "api/http.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "ledger/testing/growing_log.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"
#include "proof/tile.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;
using ::vellum::ledger::GrowingLog;

// Serves a log's dynamic endpoints from its storage, as vellumd would, with a given checkpoint;
// answers can be replaced or removed to play a misbehaving server.
class StorageFetcher : public LogFetcher {
 public:
  StorageFetcher(const GrowingLog& log, const ledger::LogHead& head)
      : log_(log), prover_(log.storage()), checkpoint_(head.checkpoint), size_(head.size) {}

  absl::StatusOr<std::string> Get(absl::string_view target) override {
    std::string t(target);
    if (missing.count(t) > 0) return absl::NotFoundError(absl::StrCat("GET ", t, ": HTTP 404"));
    if (auto it = replace.find(t); it != replace.end()) return it->second;
    if (t == "/checkpoint") return checkpoint_;
    if (t == "/v1/log") {
      LogInfo info;
      info.set_verifier_key(log_.key().verifier_key);
      return info.SerializeAsString();
    }
    absl::StatusOr<std::string> data = absl::NotFoundError(absl::StrCat("GET ", t, ": HTTP 404"));
    if (absl::StartsWith(t, "/v1/entries/")) {
      uint64_t index;
      if (absl::SimpleAtoi(t.substr(12), &index)) data = prover_.Entry(index, size_);
    } else if (absl::StartsWith(t, "/v1/proof/inclusion?")) {
      std::vector<std::string> parts = absl::StrSplit(t, absl::ByAnyChar("?=&"));
      uint64_t index, size;
      if (parts.size() == 5 && absl::SimpleAtoi(parts[2], &index) &&
          absl::SimpleAtoi(parts[4], &size)) {
        absl::StatusOr<std::vector<Hash>> proof = prover_.InclusionProof(index, size, size_);
        if (!proof.ok()) return absl::UnavailableError(proof.status().message());
        InclusionProof message;
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

 private:
  const GrowingLog& log_;
  const ledger::Prover prover_;
  const std::string checkpoint_;
  const uint64_t size_;
};

Checkpoint Open(const GrowingLog& log, const ledger::LogHead& head) {
  return *OpenCheckpoint(head.checkpoint, log.verifier());
}

class LogClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    log_ = GrowingLog::AtEdgeSizes().release();
  }
  static void TearDownTestSuite() {
    delete log_;
    log_ = nullptr;
  }
  static const ledger::LogHead& HeadOfSize(uint64_t size) { return log_->HeadOfSize(size); }

  static GrowingLog* log_;
};

GrowingLog* LogClientTest::log_ = nullptr;

TEST_F(LogClientTest, FetchCheckpoint) {
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

TEST_F(LogClientTest, FetchAndVerifyInclusion) {
  const ledger::LogHead& head = HeadOfSize(65537);
  const Checkpoint checkpoint = Open(*log_, head);
  StorageFetcher fetcher(*log_, head);
  for (uint64_t index : {0u, 1u, 255u, 256u, 4095u, 65535u, 65536u}) {
    absl::StatusOr<ProvedEntry> proved = FetchAndVerifyInclusion(fetcher, checkpoint, index);
    ASSERT_TRUE(proved.ok()) << index << ": " << proved.status();
    EXPECT_EQ(proved->entry, GrowingLog::Entry(index));
    EXPECT_EQ(proved->leaf_hash, HashLeaf(GrowingLog::Entry(index)));
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
  InclusionProof message;
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
std::string AppendAnswer(const GrowingLog& log, uint64_t index, absl::string_view entry,
                         absl::string_view receipt_entry_override = "") {
  std::shared_ptr<const ledger::LogHead> head = log.head();
  ledger::Prover prover(log.storage());
  Receipt receipt;
  receipt.index = index;
  receipt.proof = *prover.InclusionProof(index, head->size, head->size);
  receipt.checkpoint = head->checkpoint;
  AppendResponse message;
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

TEST_F(LogClientTest, VerifyAppendAnswer) {
  const uint64_t last = log_->head()->size - 1;
  const std::string entry = GrowingLog::Entry(last);
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
  EXPECT_EQ(wrong_proof.status().code(), absl::StatusCode::kInvalidArgument)
      << wrong_proof.status();
  EXPECT_THAT(std::string(wrong_proof.status().message()),
              HasSubstr("receipt inclusion proof: root mismatch"));

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
  HttpResponse response;
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
}  // namespace api
}  // namespace vellum
