// Witness cosignatures (c2sp.org/tlog-cosignature, cosignature/v1 with Ed25519) through the
// note API: cosigner keys of type 0x04, NoteSigner::Cosign, and verification in OpenNote.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/base64.h"
#include "proof/crypto.h"
#include "proof/checkpoint.h"
#include "proof/internal/test_keys.h"
#include "proof/note.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;
using internal::NewTestKeys;
using internal::TestKeys;

constexpr absl::string_view kCheckpoint =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr uint64_t kTime = 1679315147;

std::string Line(const NoteSignature& sig) {
  return absl::StrCat("\xE2\x80\x94 ", sig.name, " ", sig.base64, "\n");
}

TEST(CosignatureTest, KeysCarryType4AndItsKeyId) {
  TestKeys witness = NewTestKeys("witness.example/w1", kNoteSignatureTypeCosignatureV1);
  EXPECT_EQ(witness.signer->type(), kNoteSignatureTypeCosignatureV1);
  EXPECT_EQ(witness.verifier->type(), kNoteSignatureTypeCosignatureV1);
  EXPECT_EQ(witness.signer->VerifierKey(), witness.verifier->ToString());
  // The key id hashes the type byte: SHA-256(name || "\n" || 0x04 || key)[:4].
  const auto& pk = witness.verifier->public_key();
  EXPECT_EQ(witness.verifier->key_id(),
            NoteKeyId("witness.example/w1", 0x04, absl::MakeConstSpan(pk)));
  EXPECT_NE(witness.verifier->key_id(),
            NoteKeyId("witness.example/w1", 0x01, absl::MakeConstSpan(pk)));
  // The encoded key starts with the type byte.
  std::string vkey = witness.verifier->ToString();
  absl::StatusOr<std::string> raw =
      Base64DecodeStrict(vkey.substr(std::string("witness.example/w1+01234567+").size()));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(static_cast<uint8_t>((*raw)[0]), 0x04);
}

TEST(CosignatureTest, SignsTheSpecMessageWithATimestamp) {
  TestKeys witness = NewTestKeys("witness.example/w1", kNoteSignatureTypeCosignatureV1);
  absl::StatusOr<NoteSignature> sig = witness.signer->Cosign(kCheckpoint, kTime);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(sig->name, "witness.example/w1");
  EXPECT_EQ(sig->key_id, witness.verifier->key_id());
  absl::StatusOr<uint64_t> time = CosignatureTimestamp(*sig);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, kTime);

  // Check the bytes by hand: key id, big-endian timestamp, then Ed25519 over the message the
  // spec spells out.
  EXPECT_EQ(CosignatureMessage(kCheckpoint, kTime),
            absl::StrCat("cosignature/v1\ntime 1679315147\n", kCheckpoint));
  absl::StatusOr<std::string> raw = Base64DecodeStrict(sig->base64);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 4u + 8u + 64u);
  EXPECT_EQ(raw->substr(4, 8), std::string("\0\0\0\0\x64\x18\x50\xcb", 8));
  const auto* sig_bytes = reinterpret_cast<const uint8_t*>(raw->data()) + 12;
  EXPECT_TRUE(crypto::Ed25519Verify(witness.verifier->public_key(),
                                    CosignatureMessage(kCheckpoint, kTime),
                                    absl::MakeConstSpan(sig_bytes, 64)));
  EXPECT_FALSE(crypto::Ed25519Verify(witness.verifier->public_key(), kCheckpoint,
                                     absl::MakeConstSpan(sig_bytes, 64)));
}

TEST(CosignatureTest, OpenNoteVerifiesLogSignatureAndCosignatures) {
  TestKeys log = NewTestKeys("example.com/behind-the-sofa", kNoteSignatureTypeEd25519);
  TestKeys w1 = NewTestKeys("witness.example/w1", kNoteSignatureTypeCosignatureV1);
  TestKeys w2 = NewTestKeys("witness.example/w2", kNoteSignatureTypeCosignatureV1);
  const NoteSigner* signers[] = {log.signer.get()};
  absl::StatusOr<std::string> note = SignNote(kCheckpoint, signers);
  ASSERT_TRUE(note.ok()) << note.status();
  absl::StatusOr<NoteSignature> c1 = w1.signer->Cosign(kCheckpoint, kTime);
  absl::StatusOr<NoteSignature> c2 = w2.signer->Cosign(kCheckpoint, kTime + 1);
  ASSERT_TRUE(c1.ok() && c2.ok());
  absl::StatusOr<std::string> cosigned = AppendNoteSignatures(*note, {*c1, *c2});
  ASSERT_TRUE(cosigned.ok()) << cosigned.status();

  const NoteVerifier* all[] = {log.verifier.get(), w1.verifier.get(), w2.verifier.get()};
  absl::StatusOr<Note> opened = OpenNote(*cosigned, all);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->text, kCheckpoint);
  ASSERT_EQ(opened->verified.size(), 3u);
  EXPECT_EQ(opened->verified[1], *c1);
  EXPECT_EQ(opened->verified[2], *c2);

  // A cosignature alone authenticates the note for a client that trusts only the witness.
  const NoteVerifier* witness_only[] = {w2.verifier.get()};
  opened = OpenNote(*cosigned, witness_only);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->verified.size(), 1u);
  EXPECT_EQ(opened->unverified.size(), 2u);
}

