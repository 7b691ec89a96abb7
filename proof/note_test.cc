#include "proof/note.h"

#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proof/base64.h"
#include "proof/crypto.h"

namespace vellum {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Keys, texts and signatures are test vectors from golang.org/x/mod/sumdb/note/note_test.go
// (Copyright 2019 The Go Authors; BSD-style license).
constexpr absl::string_view kPeterVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr absl::string_view kPeterSignerKey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr absl::string_view kEnochVerifierKey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr absl::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr absl::string_view kPeterSigBase64 =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
constexpr absl::string_view kEnochSigBase64 =
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=";
const std::string kPeterSig = absl::StrCat("\xE2\x80\x94 PeterNeumann ", kPeterSigBase64, "\n");
const std::string kEnochSig = absl::StrCat("\xE2\x80\x94 EnochRoot ", kEnochSigBase64, "\n");
const NoteSignature kPeter = {"PeterNeumann", 0xc74f20a3, std::string(kPeterSigBase64)};
const NoteSignature kEnoch = {"EnochRoot", 0xaf0cfe78, std::string(kEnochSigBase64)};

void ExpectError(const absl::Status& status, absl::StatusCode code,
                 absl::string_view message_part) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(message_part)));
}

std::unique_ptr<NoteVerifier> MustVerifier(absl::string_view vkey) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> v = NoteVerifier::Create(vkey);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *std::move(v) : nullptr;
}

