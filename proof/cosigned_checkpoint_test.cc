#include "proof/cosigned_checkpoint.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/internal/test_keys.h"
#include "proof/note.h"

namespace vellum {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using internal::NewTestKeys;
using internal::TestKeys;

class CosignedCheckpointTest : public ::testing::Test {
 protected:
  CosignedCheckpointTest()
      : log_(NewTestKeys("example.com/log", kNoteSignatureTypeEd25519)),
        w1_(NewTestKeys("w1.example", kNoteSignatureTypeCosignatureV1)),
        w2_(NewTestKeys("w2.example", kNoteSignatureTypeCosignatureV1)),
        w3_(NewTestKeys("w3.example", kNoteSignatureTypeCosignatureV1)) {
    checkpoint_ = Checkpoint{"example.com/log", 7, HashLeaf("root"), {}};
    absl::StatusOr<std::string> note = SignCheckpoint(checkpoint_, *log_.signer);
    EXPECT_TRUE(note.ok());
    note_ = *note;
  }

  // The log's note with cosignatures by `witnesses` appended.
  std::string Cosigned(std::vector<const TestKeys*> witnesses) {
    std::vector<NoteSignature> lines;
    for (const TestKeys* w : witnesses) {
      absl::StatusOr<NoteSignature> line =
          w->signer->Cosign(FormatCheckpoint(checkpoint_), 1700000000);
      EXPECT_TRUE(line.ok()) << line.status();
      lines.push_back(*line);
    }
    absl::StatusOr<std::string> note = AppendNoteSignatures(note_, lines);
    EXPECT_TRUE(note.ok()) << note.status();
    return *note;
  }

  std::vector<const NoteVerifier*> Witnesses() {
    return {w1_.verifier.get(), w2_.verifier.get(), w3_.verifier.get()};
  }

  TestKeys log_, w1_, w2_, w3_;
  Checkpoint checkpoint_;
  std::string note_;
};

TEST_F(CosignedCheckpointTest, CountsDistinctConfiguredWitnesses) {
  absl::StatusOr<CosignedCheckpoint> opened =
      OpenCosignedCheckpoint(Cosigned({&w1_, &w3_}), *log_.verifier, Witnesses(), 2);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->checkpoint, checkpoint_);
  EXPECT_THAT(opened->witnesses, ElementsAre("w1.example", "w3.example"));
}

TEST_F(CosignedCheckpointTest, TooFewCosignaturesIsUnauthenticated) {
  absl::StatusOr<CosignedCheckpoint> opened =
      OpenCosignedCheckpoint(Cosigned({&w2_}), *log_.verifier, Witnesses(), 2);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(opened.status().message(),
              HasSubstr("got valid cosignatures from 1 configured witnesses (w2.example), "
                        "want at least 2"));

  opened = OpenCosignedCheckpoint(note_, *log_.verifier, Witnesses(), 1);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(opened.status().message(), HasSubstr("from 0 configured witnesses, want at least 1"));
}

TEST_F(CosignedCheckpointTest, UnknownCosignersDoNotCount) {
  TestKeys stranger = NewTestKeys("stranger.example", kNoteSignatureTypeCosignatureV1);
  absl::StatusOr<CosignedCheckpoint> opened =
      OpenCosignedCheckpoint(Cosigned({&stranger, &w1_}), *log_.verifier, Witnesses(), 2);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(opened.status().message(), HasSubstr("from 1 configured witnesses"));
}

TEST_F(CosignedCheckpointTest, ZeroWitnessesIsOpenCheckpoint) {
  absl::StatusOr<CosignedCheckpoint> opened = OpenCosignedCheckpoint(note_, *log_.verifier, {}, 0);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(opened->witnesses.empty());
}

TEST_F(CosignedCheckpointTest, NeedsTheLogSignature) {
  TestKeys other_log = NewTestKeys("example.com/log", kNoteSignatureTypeEd25519);
  absl::StatusOr<CosignedCheckpoint> opened =
      OpenCosignedCheckpoint(Cosigned({&w1_, &w2_}), *other_log.verifier, Witnesses(), 1);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(CosignedCheckpointTest, BadCosignatureFromAConfiguredWitnessFails) {
  std::string note = Cosigned({&w1_});
  // Change a base64 character of the Ed25519 signature, past the key id and timestamp.
  size_t at = note.rfind("w1.example ") + std::string("w1.example ").size() + 40;
  note[at] = note[at] == 'A' ? 'B' : 'A';
  absl::StatusOr<CosignedCheckpoint> opened =
      OpenCosignedCheckpoint(note, *log_.verifier, Witnesses(), 1);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(opened.status().message(), HasSubstr("cosignatures: invalid signature"));
}

TEST_F(CosignedCheckpointTest, PolicyLargerThanTheKeysIsInvalid) {
  absl::StatusOr<CosignedCheckpoint> opened =
      OpenCosignedCheckpoint(note_, *log_.verifier, Witnesses(), 4);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(opened.status().message(), HasSubstr("wants 4 cosignatures from 3 witness keys"));
}

}  // namespace
}  // namespace vellum
