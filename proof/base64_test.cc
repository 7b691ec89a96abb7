#include "proof/base64.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace vellum {
namespace {

void ExpectInvalid(absl::string_view encoded, absl::string_view message) {
  absl::StatusOr<std::string> decoded = Base64UrlDecodeUnpadded(encoded);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << encoded;
  EXPECT_EQ(decoded.status().message(), message) << encoded;
}

TEST(Base64UrlDecodeUnpaddedTest, DecodesEveryLengthModFour) {
  EXPECT_EQ(*Base64UrlDecodeUnpadded(""), "");
  EXPECT_EQ(*Base64UrlDecodeUnpadded("Zg"), "f");
  EXPECT_EQ(*Base64UrlDecodeUnpadded("Zm8"), "fo");
  EXPECT_EQ(*Base64UrlDecodeUnpadded("Zm9v"), "foo");
  EXPECT_EQ(*Base64UrlDecodeUnpadded("Zm9vYg"), "foob");
  // The URL alphabet's two extra characters: 0xfb 0xff = "-_8".
  EXPECT_EQ(*Base64UrlDecodeUnpadded("-_8"), "\xfb\xff");
}

TEST(Base64UrlDecodeUnpaddedTest, RefusesEveryOtherSpelling) {
  ExpectInvalid("Zg==", "invalid base64url (4 characters): got padding, want none");
  ExpectInvalid("Zm8=", "invalid base64url (4 characters): got padding, want none");
  ExpectInvalid("=", "invalid base64url (1 characters): got padding, want none");
  ExpectInvalid("+/8", "invalid base64url (3 characters)");  // The standard alphabet.
  ExpectInvalid("Zm 9v", "invalid base64url (5 characters)");
  ExpectInvalid("Zm9v\n", "invalid base64url (5 characters)");
  ExpectInvalid(" Zm9v", "invalid base64url (5 characters)");
  ExpectInvalid("Z", "invalid base64url (1 characters)");      // No whole byte.
  ExpectInvalid("Zm9vY", "invalid base64url (5 characters)");  // Ditto after a group.
  // Non-zero trailing bits: "Zh" and "Zm9" spell the same bytes as "Zg" and "Zm8".
  ExpectInvalid("Zh", "invalid base64url (2 characters)");
  ExpectInvalid("Zm9", "invalid base64url (3 characters)");
  ExpectInvalid("Zm9v.", "invalid base64url (5 characters)");
  ExpectInvalid(std::string("Zm\0v", 4), "invalid base64url (4 characters)");
}

}  // namespace
}  // namespace vellum
