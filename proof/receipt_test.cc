#include "proof/receipt.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;

void ExpectError(const absl::Status& status, absl::StatusCode code,
                 absl::string_view message_part) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(message_part)));
}

std::string Entry(int i) { return absl::StrCat("entry ", i); }

// A log of five entries, hashed by hand (RFC 6962): l0..l4 are the leaf hashes,
// n01 = H(l0, l1), n23 = H(l2, l3), n0123 = H(n01, n23) and root = H(n0123, l4).
class ReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) leaves_.push_back(HashLeaf(Entry(i)));
    const Hash n01 = HashChildren(leaves_[0], leaves_[1]);
    const Hash n23 = HashChildren(leaves_[2], leaves_[3]);
    const Hash n0123 = HashChildren(n01, n23);
    root_ = HashChildren(n0123, leaves_[4]);
    proofs_ = {
        {leaves_[1], n23, leaves_[4]},
        {leaves_[0], n23, leaves_[4]},
        {leaves_[3], n01, leaves_[4]},
        {leaves_[2], n01, leaves_[4]},
        {n0123},
    };

    absl::StatusOr<GeneratedKey> key = GenerateNoteKey("example.com/log");
    ASSERT_TRUE(key.ok()) << key.status();
    signer_ = *NoteSigner::Create(key->signer_key);
    verifier_ = *NoteVerifier::Create(key->verifier_key);
    Checkpoint checkpoint;
    checkpoint.origin = "example.com/log";
    checkpoint.size = 5;
    checkpoint.root = root_;
    absl::StatusOr<std::string> signed_checkpoint = SignCheckpoint(checkpoint, *signer_);
    ASSERT_TRUE(signed_checkpoint.ok()) << signed_checkpoint.status();
    checkpoint_ = *signed_checkpoint;
  }

  Receipt MakeReceipt(uint64_t index) const {
    Receipt r;
    r.index = index;
    r.proof = proofs_[index];
    r.checkpoint = checkpoint_;
    return r;
  }

  std::vector<Hash> leaves_;
  Hash root_;
  std::vector<std::vector<Hash>> proofs_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  std::string checkpoint_;
};

TEST_F(ReceiptTest, FormatsSpecLayout) {
  Receipt r = MakeReceipt(2);
  r.extra = "hello";
  EXPECT_EQ(FormatReceipt(r),
            absl::StrCat("c2sp.org/tlog-proof@v1\n"
                         "extra aGVsbG8=\n"
                         "index 2\n",
                         HashToBase64(proofs_[2][0]), "\n", HashToBase64(proofs_[2][1]), "\n",
                         HashToBase64(proofs_[2][2]), "\n", "\n", checkpoint_));
  r.extra.reset();
  EXPECT_EQ(FormatReceipt(r),
            absl::StrCat("c2sp.org/tlog-proof@v1\nindex 2\n", HashToBase64(proofs_[2][0]), "\n",
                         HashToBase64(proofs_[2][1]), "\n", HashToBase64(proofs_[2][2]), "\n\n",
                         checkpoint_));
}

TEST_F(ReceiptTest, RoundTrips) {
  std::vector<Receipt> receipts;
  for (uint64_t i = 0; i < 5; ++i) receipts.push_back(MakeReceipt(i));
  receipts[0].extra = "";
  receipts[1].extra = std::string("\x00\xFF\n binary", 10);
  receipts[2].extra = std::string(kMaxReceiptExtraSize, 'x');
  Receipt no_proof = MakeReceipt(0);
  no_proof.proof.clear();
  no_proof.index = 18446744073709551615u;
  receipts.push_back(no_proof);
  for (const Receipt& r : receipts) {
    std::string text = FormatReceipt(r);
    absl::StatusOr<Receipt> parsed = ParseReceipt(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, r);
    EXPECT_EQ(FormatReceipt(*parsed), text);
  }
}

TEST_F(ReceiptTest, VerifiesEveryEntry) {
  for (uint64_t i = 0; i < 5; ++i) {
    Receipt r = MakeReceipt(i);
    EXPECT_TRUE(VerifyReceipt(r, Entry(i), *verifier_).ok()) << i;
    absl::StatusOr<Receipt> parsed = ParseReceipt(FormatReceipt(r));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(VerifyReceipt(*parsed, Entry(i), *verifier_).ok()) << i;
  }
  // Extra data and witness cosignatures do not matter.
  Receipt r = MakeReceipt(3);
  r.extra = "context";
  absl::StatusOr<std::string> cosigned = AppendNoteSignatures(
      r.checkpoint, {MakeNoteSignature("witness.example", 7, std::string(72, 'w'))});
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();
  r.checkpoint = *cosigned;
  EXPECT_TRUE(VerifyReceipt(r, Entry(3), *verifier_).ok());
}