std::unique_ptr<NoteSigner> MustSigner(absl::string_view skey) {
  absl::StatusOr<std::unique_ptr<NoteSigner>> s = NoteSigner::Create(skey);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

absl::Span<const uint8_t> Bytes(absl::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(NoteKeyNameTest, ValidAndInvalid) {
  for (absl::string_view name :
       {"PeterNeumann", "example.com/log42", "\xC3\xA9t\xC3\xA9", "a=b", "x\x7Fy"}) {
    EXPECT_TRUE(IsValidNoteKeyName(name)) << absl::CHexEscape(name);
  }
  // Each escape ends before a letter that is not a hex digit ("z").
  for (absl::string_view name : {
           "", "a b", "a+b", "a\tb", "a\nb", "a\x01z", "a\xC2\xA0z" /* U+00A0 */,
           "a\xC2\x85z" /* U+0085 */, "a\xE1\x9A\x80z" /* U+1680 */, "a\xE2\x80\x8Az" /* U+200A */,
           "a\xE2\x80\xA8z" /* U+2028 */, "a\xE3\x80\x80z" /* U+3000 */, "\xFF",
           "\xC0\xAF" /* overlong */, "\xED\xA0\x80" /* surrogate */,
           "\xF4\x90\x80\x80" /* above U+10FFFF */, "\xE2\x80" /* truncated */}) {
    EXPECT_FALSE(IsValidNoteKeyName(name)) << absl::CHexEscape(name);
  }
  // U+200B (zero width space) is not White_Space, as in Go's unicode.IsSpace.
  EXPECT_TRUE(IsValidNoteKeyName("a\xE2\x80\x8Bz"));
}

TEST(NoteVerifierTest, ParsesGoVector) {
  std::unique_ptr<NoteVerifier> v = MustVerifier(kPeterVerifierKey);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->name(), "PeterNeumann");
  EXPECT_EQ(v->key_id(), 0xc74f20a3u);
  EXPECT_EQ(v->ToString(), kPeterVerifierKey);
  EXPECT_EQ(NoteKeyId("PeterNeumann", kNoteSignatureTypeEd25519, v->public_key()), 0xc74f20a3u);
  std::string sig = *Base64DecodeStrict(kPeterSigBase64);
  EXPECT_TRUE(v->Verify(kText, Bytes(sig).subspan(4)));
  EXPECT_FALSE(v->Verify(absl::StrCat(kText, "x"), Bytes(sig).subspan(4)));
}

// Ported from TestNewVerifier: every proper substring and every one-byte increment fails.
TEST(NoteVerifierTest, RejectsManglings) {
  std::string b(kPeterVerifierKey);
  for (size_t i = 0; i <= b.size(); ++i) {
    for (size_t j = i + 1; j <= b.size(); ++j) {
      if (i == 0 && j == b.size()) continue;
      absl::StatusOr<std::unique_ptr<NoteVerifier>> v = NoteVerifier::Create(b.substr(i, j - i));
      ExpectError(v.status(), absl::StatusCode::kInvalidArgument, "verifier key");
    }
  }
  for (size_t i = 0; i < b.size(); ++i) {
    b[i]++;
    ExpectError(NoteVerifier::Create(b).status(), absl::StatusCode::kInvalidArgument,
                "verifier key");
    b[i]--;
  }
}

TEST(NoteVerifierTest, RejectsBadKeys) {
  struct Case {
    std::string vkey;
    const char* error;
  };
  const Case cases[] = {
      // From TestNewVerifier: wrong key length and unknown algorithm, each with a key id
      // adjusted to match. Go decodes the first leniently (non-zero trailing bits) and rejects
      // its length; strict base64 rejects it earlier.
      {"PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
       "key field is not strict standard base64 (52 characters)"},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy",
       "key is 30 bytes, want 33"},
      {"PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "got type 0x65, want 0x01"},
      {"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "key id c74f20a4 does not match the key, want c74f20a3"},
      {"PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "not 8 lowercase hex digits"},
      {"PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "not 8 lowercase hex digits (7 characters)"},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
       "not strict standard base64"},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW",
       "not strict standard base64"},
      {"PeterNeumann+c74f20a3+", "got no type byte, want 0x01 (Ed25519)"},
      {"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "key name has space U+0020 at byte 5"},
      {"Peter\xC2\xA0Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
       "key name has space U+00A0 at byte 5"},
      {"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name is empty"},
      {"PeterNeumann", "fewer than 3 '+'-separated fields"},
      {"", "fewer than 3 '+'-separated fields"},
      {std::string(kPeterSignerKey), "got a signer key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.vkey);
    ExpectError(NoteVerifier::Create(c.vkey).status(), absl::StatusCode::kInvalidArgument, c.error);
  }
}

TEST(NoteSignerTest, ParsesGoVector) {
  std::unique_ptr<NoteSigner> s = MustSigner(kPeterSignerKey);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name(), "PeterNeumann");
  EXPECT_EQ(s->key_id(), 0xc74f20a3u);
  EXPECT_EQ(s->VerifierKey(), kPeterVerifierKey);
  absl::StatusOr<std::string> sig = s->Sign(kText);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(absl::Base64Escape(absl::StrCat("\xc7\x4f\x20\xa3", *sig)), kPeterSigBase64);
}

// Error messages about signer keys must not leak the key: no 8-character window of the key
// field (the encoded seed) may appear in them.
void ExpectNoSecret(const absl::Status& status, absl::string_view skey) {
  absl::string_view secret = skey.substr(skey.rfind('+') + 1);
  std::string message(status.message());
  for (size_t i = 0; i + 8 <= secret.size(); ++i) {
    ASSERT_THAT(message, Not(HasSubstr(std::string(secret.substr(i, 8)))))
        << "error leaks the signer key: " << message;
  }
}

// Ported from TestNewSigner: every proper substring and every one-byte increment fails.
TEST(NoteSignerTest, RejectsManglingsWithoutLeakingTheKey) {
  std::string b(kPeterSignerKey);
  for (size_t i = 0; i <= b.size(); ++i) {
    for (size_t j = i + 1; j <= b.size(); ++j) {
      if (i == 0 && j == b.size()) continue;
      absl::Status status = NoteSigner::Create(b.substr(i, j - i)).status();
      ExpectError(status, absl::StatusCode::kInvalidArgument, "signer key");
      ExpectNoSecret(status, kPeterSignerKey);
      ExpectNoSecret(NoteVerifier::Create(b.substr(i, j - i)).status(), kPeterSignerKey);
    }
  }
  for (size_t i = 0; i < b.size(); ++i) {
    b[i]++;
    absl::Status status = NoteSigner::Create(b).status();
    ExpectError(status, absl::StatusCode::kInvalidArgument, "signer key");
    ExpectNoSecret(status, kPeterSignerKey);
    b[i]--;
  }
}

TEST(NoteSignerTest, RejectsBadKeysWithoutLeakingThem) {
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("example.com/log");
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string& skey = key->signer_key;
  const size_t seed_at = skey.rfind('+') + 1;
  struct Case {
    std::string skey;
    const char* error;
  };
  std::string wrong_id = skey;
  wrong_id[seed_at - 2] = wrong_id[seed_at - 2] == '0' ? '1' : '0';
  std::string bad_base64 = skey;
  bad_base64.back() = '!';
  const Case cases[] = {
      {skey.substr(0, skey.size() - 4), "key is 30 bytes, want 33"},
      {wrong_id, "does not match the key"},
      {bad_base64, "not strict standard base64"},
      {skey.substr(std::strlen("PRIVATE+KEY+")), "does not start with PRIVATE+KEY+"},
      {absl::StrCat("private+key+", skey.substr(12)), "does not start with PRIVATE+KEY+"},
      {absl::StrCat(skey, "\n"), "not strict standard base64"},
      {key->verifier_key, "does not start with PRIVATE+KEY+"},
  };
  for (const Case& c : cases) {
    absl::Status status = NoteSigner::Create(c.skey).status();
    ExpectError(status, absl::StatusCode::kInvalidArgument, c.error);
    ExpectNoSecret(status, skey);
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(c.skey)));
  }
  ExpectNoSecret(NoteVerifier::Create(skey).status(), skey);
  ExpectNoSecret(NoteVerifier::Create(skey.substr(12)).status(), skey);
}

// Ported from testSignerAndVerifier.
void ExpectMatchingPair(absl::string_view name, const NoteSigner& signer,
                        const NoteVerifier& verifier) {
  EXPECT_EQ(signer.name(), name);
  EXPECT_EQ(verifier.name(), name);
  EXPECT_EQ(signer.key_id(), verifier.key_id());
  std::string msg = "hi";
  absl::StatusOr<std::string> sig = signer.Sign(msg);
  ASSERT_TRUE(sig.ok()) << sig.status();
  ASSERT_EQ(sig->size(), 64u);
  EXPECT_TRUE(verifier.Verify(msg, Bytes(*sig)));
  (*sig)[0]++;
  EXPECT_FALSE(verifier.Verify(msg, Bytes(*sig)));
  (*sig)[0]--;
  msg[0]++;
  EXPECT_FALSE(verifier.Verify(msg, Bytes(*sig)));
}

TEST(GenerateNoteKeyTest, SelfConsistent) {
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("EnochRoot");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(absl::StartsWith(key->signer_key, "PRIVATE+KEY+EnochRoot+"));
  std::unique_ptr<NoteSigner> signer = MustSigner(key->signer_key);
  std::unique_ptr<NoteVerifier> verifier = MustVerifier(key->verifier_key);
  ASSERT_NE(signer, nullptr);
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(signer->VerifierKey(), key->verifier_key);
  EXPECT_EQ(verifier->ToString(), key->verifier_key);
  ExpectMatchingPair("EnochRoot", *signer, *verifier);

  absl::StatusOr<GeneratedKey> other = GenerateNoteKey("EnochRoot");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->signer_key, key->signer_key);

  ExpectError(GenerateNoteKey("Enoch Root").status(), absl::StatusCode::kInvalidArgument,
              "key name has space U+0020 at byte 5");
  ExpectError(GenerateNoteKey("").status(), absl::StatusCode::kInvalidArgument,
              "key name is empty");
}

