#include "proof/checkpoint.h"

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;

// The example of c2sp.org/tlog-checkpoint.
constexpr absl::string_view kSpecText =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr absl::string_view kRoot = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

void ExpectError(const absl::Status& status, absl::StatusCode code,
                 absl::string_view message_part) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(message_part)));
}

Checkpoint SpecCheckpoint() {
  Checkpoint c;
  c.origin = "example.com/behind-the-sofa";
  c.size = 20852163;
  c.root = *HashFromBase64(kRoot);
  return c;
}

TEST(CheckpointTest, ParsesSpecExample) {
  absl::StatusOr<Checkpoint> c = ParseCheckpoint(kSpecText);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c, SpecCheckpoint());
  EXPECT_TRUE(c->extensions.empty());
  EXPECT_EQ(FormatCheckpoint(*c), kSpecText);
}

TEST(CheckpointTest, RoundTrips) {
  Checkpoint empty;
  empty.origin = "example.com/log";
  empty.size = 0;
  empty.root = EmptyRoot();
  EXPECT_EQ(FormatCheckpoint(empty),
            "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");

  Checkpoint big = SpecCheckpoint();
  big.size = UINT64_MAX;
  big.extensions = {"ext one", "\xE2\x80\x94 not a signature", "x"};
  big.origin = "origin with spaces + plus";  // Only a SHOULD in the spec.
  EXPECT_EQ(FormatCheckpoint(big),
            absl::StrCat("origin with spaces + plus\n18446744073709551615\n", kRoot,
                         "\next one\n\xE2\x80\x94 not a signature\nx\n"));
  for (const Checkpoint& c : {empty, big, SpecCheckpoint()}) {
    absl::StatusOr<Checkpoint> parsed = ParseCheckpoint(FormatCheckpoint(c));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, c);
  }
}

TEST(CheckpointTest, RejectsMalformed) {
  const std::string root(kRoot);
  struct Case {
    std::string text;
    const char* error;
  };
  const Case cases[] = {
      {"", "does not end in a newline"},
      {"o\n5\n" + root, "does not end in a newline"},
      {"o\n5\n", "checkpoint has 2 lines, want at least 3"},
      {"o\n", "checkpoint has 1 lines, want at least 3"},
      {"\n", "checkpoint has 1 lines"},
      {"\n5\n" + root + "\n", "checkpoint origin line is empty"},
      {"o\n05\n" + root + "\n", "checkpoint tree size \"05\" has a leading zero"},
      {"o\n00\n" + root + "\n", "has a leading zero"},
      {"o\n-5\n" + root + "\n", "checkpoint tree size \"-5\" is not a decimal number"},
      {"o\n+5\n" + root + "\n", "is not a decimal number"},
      {"o\n 5\n" + root + "\n", "is not a decimal number"},
      {"o\n5 \n" + root + "\n", "is not a decimal number"},
      {"o\n0x5\n" + root + "\n", "has a leading zero"},
      {"o\n5x\n" + root + "\n", "is not a decimal number"},
      {"o\n\n" + root + "\n", "checkpoint tree size \"\" is empty"},
      {"o\n18446744073709551616\n" + root + "\n", "overflows 64 bits"},
      {"o\n5\n" + root.substr(0, 43) + "\n", "checkpoint root hash"},
      {"o\n5\n" + root.substr(0, 40) + "\n", "hash is 30 bytes, want 32"},
      {"o\n5\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", "invalid base64"},
      {"o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "invalid base64"},
      {"o\n5\n" + root + " \n", "invalid base64"},
      {"o\n5\n\n", "checkpoint root hash \"\""},
      {"o\n5\n" + root + "\n\n", "checkpoint line 4 (extension) is empty"},
      {"o\n5\n" + root + "\next\n\n", "checkpoint line 5 (extension) is empty"},
      {"o\r\n5\n" + root + "\n", "control character 0x0d at byte 1"},
      {"o\xFF\n5\n" + root + "\n", "invalid UTF-8 at byte 1"},
      {"o\n5\n" + root + "\n\t\n", "control character 0x09"},
      {std::string(kMaxNoteSize, 'o') + "\n5\n" + root + "\n", "bytes, want at most 131072"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::CHexEscape(c.text.substr(0, 100)));
    ExpectError(ParseCheckpoint(c.text).status(), absl::StatusCode::kInvalidArgument, c.error);
  }
}

class SignedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<GeneratedKey> key = GenerateNoteKey("example.com/log");
    ASSERT_TRUE(key.ok()) << key.status();
    signer_ = *NoteSigner::Create(key->signer_key);
    verifier_ = *NoteVerifier::Create(key->verifier_key);
    checkpoint_.origin = "example.com/log";
    checkpoint_.size = 5;
    checkpoint_.root = HashLeaf("root");
  }

  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  Checkpoint checkpoint_;
};

