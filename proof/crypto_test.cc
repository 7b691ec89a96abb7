#include "proof/crypto.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace vellum {
namespace crypto {
namespace {

std::string Hex(absl::Span<const uint8_t> bytes) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

TEST(Sha256Test, KnownAnswers) {
  EXPECT_EQ(Hex(Sha256({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256({"abc"})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256({"a", "", "bc"}), Sha256({"abc"}));
}

// RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte).
TEST(Ed25519Test, Rfc8032Vectors) {
  struct Vector {
    const char* seed;
    const char* public_key;
    const char* message;
    const char* signature;
  };
  const Vector vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
       "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
       "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const Vector& v : vectors) {
    Ed25519Seed seed;
    std::string seed_bytes = absl::HexStringToBytes(v.seed);
    std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());
    auto key = Ed25519PrivateKey::Create(seed);
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(Hex((*key)->public_key()), v.public_key);
    std::string message = absl::HexStringToBytes(v.message);
    auto signature = (*key)->Sign(message);
    ASSERT_TRUE(signature.ok()) << signature.status();
    EXPECT_EQ(Hex(*signature), v.signature);
    EXPECT_TRUE(Ed25519Verify((*key)->public_key(), message, *signature));
    EXPECT_FALSE(Ed25519Verify((*key)->public_key(), message + "x", *signature));
    Ed25519Signature flipped = *signature;
    flipped[10] ^= 1;
    EXPECT_FALSE(Ed25519Verify((*key)->public_key(), message, flipped));
    EXPECT_FALSE(Ed25519Verify((*key)->public_key(), message,
                               absl::MakeConstSpan(signature->data(), 63)));
  }
}

// RFC 4231 section 4: test cases 1-7 (case 5's output is truncated to 128 bits there).
TEST(HmacSha256Test, Rfc4231Vectors) {
  struct Vector {
    std::string key;
    std::string data;
    const char* mac;
  };
  const std::string large_key(131, '\xaa');
  const Vector vectors[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {absl::HexStringToBytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
       std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {std::string(20, '\x0c'), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {large_key, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {large_key,
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Vector& v : vectors) {
    const std::string mac = Hex(HmacSha256(v.key, v.data));
    EXPECT_EQ(mac.substr(0, std::string(v.mac).size()), v.mac) << "key " << Hex(
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(v.key.data()), v.key.size()));
  }
  // The key and the data are not interchangeable, and one changed bit changes the MAC.
  EXPECT_NE(HmacSha256("Jefe", "what"), HmacSha256("what", "Jefe"));
  EXPECT_NE(HmacSha256("Jefe", "what"), HmacSha256("Jefe", "whau"));
  EXPECT_EQ(Hex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(ConstantTimeEqualsTest, ComparesContentsAndLengths) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0c", 3), std::string("a\0d", 3)));
}

TEST(RandomBytesTest, FillsBuffer) {
  std::array<uint8_t, 32> a{}, b{};
  ASSERT_TRUE(RandomBytes(absl::MakeSpan(a)).ok());
  ASSERT_TRUE(RandomBytes(absl::MakeSpan(b)).ok());
  EXPECT_NE(a, b);
}

// Fixed vectors made once with Debian's python3-cryptography 38 (generate_private_key, then
// sign() of kMessage): a 2048-bit RSA key with e = 65537 and its PKCS#1 v1.5 SHA-256 signature,
// and a P-256 key with its ECDSA SHA-256 signature, as R || S and as the library's DER.
constexpr char kMessage[] = "vellum crypto test vector";
const char kRsaModulusHex[] =
    "b9f22ee9c31e727c924a11ef2ab8e0ec681d425ae348da9fe603478a90f75267e2e3c7cf4a9edc0e"
    "a51758b433e2e0d0c695248ca5aee41c68937370df60e3182cc96d5d61a9a6cfbccaab020b554b79"
    "0b9317fc68183693f6e9cdfec407972a5cdcbb853ccd031b2d77af450fa6d40b223658ef0dd26629"
    "99ba3cb7d1e573494ed1c531e5b3a6201a9d773434815d644e74d970044e4f85548d7d98d5402e9e"
    "4509025865e8452406e681523eb2718db7110b152a9e23fb2a4ea4b22168c7644c46c237817f5dc8"
    "90b0d2e5e200023952bc98498ca2d5cb7bbc395325c533642a264f65c5500965cc5532b9a331ab7b"
    "4ad9291eaeb6b7da7000c663a7057d6d";
const char kRsaSignatureHex[] =
    "4f04ecdbbf139cc7105966fab2736e48bf00bd525e00c73a224a6ea4ddf17fac925160c7a3c0012b"
    "b9ff5b37257ba8add7d039e8cfc9248219000dd4884ddc9af0eed11229ebde42769ce4e2b81c9237"
    "401dae56704d8ce1e744e50c116599a1f43bf0fd66dcd3ba322030eb5b119b77d546418f8a3d9df4"
    "ec6283efc35f47a90596ba011c0be7bfd5350150839f506abae19f23d0cb3667629e98eddf1f3346"
    "f4e10da90408fa612a0327438ec61c1fc0f0e4d1f285e7d7ebb845a7fee1396aacd9d1bf8152cdd4"
    "317fc74f2fe69cbfb8c3f661a66c059bfb63f8b0e9ba1ed44e6d65b82405da27c4060a5fb5e9aea4"
    "653f0d680e756343e83c595bdf5ac96d";
const char kEcXHex[] = "8a5d318e6de875e804b6e4fb921571f3b5679db01e901dfdaf5d779073185be9";
const char kEcYHex[] = "295e87a9d2df14c99f2b7711557a67867c8bd332921871ca9d5342f8fa20afa6";
const char kEcRsHex[] =
    "8fba68dac0c3dd9e2752cbfdb249cc6bc0a2a7d120e8c92ecee1152742bb780aa8c6bc04d3cddd4e"
    "0456bd2b7625f040f56d47b4ecd0ba369d97d210f382666b";
const char kEcDerHex[] =
    "30460221008fba68dac0c3dd9e2752cbfdb249cc6bc0a2a7d120e8c92ecee1152742bb780a022100"
    "a8c6bc04d3cddd4e0456bd2b7625f040f56d47b4ecd0ba369d97d210f382666b";

std::string Bytes(const char* hex) { return absl::HexStringToBytes(hex); }

std::string Flipped(std::string bytes, size_t index) {
  bytes[index] ^= 1;
  return bytes;
}

std::unique_ptr<RsaPublicKey> TestRsaKey() {
  auto key = RsaPublicKey::Create(Bytes(kRsaModulusHex), std::string("\x01\x00\x01", 3));
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? std::move(*key) : nullptr;
}

std::unique_ptr<EcdsaP256PublicKey> TestEcKey() {
  auto key = EcdsaP256PublicKey::Create(Bytes(kEcXHex), Bytes(kEcYHex));
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? std::move(*key) : nullptr;
}

TEST(RsaPublicKeyTest, VerifiesFixedVector) {
  auto key = TestRsaKey();
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->modulus_bits(), 2048u);
  const std::string signature = Bytes(kRsaSignatureHex);
  EXPECT_TRUE(key->VerifyPkcs1Sha256(kMessage, signature).ok());
  // Leading zero bytes of the modulus and exponent do not count.
  auto padded = RsaPublicKey::Create(std::string(3, '\0') + Bytes(kRsaModulusHex),
                                     std::string("\0\x01\x00\x01", 4));
  ASSERT_TRUE(padded.ok()) << padded.status();
  EXPECT_TRUE((*padded)->VerifyPkcs1Sha256(kMessage, signature).ok());
}

TEST(RsaPublicKeyTest, RefusesBadSignatures) {
  auto key = TestRsaKey();
  ASSERT_NE(key, nullptr);
  const std::string signature = Bytes(kRsaSignatureHex);
  for (size_t index : {size_t{0}, size_t{100}, signature.size() - 1}) {
    absl::Status status = key->VerifyPkcs1Sha256(kMessage, Flipped(signature, index));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << index;
    EXPECT_EQ(status.message(), "RS256 signature does not verify");
  }
  EXPECT_EQ(key->VerifyPkcs1Sha256("vellum crypto test vectoR", signature).message(),
            "RS256 signature does not verify");
  EXPECT_EQ(key->VerifyPkcs1Sha256(kMessage, signature.substr(1)).message(),
            "RS256 signature: got 255 bytes, want 256");
  EXPECT_EQ(key->VerifyPkcs1Sha256(kMessage, std::string(1, '\0') + signature).message(),
            "RS256 signature: got 257 bytes, want 256");
  // The same signature under another modulus (one bit changed, still odd) does not verify.
  auto other = RsaPublicKey::Create(Flipped(Bytes(kRsaModulusHex), 17),
                                    std::string("\x01\x00\x01", 3));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ((*other)->VerifyPkcs1Sha256(kMessage, signature).message(),
            "RS256 signature does not verify");
}

TEST(RsaPublicKeyTest, ModulusSizeLimits) {
  const std::string e("\x01\x00\x01", 3);
  // 2047 bits: 256 bytes whose top bit is clear.
  std::string n2047(256, '\xff');
  n2047[0] = '\x7f';
  auto small = RsaPublicKey::Create(n2047, e);
  EXPECT_EQ(small.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(small.status().message(), "RSA modulus: got 2047 bits, want at least 2048");
  EXPECT_EQ(RsaPublicKey::Create(std::string(128, '\xff'), e).status().message(),
            "RSA modulus: got 1024 bits, want at least 2048");
  EXPECT_EQ(RsaPublicKey::Create("", e).status().message(),
            "RSA modulus: got 0 bits, want at least 2048");
  // 8192 bits is the largest accepted; one byte more is refused.
  auto largest = RsaPublicKey::Create(std::string(1024, '\xff'), e);
  ASSERT_TRUE(largest.ok()) << largest.status();
  EXPECT_EQ((*largest)->modulus_bits(), 8192u);
  EXPECT_EQ(RsaPublicKey::Create(std::string(1025, '\xff'), e).status().message(),
            "RSA modulus: got more than 8192 bits (1025 bytes), want at most 8192");
  std::string even(256, '\xff');
  even.back() = '\xfe';
  EXPECT_EQ(RsaPublicKey::Create(even, e).status().message(), "RSA modulus: got an even number");
}

TEST(RsaPublicKeyTest, ExponentLimits) {
  const std::string n = Bytes(kRsaModulusHex);
  EXPECT_TRUE(RsaPublicKey::Create(n, "\x03").ok());
  EXPECT_TRUE(RsaPublicKey::Create(n, std::string("\x01\xff\xff\xff\xff", 5)).ok());  // 2^33-1
  EXPECT_EQ(RsaPublicKey::Create(n, std::string("\x02\x00\x00\x00\x01", 5)).status().message(),
            "RSA exponent: got a 34-bit odd number, want an odd number in [3, 2^33)");
  EXPECT_EQ(RsaPublicKey::Create(n, std::string(6, '\x01')).status().message(),
            "RSA exponent: got 6 bytes, want less than 2^33");
  EXPECT_EQ(RsaPublicKey::Create(n, "\x01").status().message(),
            "RSA exponent: got a 1-bit odd number, want an odd number in [3, 2^33)");
  EXPECT_EQ(RsaPublicKey::Create(n, "").status().message(),
            "RSA exponent: got a 0-bit even number, want an odd number in [3, 2^33)");
  EXPECT_EQ(RsaPublicKey::Create(n, std::string("\x01\x00\x00", 3)).status().message(),
            "RSA exponent: got a 17-bit even number, want an odd number in [3, 2^33)");
}

TEST(EcdsaP256PublicKeyTest, VerifiesFixedVector) {
  auto key = TestEcKey();
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(key->VerifySha256Jws(kMessage, Bytes(kEcRsHex)).ok());
}

TEST(EcdsaP256PublicKeyTest, RefusesBadSignatures) {
  auto key = TestEcKey();
  ASSERT_NE(key, nullptr);
  const std::string signature = Bytes(kEcRsHex);
  for (size_t index : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    EXPECT_EQ(key->VerifySha256Jws(kMessage, Flipped(signature, index)).message(),
              "ES256 signature does not verify")
        << index;
  }
  EXPECT_EQ(key->VerifySha256Jws("vellum crypto test vectoR", signature).message(),
            "ES256 signature does not verify");
  const std::string der = Bytes(kEcDerHex);
  absl::Status status = key->VerifySha256Jws(kMessage, der);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("ES256 signature: got ", der.size(),
                                           " bytes, want 64 (R || S, not DER)"));
  EXPECT_EQ(key->VerifySha256Jws(kMessage, signature.substr(0, 63)).message(),
            "ES256 signature: got 63 bytes, want 64 (R || S, not DER)");
  // The same signature under the other point with the same x, (x, p - y), does not verify.
  auto negated = EcdsaP256PublicKey::Create(
      Bytes(kEcXHex), Bytes("d6a178552d20eb3760d488eeaa85987983742cce6de78e3562acbd0705df5059"));
  ASSERT_TRUE(negated.ok()) << negated.status();
  EXPECT_EQ((*negated)->VerifySha256Jws(kMessage, signature).message(),
            "ES256 signature does not verify");
}

TEST(EcdsaP256PublicKeyTest, RefusesOutOfRangeScalars) {
  auto key = TestEcKey();
  ASSERT_NE(key, nullptr);
  const std::string signature = Bytes(kEcRsHex);
  const std::string zero(32, '\0');
  // The P-256 group order n (SEC 2, section 2.4.2).
  const std::string order =
      Bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  const std::string want = "ES256 signature: got R or S outside [1, n-1] for the P-256 group order n";
  EXPECT_EQ(key->VerifySha256Jws(kMessage, zero + signature.substr(32)).message(), want);
  EXPECT_EQ(key->VerifySha256Jws(kMessage, signature.substr(0, 32) + zero).message(), want);
  EXPECT_EQ(key->VerifySha256Jws(kMessage, order + signature.substr(32)).message(), want);
  EXPECT_EQ(key->VerifySha256Jws(kMessage, signature.substr(0, 32) + order).message(), want);
  EXPECT_EQ(key->VerifySha256Jws(kMessage, std::string(32, '\xff') + signature.substr(32))
                .message(),
            want);
  // n - 1 is in range: it is refused only because it does not verify.
  std::string order_minus_one = order;
  order_minus_one.back() = '\x50';
  EXPECT_EQ(key->VerifySha256Jws(kMessage, signature.substr(0, 32) + order_minus_one).message(),
            "ES256 signature does not verify");
}

TEST(EcdsaP256PublicKeyTest, RefusesBadPoints) {
  const std::string x = Bytes(kEcXHex);
  const std::string y = Bytes(kEcYHex);
  auto off_curve = EcdsaP256PublicKey::Create(x, Flipped(y, 31));
  EXPECT_EQ(off_curve.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(off_curve.status().message(), "P-256 point: got a point not on the curve");
  EXPECT_EQ(EcdsaP256PublicKey::Create(std::string(32, '\0'), std::string(32, '\0'))
                .status()
                .message(),
            "P-256 point: got a point not on the curve");
  // The field prime p itself (SEC 2, section 2.4.2) as a coordinate.
  const std::string p = Bytes("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
  EXPECT_EQ(EcdsaP256PublicKey::Create(p, y).status().message(),
            "P-256 point: got a coordinate not below the field prime");
  EXPECT_EQ(EcdsaP256PublicKey::Create(x, std::string(32, '\xff')).status().message(),
            "P-256 point: got a coordinate not below the field prime");
  EXPECT_EQ(EcdsaP256PublicKey::Create(x.substr(1), y).status().message(),
            "P-256 point: got coordinates of 31 and 32 bytes, want 32 each");
  EXPECT_EQ(EcdsaP256PublicKey::Create(x, std::string(1, '\0') + y).status().message(),
            "P-256 point: got coordinates of 32 and 33 bytes, want 32 each");
}

// AES-256-GCM known answers: test cases 13 to 16 of McGrew and Viega, "The Galois/Counter Mode
// of Operation (GCM)", revised 2005 (the AES-256 cases). Checked against python3-cryptography.
TEST(AesGcmTest, KnownAnswers) {
  const std::string key15 =
      Bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string p15 = Bytes(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449"
      "a6b525b16aedf5aa0de657ba637b391aafd255");
  const std::string c15 = Bytes(
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
      "828838c5f61e6393ba7a0abcc9f662898015ad");
  struct Vector {
    std::string key, nonce, plaintext, aad, ciphertext, tag;
  };
  const Vector vectors[] = {
      {std::string(32, '\0'), std::string(12, '\0'), "", "", "",
       Bytes("530f8afbc74536b9a963b4f1c4cb738b")},
      {std::string(32, '\0'), std::string(12, '\0'), std::string(16, '\0'), "",
       Bytes("cea7403d4d606b6e074ec5d3baf39d18"), Bytes("d0d1c8a799996bf0265b98b5d48ab919")},
      {key15, Bytes("cafebabefacedbaddecaf888"), p15, "", c15,
       Bytes("b094dac5d93471bdec1a502270e3cc6c")},
      {key15, Bytes("cafebabefacedbaddecaf888"), p15.substr(0, 60),
       Bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2"), c15.substr(0, 60),
       Bytes("76fc6ece0f4e1768cddf8853bb2d551b")},
  };
  for (const Vector& v : vectors) {
    Aes256Key key;
    std::copy(v.key.begin(), v.key.end(), key.begin());
    const std::vector<uint8_t> nonce(v.nonce.begin(), v.nonce.end());
    auto sealed = Aes256GcmSealWithNonce(key, nonce, v.plaintext, v.aad);
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    EXPECT_EQ(absl::BytesToHexString(*sealed),
              absl::BytesToHexString(absl::StrCat(v.nonce, v.ciphertext, v.tag)));
    auto opened = Aes256GcmOpen(key, *sealed, v.aad);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, v.plaintext);
  }
}

TEST(AesGcmTest, RandomNoncesAndEveryTamperingFails) {
  Aes256Key key;
  ASSERT_TRUE(RandomBytes(absl::MakeSpan(key)).ok());
  auto a = Aes256GcmSeal(key, "alice@example.com", "actor.subject");
  auto b = Aes256GcmSeal(key, "alice@example.com", "actor.subject");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), kAesGcmNonceSize + 17 + kAesGcmTagSize);
  EXPECT_NE(*a, *b);
  auto opened = Aes256GcmOpen(key, *a, "actor.subject");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "alice@example.com");

  // Every single-bit flip, of the nonce, the ciphertext or the tag, fails to authenticate.
  for (size_t byte = 0; byte < a->size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = *a;
      flipped[byte] ^= static_cast<char>(1 << bit);
      auto bad = Aes256GcmOpen(key, flipped, "actor.subject");
      ASSERT_FALSE(bad.ok()) << byte << ":" << bit;
      EXPECT_EQ(bad.status().message(), "AES-GCM message does not authenticate");
    }
  }
  EXPECT_FALSE(Aes256GcmOpen(key, *a, "actor.groups").ok());
  Aes256Key other = key;
  other[0] ^= 1;
  EXPECT_FALSE(Aes256GcmOpen(other, *a, "actor.subject").ok());
  auto short_input = Aes256GcmOpen(key, a->substr(0, 27), "actor.subject");
  EXPECT_EQ(short_input.status().message(), "AES-GCM message: got 27 bytes, want at least 28");
  EXPECT_FALSE(Aes256GcmOpen(key, a->substr(0, a->size() - 1), "actor.subject").ok());
}

TEST(AesGcmTest, LimitsAreEnforced) {
  Aes256Key key{};
  EXPECT_EQ(Aes256GcmSealWithNonce(key, std::vector<uint8_t>(11), "x", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string big(kAesGcmMaxPlaintextSize + 1, 'x');
  EXPECT_EQ(Aes256GcmSeal(key, big, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Aes256GcmSeal(key, "", big).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Aes256GcmSeal(key, big.substr(1), "").ok());
}

// HKDF-SHA256: the test cases 1 to 3 of RFC 5869, Appendix A.
TEST(HkdfTest, Rfc5869Vectors) {
  std::string ikm2, salt2, info2;
  for (int i = 0; i < 80; ++i) {
    ikm2.push_back(static_cast<char>(i));
    salt2.push_back(static_cast<char>(0x60 + i));
    info2.push_back(static_cast<char>(0xb0 + i));
  }
  struct Vector {
    std::string ikm, salt, info, okm;
  };
  const Vector vectors[] = {
      {std::string(22, '\x0b'), Bytes("000102030405060708090a0b0c"), Bytes("f0f1f2f3f4f5f6f7f8f9"),
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {ikm2, salt2, info2,
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c6"
       "5e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {std::string(22, '\x0b'), "", "",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (const Vector& v : vectors) {
    std::vector<uint8_t> out(v.okm.size() / 2);
    ASSERT_TRUE(HkdfSha256(v.ikm, v.salt, v.info, absl::MakeSpan(out)).ok());
    EXPECT_EQ(absl::BytesToHexString(
                  absl::string_view(reinterpret_cast<const char*>(out.data()), out.size())),
              v.okm);
  }
}

TEST(HkdfTest, OutputLengthIsBounded) {
  std::vector<uint8_t> none;
  EXPECT_EQ(HkdfSha256("k", "", "", absl::MakeSpan(none)).code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<uint8_t> too_long(255 * 32 + 1);
  EXPECT_EQ(HkdfSha256("k", "", "", absl::MakeSpan(too_long)).message(),
            "HKDF-SHA256 output: got 8161 bytes, want 1 to 8160");
  std::vector<uint8_t> longest(255 * 32);
  EXPECT_TRUE(HkdfSha256("k", "", "", absl::MakeSpan(longest)).ok());
}

}  // namespace
}  // namespace crypto
}  // namespace vellum