// Ported from TestFromEd25519.
TEST(Ed25519NoteVerifierKeyTest, FromRawKey) {
  crypto::Ed25519Seed seed;
  ASSERT_TRUE(crypto::RandomBytes(absl::MakeSpan(seed)).ok());
  absl::StatusOr<std::unique_ptr<crypto::Ed25519PrivateKey>> priv =
      crypto::Ed25519PrivateKey::Create(seed);
  ASSERT_TRUE(priv.ok());
  absl::StatusOr<std::string> vkey = Ed25519NoteVerifierKey("EnochRoot", (*priv)->public_key());
  ASSERT_TRUE(vkey.ok()) << vkey.status();
  std::unique_ptr<NoteVerifier> verifier = MustVerifier(*vkey);
  ASSERT_NE(verifier, nullptr);
  absl::StatusOr<crypto::Ed25519Signature> sig = (*priv)->Sign("hi");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(verifier->Verify("hi", *sig));

  absl::StatusOr<std::unique_ptr<NoteVerifier>> direct =
      NoteVerifier::FromEd25519("EnochRoot", (*priv)->public_key());
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ((*direct)->ToString(), *vkey);

  std::unique_ptr<NoteVerifier> peter = MustVerifier(kPeterVerifierKey);
  EXPECT_EQ(*Ed25519NoteVerifierKey("PeterNeumann", peter->public_key()), kPeterVerifierKey);
  ExpectError(Ed25519NoteVerifierKey("a+b", peter->public_key()).status(),
              absl::StatusCode::kInvalidArgument, "key name has '+' at byte 1");
  ExpectError(NoteVerifier::FromEd25519("a b", peter->public_key()).status(),
              absl::StatusCode::kInvalidArgument, "key name has space");
}

