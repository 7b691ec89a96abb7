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

}  // namespace
}  // namespace crypto
}  // namespace vellum
