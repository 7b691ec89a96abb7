#include "proof/hash.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "proof/base64.h"

namespace vellum {
namespace {

std::string Hex(const Hash& hash) { return absl::BytesToHexString(HashBytes(hash)); }

void ExpectInvalid(const absl::Status& status, absl::string_view message) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(status.message(), message);
}

// RFC 6962 test data, as used by transparency-dev/merkle's rfc6962 hasher tests.
TEST(HashTest, Rfc6962KnownAnswers) {
  EXPECT_EQ(Hex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(HashLeaf("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(Hex(HashLeaf("L123456")),
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  Hash left = HashLeaf("N123");
  Hash right = HashLeaf("N456");
  // HashChildren must not be symmetric.
  EXPECT_NE(HashChildren(left, right), HashChildren(right, left));
}

TEST(HashTest, Base64RoundTrip) {
  Hash h = HashLeaf("x");
  auto parsed = HashFromBase64(HashToBase64(h));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, h);
}

TEST(HashTest, Base64RejectsWrongLengthAndNonCanonical) {
  auto short_hash = HashFromBase64("AAAA");
  EXPECT_EQ(short_hash.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(short_hash.status().message(), "hash is 3 bytes, want 32");
  std::string good = HashToBase64(HashLeaf("x"));
  ExpectInvalid(HashFromBase64(good.substr(0, good.size() - 1)).status(),  // Missing padding.
                "invalid base64 (43 characters)");
  ExpectInvalid(HashFromBase64(" " + good).status(), "invalid base64 (45 characters)");
  ExpectInvalid(HashFromBase64(good + "\n").status(), "invalid base64 (45 characters)");
}

TEST(Base64Test, StrictRejectsNonCanonicalTrailingBits) {
  EXPECT_TRUE(Base64DecodeStrict("QQ==").ok());
  ExpectInvalid(Base64DecodeStrict("QR==").status(),  // Non-zero trailing bits.
                "invalid base64 (4 characters)");
  ExpectInvalid(Base64DecodeStrict("QQ").status(), "invalid base64 (2 characters)");
  ExpectInvalid(Base64DecodeStrict("Q-==").status(), "invalid base64 (4 characters)");
}

TEST(Base64Test, UrlAcceptsPaddedAndUnpadded) {
  auto a = Base64UrlDecodeStrict("-_8");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, "\xfb\xff");
  auto b = Base64UrlDecodeStrict("-_8=");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*b, "\xfb\xff");
  ExpectInvalid(Base64UrlDecodeStrict("+/8=").status(), "invalid base64url (4 characters)");
  ExpectInvalid(Base64UrlDecodeStrict("-_9").status(), "invalid base64url (3 characters)");
}

}  // namespace
}  // namespace vellum