// Ported from TestSign.
TEST(SignNoteTest, GoVector) {
  std::unique_ptr<NoteSigner> signer = MustSigner(kPeterSignerKey);
  absl::StatusOr<std::string> msg = SignNote(kText, {signer.get()});
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(*msg, absl::StrCat(kText, "\n", kPeterSig));
}

TEST(SignNoteTest, RejectsBadInput) {
  std::unique_ptr<NoteSigner> peter = MustSigner(kPeterSignerKey);
  std::unique_ptr<NoteSigner> peter_again = MustSigner(kPeterSignerKey);
  ExpectError(SignNote("abc", {peter.get()}).status(), absl::StatusCode::kInvalidArgument,
              "note text does not end in a newline");
  ExpectError(SignNote("", {peter.get()}).status(), absl::StatusCode::kInvalidArgument,
              "note text does not end in a newline");
  ExpectError(SignNote("a\rb\n", {peter.get()}).status(), absl::StatusCode::kInvalidArgument,
              "control character 0x0d at byte 1");
  ExpectError(SignNote("a\xFF\n", {peter.get()}).status(), absl::StatusCode::kInvalidArgument,
              "invalid UTF-8 at byte 1");
  ExpectError(SignNote(std::string(kMaxNoteSize + 1, '\n'), {peter.get()}).status(),
              absl::StatusCode::kInvalidArgument, "131073 bytes, want at most 131072");
  ExpectError(SignNote(std::string(kMaxNoteSize - 10, '\n'), {peter.get()}).status(),
              absl::StatusCode::kInvalidArgument, "signed note would be");
  ExpectError(SignNote(kText, {}).status(), absl::StatusCode::kInvalidArgument,
              "got 0 signers, want 1 to 100");
  ExpectError(SignNote(kText, {peter.get(), nullptr}).status(), absl::StatusCode::kInvalidArgument,
              "signer 1 is null");
  ExpectError(SignNote(kText, {peter.get(), peter_again.get()}).status(),
              absl::StatusCode::kInvalidArgument, "signer 1 repeats key PeterNeumann+c74f20a3");
}

// The spec separates the text from the signatures at the last blank line, so texts may hold
// blank lines, even at their end.
TEST(SignNoteTest, TextWithBlankLinesRoundTrips) {
  std::unique_ptr<NoteSigner> signer = MustSigner(kPeterSignerKey);
  std::unique_ptr<NoteVerifier> verifier = MustVerifier(kPeterVerifierKey);
  for (absl::string_view text : {"a\n\nb\n", "a\n\n", "\n", "\n\n\n", "x\x7Fy\n",
                                 "\xE2\x80\x94 PeterNeumann looks like a signature\n"}) {
    absl::StatusOr<std::string> msg = SignNote(text, {signer.get()});
    ASSERT_TRUE(msg.ok()) << msg.status();
    absl::StatusOr<Note> note = OpenNote(*msg, {verifier.get()});
    ASSERT_TRUE(note.ok()) << note.status();
    EXPECT_EQ(note->text, text);
    ASSERT_EQ(note->verified.size(), 1u);
  }
}

// Ported from TestOpen.
class OpenNoteTest : public ::testing::Test {
 protected:
  std::unique_ptr<NoteVerifier> peter_ = MustVerifier(kPeterVerifierKey);
  std::unique_ptr<NoteVerifier> enoch_ = MustVerifier(kEnochVerifierKey);
};

TEST_F(OpenNoteTest, OneVerifiedOneUnknown) {
  absl::StatusOr<Note> note =
      OpenNote(absl::StrCat(kText, "\n", kPeterSig, kEnochSig), {peter_.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->text, kText);
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kPeter));
  EXPECT_THAT(note->unverified, ::testing::ElementsAre(kEnoch));
}