TEST(CosignatureTest, RejectsTamperedCosignatures) {
  TestKeys log = NewTestKeys("example.com/behind-the-sofa", kNoteSignatureTypeEd25519);
  TestKeys w1 = NewTestKeys("witness.example/w1", kNoteSignatureTypeCosignatureV1);
  const NoteSigner* signers[] = {log.signer.get()};
  absl::StatusOr<std::string> note = SignNote(kCheckpoint, signers);
  absl::StatusOr<NoteSignature> c1 = w1.signer->Cosign(kCheckpoint, kTime);
  ASSERT_TRUE(note.ok() && c1.ok());
  absl::StatusOr<std::string> raw = Base64DecodeStrict(c1->base64);
  ASSERT_TRUE(raw.ok());
  const NoteVerifier* verifiers[] = {log.verifier.get(), w1.verifier.get()};

  // The timestamp is signed: changing it breaks the signature.
  std::string later = *raw;
  later[11] ^= 1;
  // A timestamp over 2^63 - 1 is invalid even before the signature is checked.
  std::string huge = *raw;
  huge[4] = '\x80';
  // Without its timestamp the signature is 64 bytes, the length of a plain note signature.
  std::string no_time = raw->substr(0, 4) + raw->substr(12);
  for (const std::string& bad : {later, huge, no_time}) {
    NoteSignature sig = *c1;
    sig.base64 = absl::Base64Escape(bad);
    std::string cosigned = absl::StrCat(*note, Line(sig));
    absl::StatusOr<Note> opened = OpenNote(cosigned, verifiers);
    EXPECT_TRUE(absl::IsUnauthenticated(opened.status())) << opened.status();
  }
  NoteSignature huge_sig = *c1;
  huge_sig.base64 = absl::Base64Escape(huge);
  EXPECT_TRUE(absl::IsInvalidArgument(CosignatureTimestamp(huge_sig).status()));

  // A cosignature of another checkpoint does not verify for this one.
  absl::StatusOr<NoteSignature> other =
      w1.signer->Cosign("example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                        kTime);
  ASSERT_TRUE(other.ok());
  absl::StatusOr<Note> opened = OpenNote(absl::StrCat(*note, Line(*other)), verifiers);
  EXPECT_TRUE(absl::IsUnauthenticated(opened.status())) << opened.status();
}

TEST(CosignatureTest, ACosignatureNeverPassesForTheLogsSignature) {
  // A witness named like the log cosigns a checkpoint: opening it with the witness's key as if
  // it were the log's must fail, even though the cosignature itself is valid.
  TestKeys log = NewTestKeys("example.com/behind-the-sofa", kNoteSignatureTypeEd25519);
  TestKeys impostor = NewTestKeys("example.com/behind-the-sofa", kNoteSignatureTypeCosignatureV1);
  const NoteSigner* signers[] = {log.signer.get()};
  absl::StatusOr<std::string> note = SignNote(kCheckpoint, signers);
  absl::StatusOr<NoteSignature> c = impostor.signer->Cosign(kCheckpoint, kTime);
  ASSERT_TRUE(note.ok() && c.ok());
  std::string cosigned = AppendNoteSignatures(*note, {*c}).value();
  EXPECT_TRUE(OpenCheckpoint(cosigned, *log.verifier).ok());
  absl::StatusOr<Checkpoint> wrong = OpenCheckpoint(cosigned, *impostor.verifier);
  EXPECT_TRUE(absl::IsInvalidArgument(wrong.status())) << wrong.status();
  EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("cosigner key"));
}

TEST(CosignatureTest, KeysSignOnlyTheirOwnWay) {
  TestKeys log = NewTestKeys("log.example", kNoteSignatureTypeEd25519);
  TestKeys witness = NewTestKeys("witness.example", kNoteSignatureTypeCosignatureV1);
  absl::StatusOr<std::string> plain = witness.signer->Sign(kCheckpoint);
  EXPECT_TRUE(absl::IsFailedPrecondition(plain.status())) << plain.status();
  EXPECT_THAT(std::string(plain.status().message()), HasSubstr("cosigner key"));
  const NoteSigner* signers[] = {witness.signer.get()};
  absl::Status signed_note = SignNote(kCheckpoint, signers).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(signed_note)) << signed_note;
  EXPECT_THAT(std::string(signed_note.message()), HasSubstr("is a cosigner key (type 0x04)"));
  absl::Status cosigned = log.signer->Cosign(kCheckpoint, kTime).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(cosigned)) << cosigned;
  EXPECT_THAT(std::string(cosigned.message()), HasSubstr("want a cosigner key (type 0x04)"));
  absl::Status late = witness.signer->Cosign(kCheckpoint, kMaxCosignatureTimestamp + 1).status();
  EXPECT_TRUE(absl::IsInvalidArgument(late)) << late;
  EXPECT_THAT(std::string(late.message()), HasSubstr("is over the maximum"));
  EXPECT_TRUE(witness.signer->Cosign(kCheckpoint, kMaxCosignatureTimestamp).ok());
  absl::Status unterminated = witness.signer->Cosign("no newline", kTime).status();
  EXPECT_TRUE(absl::IsInvalidArgument(unterminated)) << unterminated;
  EXPECT_EQ(unterminated.message(), "note text does not end in a newline");
  absl::Status bad_type = GenerateNoteKey("x", 0x02).status();
  EXPECT_TRUE(absl::IsInvalidArgument(bad_type)) << bad_type;
  EXPECT_EQ(bad_type.message(), "key type 0x02, want 0x01 (Ed25519) or 0x04 (cosignature/v1)");
}

}  // namespace
}  // namespace vellum
