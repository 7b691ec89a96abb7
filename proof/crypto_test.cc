#include "proof/crypto.h"

#include <string>

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

TEST(RandomBytesTest, FillsBuffer) {
  std::array<uint8_t, 32> a{}, b{};
  ASSERT_TRUE(RandomBytes(absl::MakeSpan(a)).ok());
  ASSERT_TRUE(RandomBytes(absl::MakeSpan(b)).ok());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace crypto
}  // namespace vellum