TEST_F(OpenNoteTest, BothVerified) {
  absl::StatusOr<Note> note =
      OpenNote(absl::StrCat(kText, "\n", kPeterSig, kEnochSig), {peter_.get(), enoch_.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kPeter, kEnoch));
  EXPECT_TRUE(note->unverified.empty());
}

TEST_F(OpenNoteTest, NoKnownSignature) {
  ExpectError(OpenNote(absl::StrCat(kText, "\n", kPeterSig, kEnochSig), {}).status(),
              absl::StatusCode::kUnauthenticated,
              "note has no verifiable signatures: got 2 from unknown keys "
              "[PeterNeumann+c74f20a3, EnochRoot+af0cfe78], want one from []");
  ExpectError(OpenNote(absl::StrCat(kText, "\n", kEnochSig), {peter_.get()}).status(),
              absl::StatusCode::kUnauthenticated,
              "got 1 from unknown keys [EnochRoot+af0cfe78], want one from "
              "[PeterNeumann+c74f20a3]");
}

// Go reports an ambiguous key here; the same verifier listed twice is harmless, so we accept.
TEST_F(OpenNoteTest, RepeatedVerifier) {
  absl::StatusOr<Note> note =
      OpenNote(absl::StrCat(kText, "\n", kEnochSig), {enoch_.get(), peter_.get(), enoch_.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kEnoch));
  note = OpenNote(absl::StrCat(kText, "\n", kPeterSig), {enoch_.get(), peter_.get(), enoch_.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kPeter));
}

// Finds two 32-byte strings whose key ids under `name` collide (a birthday search over 32 bits).
std::pair<crypto::Ed25519PublicKey, crypto::Ed25519PublicKey> CollidingKeys(
    absl::string_view name) {
  std::unordered_map<uint32_t, uint64_t> seen;
  auto key = [](uint64_t i) {
    crypto::Ed25519PublicKey k{};
    std::memcpy(k.data(), &i, sizeof(i));
    return k;
  };
  for (uint64_t i = 0;; ++i) {
    auto [it, inserted] = seen.emplace(NoteKeyId(name, kNoteSignatureTypeEd25519, key(i)), i);
    if (!inserted) return {key(it->second), key(i)};
  }
}

TEST_F(OpenNoteTest, AmbiguousAndCollidingKeys) {
  auto [key_a, key_b] = CollidingKeys("Collide");
  std::unique_ptr<NoteVerifier> a = *NoteVerifier::FromEd25519("Collide", key_a);
  std::unique_ptr<NoteVerifier> b = *NoteVerifier::FromEd25519("Collide", key_b);
  ASSERT_EQ(a->key_id(), b->key_id());
  ASSERT_NE(a->public_key(), b->public_key());
  std::string line =
      absl::StrCat("\xE2\x80\x94 Collide ",
                   MakeNoteSignature("Collide", a->key_id(), std::string(64, 'x')).base64, "\n");
  std::string msg = absl::StrCat(kText, "\n", kPeterSig, line);
  ExpectError(OpenNote(msg, {peter_.get(), a.get(), b.get()}).status(),
              absl::StatusCode::kInvalidArgument,
              absl::StrFormat("ambiguous key Collide+%08x", a->key_id()));
  // An attacker's key that collides with a known one only gets a verification failure.
  ExpectError(OpenNote(msg, {peter_.get(), a.get()}).status(), absl::StatusCode::kUnauthenticated,
              absl::StrFormat("invalid signature for key Collide+%08x", a->key_id()));
  // Unused, the ambiguity does not matter.
  EXPECT_TRUE(
      OpenNote(absl::StrCat(kText, "\n", kPeterSig), {peter_.get(), a.get(), b.get()}).ok());
}

TEST_F(OpenNoteTest, SignatureLimit) {
  std::string many;
  for (int i = 0; i < 101; ++i) many += kPeterSig;
  ExpectError(OpenNote(absl::StrCat(kText, "\n", many), {peter_.get()}).status(),
              absl::StatusCode::kInvalidArgument, "101 signature lines, want at most 100");
  ExpectError(OpenNote(absl::StrCat(kText, "\n", many), {}).status(),
              absl::StatusCode::kInvalidArgument, "101 signature lines, want at most 100");

  // 99 unknown signatures and one known: exactly at the limit.
  std::string unknown;
  for (int i = 0; i < 99; ++i) {
    unknown += absl::StrCat("\xE2\x80\x94 witness", i, ".example ",
                            MakeNoteSignature("w", i, std::string(64, 's')).base64, "\n");
  }
  absl::StatusOr<Note> note =
      OpenNote(absl::StrCat(kText, "\n", unknown, kPeterSig), {peter_.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->unverified.size(), 99u);
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kPeter));
}

