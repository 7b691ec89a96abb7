#include "api/witness_service.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/add_checkpoint.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/internal/reference_tree.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uint64_t kNow = 1700000000;
constexpr absl::string_view kOrigin = "example.com/log";

class WitnessServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/witness-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
    GeneratedKey log_key = GenerateNoteKey(kOrigin).value();
    log_signer_ = NoteSigner::Create(log_key.signer_key).value();
    log_verifier_key_ = log_key.verifier_key;
    GeneratedKey other = GenerateNoteKey(kOrigin).value();
    forger_ = NoteSigner::Create(other.signer_key).value();
    GeneratedKey witness_key =
        GenerateNoteKey("witness.example/w1", kNoteSignatureTypeCosignatureV1).value();
    witness_signer_key_ = witness_key.signer_key;
    witness_verifier_ = NoteVerifier::Create(witness_key.verifier_key).value();
    leaves_ = internal::MakeLeaves(100, 1);
    fork_ = internal::MakeLeaves(100, 2);
    Start();
  }

  void Start() {
    service_.reset();
    std::vector<ledger::Witness::Log> logs(1);
    logs[0].origin = std::string(kOrigin);
    logs[0].keys.push_back(NoteVerifier::Create(log_verifier_key_).value());
    absl::StatusOr<std::unique_ptr<ledger::Witness>> witness = ledger::Witness::Open(
        dir_, NoteSigner::Create(witness_signer_key_).value(), std::move(logs),
        [] { return kNow; });
    ASSERT_TRUE(witness.ok()) << witness.status();
    service_ = std::make_unique<WitnessService>(*std::move(witness));
  }

  // The checkpoint of the first `size` of `leaves`, signed by `signer`.
  std::string Signed(const std::vector<Hash>& leaves, uint64_t size,
                     const NoteSigner* signer = nullptr) {
    Checkpoint c;
    c.origin = std::string(kOrigin);
    c.size = size;
    c.root = internal::ReferenceRoot(absl::MakeConstSpan(leaves).subspan(0, size));
    return SignCheckpoint(c, signer != nullptr ? *signer : *log_signer_).value();
  }

  static std::string Body(uint64_t old_size, const std::vector<Hash>& proof,
                          absl::string_view note) {
    return FormatAddCheckpoint(old_size, proof, note);
  }

  std::string Grow(const std::vector<Hash>& leaves, uint64_t old_size, uint64_t size) {
    return Body(old_size,
                old_size == 0 ? std::vector<Hash>{}
                              : internal::ReferenceConsistencyProof(
                                    old_size, absl::MakeConstSpan(leaves).subspan(0, size)),
                Signed(leaves, size));
  }

  HttpResponse Post(std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.target = "/add-checkpoint";
    request.body = std::move(body);
    return service_->Handle(request);
  }

  HttpResponse Latest(absl::string_view origin) {
    HttpRequest request;
    request.method = "GET";
    request.target = absl::StrCat("/v1/witness/checkpoint?origin=", origin);
    return service_->Handle(request);
  }

  // Checks that `response` holds one valid cosignature of `note`'s checkpoint.
  void ExpectCosigned(const HttpResponse& response, const std::string& note) {
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_THAT(response.body, StartsWith("\xE2\x80\x94 witness.example/w1 "));
    const NoteVerifier* verifiers[] = {witness_verifier_.get()};
    std::string text = std::string(NoteText(note));
    absl::StatusOr<Note> opened = OpenNote(absl::StrCat(text, "\n", response.body), verifiers);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(CosignatureTimestamp(opened->verified[0]).value(), kNow);
  }

  std::string dir_;
  std::unique_ptr<NoteSigner> log_signer_;
  std::unique_ptr<NoteSigner> forger_;
  std::string log_verifier_key_;
  std::string witness_signer_key_;
  std::unique_ptr<NoteVerifier> witness_verifier_;
  std::vector<Hash> leaves_;
  std::vector<Hash> fork_;
  std::unique_ptr<WitnessService> service_;
};

TEST_F(WitnessServiceTest, CosignsAConsistentlyGrowingLog) {
  ExpectCosigned(Post(Grow(leaves_, 0, 10)), Signed(leaves_, 10));
  ExpectCosigned(Post(Grow(leaves_, 10, 37)), Signed(leaves_, 37));
  ExpectCosigned(Post(Grow(leaves_, 37, 37)), Signed(leaves_, 37));  // Same tree again.
  ExpectCosigned(Post(Grow(leaves_, 37, 64)), Signed(leaves_, 64));

  HttpResponse latest = Latest(kOrigin);
  ASSERT_EQ(latest.status, 200) << latest.body;
  NoteVerifier* log_key = NoteVerifier::Create(log_verifier_key_).value().release();
  std::unique_ptr<NoteVerifier> owned(log_key);
  const NoteVerifier* both[] = {log_key, witness_verifier_.get()};
  absl::StatusOr<Note> opened = OpenNote(latest.body, both);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->verified.size(), 2u);
  EXPECT_EQ(ParseCheckpoint(opened->text)->size, 64u);
}

