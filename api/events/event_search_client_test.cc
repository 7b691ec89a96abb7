#include "api/events/event_search_client.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/verify.h"

namespace vellum {
namespace api {
namespace {

ledger::AuditEvent Event(int n) {
  ledger::AuditEvent event;
  event.mutable_id()->set_source("svc");
  event.mutable_id()->set_source_id(absl::StrCat("e", n));
  *event.mutable_event_time() = ledger::ToProtoTime(absl::FromUnixSeconds(1790000000 + n));
  *event.mutable_logged_time() = ledger::ToProtoTime(absl::FromUnixSeconds(1790000000 + n));
  event.mutable_observer()->set_adapter("native");
  event.set_action(ledger::ACTION_DEPLOY);
  event.mutable_target()->set_model_name("fraud");
  event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
  return event;
}

std::unique_ptr<NoteSigner> Signer(const GeneratedKey& key) {
  auto signer = NoteSigner::Create(key.signer_key);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return signer.ok() ? *std::move(signer) : nullptr;
}

std::unique_ptr<NoteVerifier> Verifier(const GeneratedKey& key) {
  auto verifier = NoteVerifier::Create(key.verifier_key);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return verifier.ok() ? *std::move(verifier) : nullptr;
}

// A log of three events, and the answer to a search that found the first and the last with
// proof=1: the tree is ((h0, h1), h2).
class EventSearchClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = GenerateNoteKey("example.com/events");
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = *key;
    std::vector<Hash> leaves;
    for (int i = 0; i < 3; ++i) {
      auto entry = ledger::EncodeEntry(Event(i));
      ASSERT_TRUE(entry.ok()) << entry.status();
      leaves.push_back(HashLeaf(*entry));
    }
    const Hash left = HashChildren(leaves[0], leaves[1]);
    Checkpoint checkpoint;
    checkpoint.origin = "example.com/events";
    checkpoint.size = 3;
    checkpoint.root = HashChildren(left, leaves[2]);
    auto note = SignCheckpoint(checkpoint, *Signer(key_));
    ASSERT_TRUE(note.ok()) << note.status();
    page_.set_tree_size(3);
    page_.set_checkpoint(*note);
    const std::vector<std::vector<Hash>> proofs = {{leaves[1], leaves[2]}, {left}};
    const int indices[] = {0, 2};
    for (int i = 0; i < 2; ++i) {
      EventMatch* match = page_.add_events();
      match->set_index(indices[i]);
      match->set_leaf_hash(std::string(HashBytes(leaves[indices[i]])));
      *match->mutable_event() = Event(indices[i]);
      for (const Hash& h : proofs[i]) match->add_proof(std::string(HashBytes(h)));
    }
    verifier_ = Verifier(key_);
  }

  GeneratedKey key_;
  std::unique_ptr<NoteVerifier> verifier_;
  EventSearchResponse page_;
};

TEST_F(EventSearchClientTest, ParsesTheServersJson) {
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(page_, &json).ok());
  auto parsed = ParseEventSearchResponse(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->SerializeAsString(), page_.SerializeAsString());
  for (const char* bad : {"", "[]", "{\"events\": 3}", "{\"unknown\": 1}"}) {
    EXPECT_EQ(ParseEventSearchResponse(bad).status(),
              absl::InvalidArgumentError("the server's answer is not an EventSearchResponse"))
        << bad;
  }
}

TEST_F(EventSearchClientTest, AcceptsAnAnswerWhoseProofsVerify) {
  EXPECT_EQ(VerifyEventSearchResponse(page_, *verifier_), absl::OkStatus());
  EventSearchResponse empty = page_;
  empty.clear_events();
  EXPECT_EQ(VerifyEventSearchResponse(empty, *verifier_), absl::OkStatus());
}

TEST_F(EventSearchClientTest, RefusesACheckpointOfAnotherKeyOrSize) {
  auto other = GenerateNoteKey("example.com/events");
  ASSERT_TRUE(other.ok()) << other.status();
  const std::unique_ptr<NoteVerifier> other_verifier = Verifier(*other);
  const absl::Status opened = OpenCheckpoint(page_.checkpoint(), *other_verifier).status();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(
      VerifyEventSearchResponse(page_, *other_verifier),
      absl::InvalidArgumentError(absl::StrCat("the answer's checkpoint: ", opened.message())));
  EventSearchResponse resized = page_;
  resized.set_tree_size(4);
  EXPECT_EQ(VerifyEventSearchResponse(resized, *verifier_),
            absl::InvalidArgumentError("the checkpoint has size 3, the answer says 4"));
}

TEST_F(EventSearchClientTest, RefusesAnEventThatIsNotTheOneLogged) {
  EventSearchResponse altered = page_;
  altered.mutable_events(1)->mutable_event()->mutable_target()->set_model_name("churn");
  auto entry = ledger::EncodeEntry(altered.events(1).event());
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(VerifyEventSearchResponse(altered, *verifier_),
            absl::InvalidArgumentError(absl::StrCat("event 2: its entry has leaf hash ",
                                                    HashToBase64(HashLeaf(*entry)),
                                                    ", the answer says another")));
  EventSearchResponse invalid = page_;
  invalid.mutable_events(0)->mutable_event()->clear_id();
  EXPECT_EQ(VerifyEventSearchResponse(invalid, *verifier_),
            ledger::EncodeEntry(invalid.events(0).event()).status());
}

TEST_F(EventSearchClientTest, RefusesAProofThatDoesNotLeadToTheCheckpoint) {
  EventSearchResponse moved = page_;
  moved.mutable_events(0)->set_index(1);
  auto entry = ledger::EncodeEntry(Event(0));
  ASSERT_TRUE(entry.ok()) << entry.status();
  std::vector<Hash> proof;
  for (const std::string& node : page_.events(0).proof()) proof.push_back(*HashFromBytes(node));
  auto checkpoint = OpenCheckpoint(page_.checkpoint(), *verifier_);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  const absl::Status mismatch = VerifyInclusion(1, 3, HashLeaf(*entry), proof, checkpoint->root);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(VerifyEventSearchResponse(moved, *verifier_),
            absl::InvalidArgumentError(absl::StrCat("event 1: ", mismatch.message())));
  EventSearchResponse short_node = page_;
  short_node.mutable_events(1)->set_proof(0, "short");
  EXPECT_EQ(VerifyEventSearchResponse(short_node, *verifier_), HashFromBytes("short").status());
}

}  // namespace
}  // namespace api
}  // namespace vellum