TEST_F(OpenNoteTest, InvalidSignature) {
  std::string bad = kPeterSig.substr(0, 60) + "ABCD" + kPeterSig.substr(60);
  ExpectError(OpenNote(absl::StrCat(kText, "\n", bad), {peter_.get()}).status(),
              absl::StatusCode::kUnauthenticated,
              "invalid signature for key PeterNeumann+c74f20a3");
  // The signature of another text.
  ExpectError(OpenNote(absl::StrCat("X", kText, "\n", kPeterSig), {peter_.get()}).status(),
              absl::StatusCode::kUnauthenticated,
              "invalid signature for key PeterNeumann+c74f20a3");
  // A failing known signature rejects the note even when another known one verifies.
  std::string bad_enoch = kEnochSig.substr(0, 60) + "ABCD" + kEnochSig.substr(60);
  ExpectError(
      OpenNote(absl::StrCat(kText, "\n", kPeterSig, bad_enoch), {peter_.get(), enoch_.get()})
          .status(),
      absl::StatusCode::kUnauthenticated, "invalid signature for key EnochRoot+af0cfe78");
}

TEST_F(OpenNoteTest, RepeatedSignatures) {
  const std::string enoch_abcd_line = kEnochSig.substr(0, 60) + "ABCD" + kEnochSig.substr(60);
  const NoteSignature enoch_abcd = {"EnochRoot", 0xaf0cfe78,
                                    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
                                    "5nABCD2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="};
  // Go's vector, peterSig twice: Go verifies the first and drops the second; we reject repeated
  // lines from a known key.
  ExpectError(OpenNote(absl::StrCat(kText, "\n", kPeterSig, kPeterSig, kEnochSig, kEnochSig,
                                    enoch_abcd_line),
                       {peter_.get()})
                  .status(),
              absl::StatusCode::kInvalidArgument,
              "more than one signature line for known key PeterNeumann+c74f20a3");
  // Repeated unknown lines are dropped; different unknown lines by the same key are kept.
  absl::StatusOr<Note> note = OpenNote(
      absl::StrCat(kText, "\n", kPeterSig, kEnochSig, kEnochSig, enoch_abcd_line), {peter_.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kPeter));
  EXPECT_THAT(note->unverified, ::testing::ElementsAre(kEnoch, enoch_abcd));
}

// Unknown keys are ignored even when they share a name or a key id (not both) with a known key.
TEST_F(OpenNoteTest, IgnoresKeysSharingNameOrId) {
  std::string same_name =
      absl::StrCat("\xE2\x80\x94 PeterNeumann ", kEnochSigBase64, "\n");  // Id af0cfe78.
  std::string same_id = absl::StrCat("\xE2\x80\x94 Impostor ", kPeterSigBase64, "\n");
  absl::StatusOr<Note> note =
      OpenNote(absl::StrCat(kText, "\n", same_name, kPeterSig, same_id), {peter_.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kPeter));
  EXPECT_THAT(note->unverified,
              ::testing::ElementsAre(
                  NoteSignature{"PeterNeumann", 0xaf0cfe78, std::string(kEnochSigBase64)},
                  NoteSignature{"Impostor", 0xc74f20a3, std::string(kPeterSigBase64)}));
}