TEST_F(ReceiptTest, RejectsWrongEntryIndexOrProof) {
  ExpectError(VerifyReceipt(MakeReceipt(2), Entry(3), *verifier_),
              absl::StatusCode::kInvalidArgument, "receipt inclusion proof: root mismatch");
  ExpectError(VerifyReceipt(MakeReceipt(2), "", *verifier_), absl::StatusCode::kInvalidArgument,
              "root mismatch");

  Receipt wrong_index = MakeReceipt(2);
  wrong_index.index = 3;
  ExpectError(VerifyReceipt(wrong_index, Entry(2), *verifier_), absl::StatusCode::kInvalidArgument,
              "root mismatch");
  wrong_index.index = 5;
  ExpectError(VerifyReceipt(wrong_index, Entry(2), *verifier_), absl::StatusCode::kOutOfRange,
              "receipt inclusion proof: ");

  for (size_t h = 0; h < 3; ++h) {
    Receipt flipped = MakeReceipt(2);
    flipped.proof[h][7] ^= 0x10;
    ExpectError(VerifyReceipt(flipped, Entry(2), *verifier_), absl::StatusCode::kInvalidArgument,
                "root mismatch");
  }
  Receipt short_proof = MakeReceipt(2);
  short_proof.proof.pop_back();
  ExpectError(VerifyReceipt(short_proof, Entry(2), *verifier_), absl::StatusCode::kInvalidArgument,
              "wrong proof size 2, want 3");
  Receipt long_proof = MakeReceipt(4);
  long_proof.proof.push_back(root_);
  ExpectError(VerifyReceipt(long_proof, Entry(4), *verifier_), absl::StatusCode::kInvalidArgument,
              "wrong proof size 2, want 1");
}

TEST_F(ReceiptTest, RejectsWrongKeyOrTamperedCheckpoint) {
  absl::StatusOr<GeneratedKey> other = GenerateNoteKey("example.com/log");
  ASSERT_TRUE(other.ok());
  std::unique_ptr<NoteVerifier> other_verifier = *NoteVerifier::Create(other->verifier_key);
  ExpectError(VerifyReceipt(MakeReceipt(1), Entry(1), *other_verifier),
              absl::StatusCode::kUnauthenticated,
              "receipt: checkpoint: note has no verifiable signatures");

  // The log claims a different root; the signature no longer matches.
  Receipt tampered = MakeReceipt(1);
  const std::string root64 = HashToBase64(root_);
  tampered.checkpoint.replace(tampered.checkpoint.find(root64), root64.size(),
                              HashToBase64(leaves_[0]));
  ExpectError(VerifyReceipt(tampered, Entry(1), *verifier_), absl::StatusCode::kUnauthenticated,
              "receipt: checkpoint: invalid signature for key example.com/log+");

  // A checkpoint signed by the log's key for another origin.
  Checkpoint other_origin;
  other_origin.origin = "other.example/log";
  other_origin.size = 5;
  other_origin.root = root_;
  absl::StatusOr<std::string> note = SignNote(FormatCheckpoint(other_origin), {signer_.get()});
  ASSERT_TRUE(note.ok());
  Receipt wrong_origin = MakeReceipt(1);
  wrong_origin.checkpoint = *note;
  ExpectError(VerifyReceipt(wrong_origin, Entry(1), *verifier_), absl::StatusCode::kInvalidArgument,
              "receipt: checkpoint origin \"other.example/log\", want the log key's name");

  // A smaller checkpoint signed by the log: the proof does not fit it.
  Checkpoint smaller;
  smaller.origin = "example.com/log";
  smaller.size = 4;
  smaller.root = root_;
  note = SignCheckpoint(smaller, *signer_);
  ASSERT_TRUE(note.ok());
  Receipt stale = MakeReceipt(1);
  stale.checkpoint = *note;
  ExpectError(VerifyReceipt(stale, Entry(1), *verifier_), absl::StatusCode::kInvalidArgument,
              "wrong proof size 3, want 2");
}

