#include "proof/evidence.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/internal/reference_tree.h"
#include "proof/note.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;
using internal::MakeLeaves;
using internal::ReferenceConsistencyProof;
using internal::ReferenceRoot;

class EvidenceTest : public ::testing::Test {
 protected:
  EvidenceTest() {
    absl::StatusOr<GeneratedKey> key = GenerateNoteKey("example.com/log");
    EXPECT_TRUE(key.ok());
    signer_ = *NoteSigner::Create(key->signer_key);
    verifier_ = *NoteVerifier::Create(key->verifier_key);
    honest_ = MakeLeaves(40, 1);
    fork_ = honest_;
    fork_[5] = HashLeaf("forked entry");  // The fork differs from leaf 5 on.
  }

  std::string Sign(absl::Span<const Hash> leaves, const NoteSigner* signer = nullptr) {
    Checkpoint c{"example.com/log", leaves.size(), ReferenceRoot(leaves), {}};
    absl::StatusOr<std::string> note = SignCheckpoint(c, signer ? *signer : *signer_);
    EXPECT_TRUE(note.ok()) << note.status();
    return *note;
  }

  // Evidence from the first `m` leaves of `small` against all of `large`, with the proof that
  // `large` gives of its own prefix.
  SplitViewEvidence Prefixed(absl::Span<const Hash> small, absl::Span<const Hash> large) {
    SplitViewEvidence e;
    e.first = Sign(small);
    e.second = Sign(large);
    e.prefix_root = ReferenceRoot(large.subspan(0, small.size()));
    e.consistency = ReferenceConsistencyProof(small.size(), large);
    return e;
  }

  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::vector<Hash> honest_;
  std::vector<Hash> fork_;
};

TEST_F(EvidenceTest, SameSizeDifferentRootsIsASplitView) {
  SplitViewEvidence e{Sign(honest_), Sign(fork_), {}, {}};
  absl::StatusOr<SplitView> view = VerifyEvidence(e, *verifier_);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->smaller.size, 40u);
  EXPECT_THAT(view->description, HasSubstr("two checkpoints of size 40 with roots"));
}