TEST_F(OpenNoteTest, RejectsMalformed) {
  struct Case {
    std::string msg;
    const char* error;
  };
  const std::string text(kText);
  const Case cases[] = {
      // The first seven are Go's badMsgs.
      {text, "no blank line between the text and the signatures"},
      {text + "\n", "no signature lines after the blank line"},
      {text + "\n" + kPeterSig.substr(0, kPeterSig.size() - 1),
       "the last signature line does not end in a newline"},
      {"\x01" + text + "\n" + kPeterSig, "control character 0x01 at byte 0"},
      {"\xFF" + text + "\n" + kPeterSig, "invalid UTF-8 at byte 0"},
      {text + "\n" + "\xE2\x80\x94 Bad Name " + std::string(kPeterSigBase64),
       "does not end in a newline"},
      {text + "\n" + kPeterSig + "Unexpected line.\n", "signature line 2 is \"Unexpected line.\""},
      {text + "\n" + "\xE2\x80\x94 Bad Name " + std::string(kPeterSigBase64) + "\n",
       "signature line 1: signature is not strict standard base64"},
      {text + "\n" + "\xE2\x80\x94 PeterNeumann\n", "signature line 1 has no space"},
      {text + "\n" + "\xE2\x80\x94 PeterNeumann \n", "signature is 0 bytes, want at least 5"},
      {text + "\n" + "\xE2\x80\x94 PeterNeumann AAAA\n", "signature is 3 bytes, want at least 5"},
      {text + "\n" + "\xE2\x80\x94 PeterNeumann AAAAAAB=\n", "not strict standard base64"},
      {text + "\n" + "\xE2\x80\x94 PeterNeumann AAAAAAA\n", "not strict standard base64"},
      {text + "\n" + "\xE2\x80\x94  " + std::string(kPeterSigBase64) + "\n",
       "signature line 1: key name is empty"},
      {text + "\n" + "\xE2\x80\x94PeterNeumann " + std::string(kPeterSigBase64) + "\n",
       "signature line 1 is"},
      {text + "\n" + "- PeterNeumann " + std::string(kPeterSigBase64) + "\n",
       "signature line 1 is"},
      {text + "\n" + kPeterSig + "\n", "no signature lines after the blank line"},
      {text + "\n" + kPeterSig + "\r\n", "control character 0x0d"},
      {text + "\n" + kPeterSig.substr(0, kPeterSig.size() - 1) + " \n",
       "not strict standard base64"},
      {"\n", "no blank line"},
      {"", "no blank line"},
      {std::string(kMaxNoteSize + 1 - kPeterSig.size(), '\n') + kPeterSig,
       "131073 bytes, want at most 131072"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::CHexEscape(c.msg.substr(0, 200)));
    ExpectError(OpenNote(c.msg, {peter_.get()}).status(), absl::StatusCode::kInvalidArgument,
                c.error);
  }
  // The last blank line separates the signatures, so this text includes the first signature
  // line and the signature no longer matches.
  ExpectError(OpenNote(text + "\n" + kPeterSig + "\n" + kPeterSig, {peter_.get()}).status(),
              absl::StatusCode::kUnauthenticated, "invalid signature for key PeterNeumann");
  ExpectError(OpenNote(text + "\n" + kPeterSig, {peter_.get(), nullptr}).status(),
              absl::StatusCode::kInvalidArgument, "verifier 1 is null");
}