TEST_F(WitnessServiceTest, AnswersEveryErrorWithTheSpecStatus) {
  ExpectCosigned(Post(Grow(leaves_, 0, 20)), Signed(leaves_, 20));

  // 404: a log the witness does not follow.
  Checkpoint other{"other.example/log", 1, internal::ReferenceRoot(absl::MakeConstSpan(leaves_).subspan(0, 1)), {}};
  std::unique_ptr<NoteSigner> other_signer =
      NoteSigner::Create(GenerateNoteKey("other.example/log").value().signer_key).value();
  EXPECT_EQ(Post(Body(0, {}, SignCheckpoint(other, *other_signer).value())).status, 404);
  // 403: no signature from a known key.
  EXPECT_EQ(Post(Body(20, {}, Signed(leaves_, 20, forger_.get()))).status, 403);
  // 400: old size greater than the checkpoint size.
  EXPECT_EQ(Post(Body(30, {}, Signed(leaves_, 20))).status, 400);
  // 409: old size differs from the stored one; the body is the stored size.
  HttpResponse conflict = Post(Grow(leaves_, 10, 30));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body, "20\n");
  EXPECT_EQ(conflict.content_type, "text/x.tlog.size");
  conflict = Post(Grow(leaves_, 0, 30));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body, "20\n");
  // 409: same size, different root (the spec's code for a fork at the stored size).
  conflict = Post(Body(20, {}, Signed(fork_, 20)));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body, "20\n");
  // 422: a consistency proof that does not verify: one from the fork, and a damaged one.
  std::vector<Hash> fork_proof =
      internal::ReferenceConsistencyProof(20, absl::MakeConstSpan(fork_).subspan(0, 40));
  EXPECT_EQ(Post(Body(20, fork_proof, Signed(fork_, 40))).status, 422);
  std::vector<Hash> damaged =
      internal::ReferenceConsistencyProof(20, absl::MakeConstSpan(leaves_).subspan(0, 40));
  damaged[0][0] ^= 1;
  EXPECT_EQ(Post(Body(20, damaged, Signed(leaves_, 40))).status, 422);
  damaged.pop_back();
  EXPECT_EQ(Post(Body(20, damaged, Signed(leaves_, 40))).status, 422);

  // Nothing above changed the state: the next honest step still starts from 20.
  ExpectCosigned(Post(Grow(leaves_, 20, 40)), Signed(leaves_, 40));
}

TEST_F(WitnessServiceTest, RejectsMalformedBodies) {
  std::string note = Signed(leaves_, 5);
  std::string many;
  for (int i = 0; i < 64; ++i) absl::StrAppend(&many, HashToBase64(leaves_[0]), "\n");
  for (const std::string& body : {
           std::string(""),
           std::string("old 0"),
           absl::StrCat("old 00\n\n", note),
           absl::StrCat("old -1\n\n", note),
           absl::StrCat("new 0\n\n", note),
           absl::StrCat("old 0\n", note),  // No empty line before the note.
           absl::StrCat("old 0\nnot base64!\n\n", note),
           absl::StrCat("old 0\n", many, "\n", note),
           absl::StrCat("old 0\n\n", note.substr(0, note.size() - 1)),
           absl::StrCat("old 0\n\n", std::string(kMaxAddCheckpointBytes, 'x')),
       }) {
    HttpResponse response = Post(body);
    EXPECT_EQ(response.status, 400) << body.substr(0, 80) << " -> " << response.body;
  }
  EXPECT_EQ(Latest(kOrigin).status, 404);
  HttpRequest get;
  get.method = "GET";
  get.target = "/add-checkpoint";
  EXPECT_EQ(service_->Handle(get).status, 405);
  EXPECT_EQ(Latest("unknown.example").status, 404);
}

TEST_F(WitnessServiceTest, StateSurvivesARestart) {
  ExpectCosigned(Post(Grow(leaves_, 0, 50)), Signed(leaves_, 50));
  Start();
  HttpResponse conflict = Post(Body(50, {}, Signed(fork_, 50)));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body, "50\n");
  ExpectCosigned(Post(Grow(leaves_, 50, 60)), Signed(leaves_, 60));
}

TEST_F(WitnessServiceTest, ConcurrentForksGetOneCosignatureAtMost) {
  ExpectCosigned(Post(Grow(leaves_, 0, 8)), Signed(leaves_, 8));
  // Threads race to extend size 8 with either the real tree or a fork of the same size that
  // shares no leaves past 8. Only one tree of each size may ever be cosigned.
  std::vector<Hash> fork = leaves_;
  for (size_t i = 8; i < fork.size(); ++i) fork[i] = fork_[i];
  std::vector<std::string> bodies = {Grow(leaves_, 8, 30), Grow(fork, 8, 30)};
  std::atomic<int> ok_real{0}, ok_fork{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpResponse r = Post(bodies[t % 2]);
      if (r.status == 200) (t % 2 == 0 ? ok_real : ok_fork)++;
      if (r.status == 409) conflicts++;
    });
  }
  for (std::thread& t : threads) t.join();
  // Re-submitting the same tree at the stored size is allowed, so the winner may be cosigned
  // several times; the loser never.
  EXPECT_TRUE((ok_real > 0) != (ok_fork > 0)) << ok_real << " " << ok_fork;
  EXPECT_EQ(ok_real + ok_fork + conflicts, 8);
}

}  // namespace
}  // namespace api
}  // namespace vellum