TEST_F(ReceiptTest, RejectsMalformed) {
  const std::string h = HashToBase64(leaves_[0]);
  const std::string cp = checkpoint_;
  struct Case {
    std::string text;
    const char* error;
  };
  std::string too_many_hashes = "c2sp.org/tlog-proof@v1\nindex 0\n";
  for (size_t i = 0; i <= kMaxReceiptProofHashes; ++i) too_many_hashes += h + "\n";
  too_many_hashes += "\n" + cp;
  const Case cases[] = {
      {"", "receipt starts with \"\", want the line \"c2sp.org/tlog-proof@v1\""},
      {"c2sp.org/tlog-proof@v1", "receipt starts with"},
      {"c2sp.org/tlog-proof@v2\nindex 0\n\n" + cp, "receipt starts with"},
      {"c2sp.org/tlog-proof@v1 \nindex 0\n\n" + cp, "receipt starts with"},
      {"C2SP.org/tlog-proof@v1\nindex 0\n\n" + cp, "receipt starts with"},
      {"\nc2sp.org/tlog-proof@v1\nindex 0\n\n" + cp, "receipt starts with"},
      {"c2sp.org/tlog-proof@v1\r\nindex 0\n\n" + cp, "receipt starts with"},
      {"c2sp.org/tlog-proof@v1\n", "receipt ends after the header"},
      {"c2sp.org/tlog-proof@v1\nextra aGVsbG8=\n", "receipt ends after the extra line"},
      {"c2sp.org/tlog-proof@v1\nextra aGVsbG8\nindex 0\n\n" + cp, "receipt extra data: invalid"},
      {"c2sp.org/tlog-proof@v1\nextra aGVsbG8= \nindex 0\n\n" + cp, "receipt extra data"},
      {"c2sp.org/tlog-proof@v1\nextra  aGVsbG8=\nindex 0\n\n" + cp, "receipt extra data"},
      {"c2sp.org/tlog-proof@v1\nextra aGVsbG9=\nindex 0\n\n" + cp, "receipt extra data"},
      {"c2sp.org/tlog-proof@v1\nextra " +
           absl::Base64Escape(std::string(kMaxReceiptExtraSize + 1, 'x')) + "\nindex 0\n\n" + cp,
       "receipt extra data is 16385 bytes, want at most 16384"},
      {"c2sp.org/tlog-proof@v1\nextra\nindex 0\n\n" + cp,
       "receipt line \"extra\", want \"index <n>\" or \"extra <base64>\""},
      {"c2sp.org/tlog-proof@v1\nextra YQ==\nextra YQ==\nindex 0\n\n" + cp,
       "receipt line \"extra YQ==\", want \"index <n>\""},
      {"c2sp.org/tlog-proof@v1\nindex 0\nextra YQ==\n\n" + cp, "receipt proof hash 0"},
      {"c2sp.org/tlog-proof@v1\n\n" + cp, "receipt line \"\", want \"index <n>\""},
      {"c2sp.org/tlog-proof@v1\nindex\n\n" + cp, "receipt line \"index\""},
      {"c2sp.org/tlog-proof@v1\nIndex 0\n\n" + cp, "receipt line \"Index 0\""},
      {"c2sp.org/tlog-proof@v1\nindex  0\n\n" + cp, "receipt index \" 0\" is not a decimal"},
      {"c2sp.org/tlog-proof@v1\nindex 01\n\n" + cp, "receipt index \"01\" has a leading zero"},
      {"c2sp.org/tlog-proof@v1\nindex -1\n\n" + cp, "is not a decimal number"},
      {"c2sp.org/tlog-proof@v1\nindex 18446744073709551616\n\n" + cp, "overflows 64 bits"},
      {"c2sp.org/tlog-proof@v1\nindex \n\n" + cp, "receipt index \"\" is empty"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + h.substr(0, 43) + "\n\n" + cp,
       "receipt proof hash 0: invalid base64"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + h + "\n" + h.substr(0, 40) + "\n\n" + cp,
       "receipt proof hash 1: hash is 30 bytes, want 32"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + h + " \n\n" + cp, "receipt proof hash 0"},
      {too_many_hashes, "receipt has more than 64 proof hashes"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + h + "\n", "receipt ends after 1 proof hashes"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + h, "receipt ends after 0 proof hashes"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n\n", "receipt has no checkpoint after the blank line"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n\n" + cp.substr(0, cp.size() - 1),
       "receipt checkpoint: note text does not end in a newline"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n\n\x01" + cp, "receipt checkpoint: "},
      {"c2sp.org/tlog-proof@v1\nindex 0\n\n" + std::string(kMaxReceiptSize, '\n'),
       "bytes, want at most 163840"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::CHexEscape(c.text.substr(0, 120)));
    ExpectError(ParseReceipt(c.text).status(), absl::StatusCode::kInvalidArgument, c.error);
  }
}

}  // namespace
}  // namespace vellum