// The spec requires accepting at least 16 signatures; here 20 distinct keys sign and only one
// of them is known.
TEST(NoteRoundTripTest, ManySignersOneKnown) {
  constexpr int kSigners = 20;
  std::vector<std::unique_ptr<NoteSigner>> signers;
  std::vector<std::unique_ptr<NoteVerifier>> verifiers;
  std::vector<const NoteSigner*> signer_ptrs;
  std::vector<const NoteVerifier*> verifier_ptrs;
  for (int i = 0; i < kSigners; ++i) {
    absl::StatusOr<GeneratedKey> key = GenerateNoteKey(absl::StrCat("witness", i, ".example"));
    ASSERT_TRUE(key.ok()) << key.status();
    signers.push_back(MustSigner(key->signer_key));
    verifiers.push_back(MustVerifier(key->verifier_key));
    signer_ptrs.push_back(signers.back().get());
    verifier_ptrs.push_back(verifiers.back().get());
  }
  absl::StatusOr<std::string> msg = SignNote(kText, signer_ptrs);
  ASSERT_TRUE(msg.ok()) << msg.status();

  absl::StatusOr<Note> note = OpenNote(*msg, {verifiers[7].get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->text, kText);
  ASSERT_EQ(note->verified.size(), 1u);
  EXPECT_EQ(note->verified[0].name, "witness7.example");
  EXPECT_EQ(note->verified[0].key_id, verifiers[7]->key_id());
  EXPECT_EQ(note->unverified.size(), kSigners - 1u);

  note = OpenNote(*msg, verifier_ptrs);
  ASSERT_TRUE(note.ok()) << note.status();
  ASSERT_EQ(note->verified.size(), static_cast<size_t>(kSigners));
  for (int i = 0; i < kSigners; ++i) {
    EXPECT_EQ(note->verified[i].name, signers[i]->name());
    std::string raw = *Base64DecodeStrict(note->verified[i].base64);
    EXPECT_TRUE(verifiers[i]->Verify(kText, Bytes(raw).subspan(4)));
  }
  EXPECT_TRUE(note->unverified.empty());
}

TEST(AppendNoteSignaturesTest, AppendsCosignatures) {
  std::unique_ptr<NoteSigner> peter_signer = MustSigner(kPeterSignerKey);
  std::unique_ptr<NoteVerifier> peter = MustVerifier(kPeterVerifierKey);
  std::unique_ptr<NoteVerifier> enoch = MustVerifier(kEnochVerifierKey);
  absl::StatusOr<std::string> msg = SignNote(kText, {peter_signer.get()});
  ASSERT_TRUE(msg.ok());

  absl::StatusOr<std::string> both = AppendNoteSignatures(*msg, {kEnoch});
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(*both, absl::StrCat(kText, "\n", kPeterSig, kEnochSig));
  absl::StatusOr<Note> note = OpenNote(*both, {peter.get(), enoch.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_THAT(note->verified, ::testing::ElementsAre(kPeter, kEnoch));

  // A signature made with NoteSigner::Sign and MakeNoteSignature.
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("witness.example");
  ASSERT_TRUE(key.ok());
  std::unique_ptr<NoteSigner> witness = MustSigner(key->signer_key);
  std::unique_ptr<NoteVerifier> witness_verifier = MustVerifier(key->verifier_key);
  absl::StatusOr<std::string> sig = witness->Sign(kText);
  ASSERT_TRUE(sig.ok());
  absl::StatusOr<std::string> three =
      AppendNoteSignatures(*both, {MakeNoteSignature(witness->name(), witness->key_id(), *sig)});
  ASSERT_TRUE(three.ok()) << three.status();
  note = OpenNote(*three, {peter.get(), witness_verifier.get()});
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->verified.size(), 2u);
  EXPECT_THAT(note->unverified, ::testing::ElementsAre(kEnoch));
}

TEST(AppendNoteSignaturesTest, RejectsBadInput) {
  const std::string msg = absl::StrCat(kText, "\n", kPeterSig);
  ExpectError(AppendNoteSignatures(msg, {kPeter}).status(), absl::StatusCode::kInvalidArgument,
              "signature 0: the note already has a signature by key PeterNeumann+c74f20a3");
  ExpectError(AppendNoteSignatures(msg, {kEnoch, kEnoch}).status(),
              absl::StatusCode::kInvalidArgument,
              "signature 1: the note already has a signature by key EnochRoot+af0cfe78");
  ExpectError(AppendNoteSignatures(
                  msg, {NoteSignature{"EnochRoot", 0xc74f20a3, std::string(kEnochSigBase64)}})
                  .status(),
              absl::StatusCode::kInvalidArgument, "encoded key id af0cfe78, want c74f20a3");
  ExpectError(AppendNoteSignatures(
                  msg, {NoteSignature{"Enoch Root", 0xaf0cfe78, std::string(kEnochSigBase64)}})
                  .status(),
              absl::StatusCode::kInvalidArgument, "signature 0: key name has space");
  ExpectError(AppendNoteSignatures(msg, {NoteSignature{"EnochRoot", 0xaf0cfe78, "AAAA"}}).status(),
              absl::StatusCode::kInvalidArgument, "want strict base64 of at least 5 bytes");
  ExpectError(
      AppendNoteSignatures(msg, {NoteSignature{"EnochRoot", 0xaf0cfe78, "rwz+eBz="}}).status(),
      absl::StatusCode::kInvalidArgument, "want strict base64");
  ExpectError(AppendNoteSignatures(kText, {kEnoch}).status(), absl::StatusCode::kInvalidArgument,
              "malformed note: no blank line");
  std::vector<NoteSignature> many;
  for (uint32_t i = 0; i < 100; ++i) many.push_back(MakeNoteSignature("w", i, "sig"));
  ExpectError(AppendNoteSignatures(msg, many).status(), absl::StatusCode::kInvalidArgument,
              "note would have 101 signatures, want at most 100");
}

}  // namespace
}  // namespace vellum