TEST_F(SignedCheckpointTest, SignAndOpen) {
  absl::StatusOr<std::string> note = SignCheckpoint(checkpoint_, *signer_);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_TRUE(absl::StartsWith(*note, absl::StrCat(FormatCheckpoint(checkpoint_), "\n")));
  absl::StatusOr<Checkpoint> opened = OpenCheckpoint(*note, *verifier_);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, checkpoint_);

  // Witness cosignatures and other unknown signatures are ignored.
  absl::StatusOr<std::string> cosigned = AppendNoteSignatures(
      *note, {MakeNoteSignature("witness.example", 0x01020304, std::string(72, 'w'))});
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();
  opened = OpenCheckpoint(*cosigned, *verifier_);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, checkpoint_);
}

TEST_F(SignedCheckpointTest, RejectsWrongKeyAndTampering) {
  absl::StatusOr<std::string> note = SignCheckpoint(checkpoint_, *signer_);
  ASSERT_TRUE(note.ok()) << note.status();

  absl::StatusOr<GeneratedKey> other = GenerateNoteKey("example.com/log");
  ASSERT_TRUE(other.ok());
  std::unique_ptr<NoteVerifier> other_verifier = *NoteVerifier::Create(other->verifier_key);
  ExpectError(OpenCheckpoint(*note, *other_verifier).status(), absl::StatusCode::kUnauthenticated,
              "checkpoint: note has no verifiable signatures");

  std::string tampered = *note;
  tampered[tampered.find("\n5\n") + 1] = '6';
  ExpectError(OpenCheckpoint(tampered, *verifier_).status(), absl::StatusCode::kUnauthenticated,
              "checkpoint: invalid signature for key example.com/log+");

  ExpectError(OpenCheckpoint(FormatCheckpoint(checkpoint_), *verifier_).status(),
              absl::StatusCode::kInvalidArgument, "checkpoint: malformed note: no blank line");
}

TEST_F(SignedCheckpointTest, OriginMustBeTheKeyName) {
  Checkpoint other = checkpoint_;
  other.origin = "other.example/log";
  ExpectError(SignCheckpoint(other, *signer_).status(), absl::StatusCode::kFailedPrecondition,
              "checkpoint origin \"other.example/log\", want the log key's name "
              "\"example.com/log\"");
  // Signed anyway, as a plain note: the log's key signs a checkpoint of another origin.
  absl::StatusOr<std::string> note = SignNote(FormatCheckpoint(other), {signer_.get()});
  ASSERT_TRUE(note.ok());
  ExpectError(OpenCheckpoint(*note, *verifier_).status(), absl::StatusCode::kInvalidArgument,
              "checkpoint origin \"other.example/log\", want the log key's name "
              "\"example.com/log\"");
}

TEST_F(SignedCheckpointTest, RejectsMalformedCheckpoints) {
  Checkpoint c = checkpoint_;
  c.extensions = {"ok", ""};
  ExpectError(SignCheckpoint(c, *signer_).status(), absl::StatusCode::kInvalidArgument,
              "checkpoint line 5 (extension) is empty");
  c.extensions = {"two\nlines"};
  ExpectError(SignCheckpoint(c, *signer_).status(), absl::StatusCode::kInvalidArgument,
              "checkpoint extension 0 contains a newline");
  c = checkpoint_;
  c.origin = "example.com/log\n7";
  ExpectError(SignCheckpoint(c, *signer_).status(), absl::StatusCode::kInvalidArgument,
              "checkpoint origin contains a newline");

  // A validly signed note whose text is not a checkpoint.
  absl::StatusOr<std::string> note = SignNote("example.com/log\n05\nroot\n", {signer_.get()});
  ASSERT_TRUE(note.ok());
  ExpectError(OpenCheckpoint(*note, *verifier_).status(), absl::StatusCode::kInvalidArgument,
              "checkpoint tree size \"05\" has a leading zero");
}

}  // namespace
}  // namespace vellum