TEST_F(EvidenceTest, SameSizeSameRootIsConsistent) {
  SplitViewEvidence e{Sign(honest_), Sign(honest_), {}, {}};
  absl::StatusOr<SplitView> view = VerifyEvidence(e, *verifier_);
  EXPECT_EQ(view.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(view.status().message(), HasSubstr("the checkpoints are consistent"));
}

TEST_F(EvidenceTest, DifferentSizesProvedByTheLargerTreesPrefix) {
  for (uint64_t m : {1, 6, 8, 16, 17, 39}) {
    SCOPED_TRACE(absl::StrCat("m = ", m));
    // A fork of size m against the honest tree of size 40, in both note orders.
    std::vector<Hash> small(fork_.begin(), fork_.begin() + m);
    if (m <= 5) small.back() = HashLeaf("another fork");
    SplitViewEvidence e = Prefixed(small, honest_);
    absl::StatusOr<SplitView> view = VerifyEvidence(e, *verifier_);
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_EQ(view->smaller.size, m);
    EXPECT_EQ(view->larger.size, 40u);
    std::swap(e.first, e.second);
    EXPECT_TRUE(VerifyEvidence(e, *verifier_).ok());
    // The honest prefix is consistent.
    SplitViewEvidence honest = Prefixed(absl::MakeConstSpan(honest_).subspan(0, m), honest_);
    EXPECT_EQ(VerifyEvidence(honest, *verifier_).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
}

TEST_F(EvidenceTest, ALyingPrefixRootDoesNotVerify) {
  std::vector<Hash> small(fork_.begin(), fork_.begin() + 10);
  SplitViewEvidence e = Prefixed(small, honest_);
  e.prefix_root = ReferenceRoot(small);  // Claims the larger tree extends the smaller one.
  absl::StatusOr<SplitView> view = VerifyEvidence(e, *verifier_);
  EXPECT_EQ(view.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(view.status().message(),
              HasSubstr("evidence consistency proof from size 10 (prefix-root) to size 40"));

  e = Prefixed(small, honest_);
  e.consistency.pop_back();
  EXPECT_THAT(VerifyEvidence(e, *verifier_).status().message(), HasSubstr("wrong proof size"));
}

TEST_F(EvidenceTest, NotesMustBeSignedByTheLog) {
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("example.com/log");
  std::unique_ptr<NoteSigner> other = *NoteSigner::Create(key->signer_key);
  SplitViewEvidence e{Sign(honest_), Sign(fork_, other.get()), {}, {}};
  absl::StatusOr<SplitView> view = VerifyEvidence(e, *verifier_);
  EXPECT_EQ(view.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(view.status().message(), HasSubstr("evidence second note: "));
}

TEST_F(EvidenceTest, PrefixRootOnlyForDifferentSizes) {
  SplitViewEvidence e{Sign(honest_), Sign(fork_), HashLeaf("x"), {}};
  EXPECT_THAT(VerifyEvidence(e, *verifier_).status().message(),
              HasSubstr("want no prefix-root line"));
  SplitViewEvidence f{Sign(absl::MakeConstSpan(fork_).subspan(0, 9)), Sign(honest_), {}, {}};
  EXPECT_THAT(VerifyEvidence(f, *verifier_).status().message(),
              HasSubstr("sizes 9 and 40, want a prefix-root line"));
}

TEST_F(EvidenceTest, FormatAndParseRoundTrip) {
  SplitViewEvidence e = Prefixed(absl::MakeConstSpan(fork_).subspan(0, 7), honest_);
  std::string text = FormatEvidence(e);
  EXPECT_THAT(text, HasSubstr(absl::StrCat(kEvidenceHeader, "\nprefix-root ")));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("\nnote ", e.first.size(), "\n", e.first)));
  absl::StatusOr<SplitViewEvidence> parsed = ParseEvidence(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, e);

  SplitViewEvidence same{Sign(honest_), Sign(fork_), {}, {}};
  parsed = ParseEvidence(FormatEvidence(same));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, same);
}

TEST_F(EvidenceTest, ParseIsStrict) {
  SplitViewEvidence e = Prefixed(absl::MakeConstSpan(fork_).subspan(0, 7), honest_);
  const std::string good = FormatEvidence(e);
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string header = absl::StrCat(kEvidenceHeader, "\n");
  const std::string notes = good.substr(good.find("note "));
  std::vector<Case> cases = {
      {"", "want the first line"},
      {"vellum.dev/split-view-evidence@v2\n" + notes, "want the first line"},
      {header, "want a \"note <bytes>\" line before the first note"},
      {header + "prefix-root AAAA\n" + notes, "evidence prefix-root: "},
      {header + "consistency " + HashToBase64(HashLeaf("x")) + "\n" + notes,
       "want a \"note <bytes>\" line before the first note"},
      {header + "note 0\n\n", "the first note is 0 bytes"},
      {header + "note 01\n\n", "evidence first note size"},
      {header + "note 5\nabc\n", "only 4 bytes follow"},
      {header + "note 3\nabcnote 1\n\n", "the first note does not end in a newline"},
      {good + "x", "1 bytes after the second note, want none"},
      {good.substr(0, good.size() - 1), "bytes follow"},
      {std::string(kMaxEvidenceSize + 1, 'x'), "want at most"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SplitViewEvidence> parsed = ParseEvidence(c.text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.message));
  }
  std::string many = header + "prefix-root " + HashToBase64(HashLeaf("x")) + "\n";
  for (size_t i = 0; i <= kMaxEvidenceProofHashes; ++i) {
    absl::StrAppend(&many, "consistency ", HashToBase64(HashLeaf("x")), "\n");
  }
  EXPECT_THAT(ParseEvidence(many + notes).status().message(),
              HasSubstr("more than 128 consistency proof hashes"));
}

}  // namespace
}  // namespace vellum
