#include "ledger/identity/jwk.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/identity/jwt_test_keys.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

std::string Thumbprint(const Jwk& key) {
  return testkeys::Base64Url(absl::string_view(
      reinterpret_cast<const char*>(key.thumbprint().data()), key.thumbprint().size()));
}

void ExpectInvalid(absl::string_view json, absl::string_view message) {
  absl::StatusOr<JwkSet> set = ParseJwks(json);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument) << json.substr(0, 200);
  EXPECT_EQ(set.status().message(), message) << json.substr(0, 200);
}

// RFC 7638 section 3.1's example RSA key; its thumbprint is given there.
constexpr char kRfc7638Modulus[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPe"
    "bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY3"
    "68QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM"
    "4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

std::string RsaJwk(absl::string_view kid, absl::string_view extra = "") {
  return absl::StrCat(R"({"kty":"RSA","kid":")", kid, R"(","n":")", kRfc7638Modulus,
                      R"(","e":"AQAB")", extra, "}");
}

TEST(ParseJwksTest, ParsesEachKeyType) {
  absl::StatusOr<JwkSet> set = ParseJwks(testkeys::kFixedJwks);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 2u);
  EXPECT_TRUE(set->skipped().empty());
  const Jwk* rsa = set->Find("rsa-1");
  ASSERT_NE(rsa, nullptr);
  EXPECT_EQ(rsa->kid(), "rsa-1");
  EXPECT_EQ(rsa->algorithm(), JwsAlgorithm::kRs256);
  EXPECT_EQ(rsa->alg(), "RS256");
  const Jwk* ec = set->Find("ec-1");
  ASSERT_NE(ec, nullptr);
  EXPECT_EQ(ec->algorithm(), JwsAlgorithm::kEs256);
  EXPECT_EQ(ec->alg(), "");
  EXPECT_EQ(set->Find("ed-1"), nullptr);
  EXPECT_EQ(set->Find(""), nullptr);

  absl::StatusOr<JwkSet> ed = ParseJwks(
      testkeys::Jwks({testkeys::Ed25519Jwk(1, "ed-1", R"("use":"sig","alg":"EdDSA")")}));
  ASSERT_TRUE(ed.ok()) << ed.status();
  ASSERT_NE(ed->Find("ed-1"), nullptr);
  EXPECT_EQ(ed->Find("ed-1")->algorithm(), JwsAlgorithm::kEdDsa);
  EXPECT_EQ(ed->Find("ed-1")->alg(), "EdDSA");
}

TEST(ParseJwksTest, ThumbprintsFollowRfc7638AndRfc8037) {
  absl::StatusOr<JwkSet> rsa = ParseJwks(testkeys::Jwks({RsaJwk("a", R"(,"alg":"RS256")")}));
  ASSERT_TRUE(rsa.ok()) << rsa.status();
  EXPECT_EQ(Thumbprint(*rsa->Find("a")), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  // RFC 8037 appendix A.3.
  absl::StatusOr<JwkSet> okp = ParseJwks(
      R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  ASSERT_TRUE(okp.ok()) << okp.status();
  ASSERT_NE(okp->Find(""), nullptr);
  EXPECT_EQ(Thumbprint(*okp->Find("")), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(ParseJwksTest, SkipsKeysItCannotUse) {
  const std::string x = testkeys::Base64Url(std::string(32, 'x'));
  absl::StatusOr<JwkSet> set = ParseJwks(testkeys::Jwks({
      RsaJwk("enc", R"(,"use":"enc")"),
      R"({"kty":"oct","kid":"hmac","k":"c2VjcmV0"})",
      absl::StrCat(R"({"kty":"EC","kid":"p384","crv":"P-384","x":")", x, R"(","y":")", x, "\"}"),
      absl::StrCat(R"({"kty":"OKP","kid":"x25519","crv":"X25519","x":")", x, "\"}"),
      R"({"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"})",
      R"({"kty":"RSA","kid":"no-n","e":"AQAB"})",
      RsaJwk("padded-e", "").replace(RsaJwk("padded-e", "").find("AQAB"), 4, "AQAB=="),
      absl::StrCat(R"({"kty":"EC","kid":"off-curve","crv":"P-256","x":")", x, R"(","y":")", x,
                   "\"}"),
      R"({"kid":"no-kty"})",
      RsaJwk("alg-number", R"(,"alg":256)"),
      testkeys::Ed25519Jwk(2, "good"),
  }));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 1u);
  EXPECT_NE(set->Find("good"), nullptr);
  const std::vector<std::string> want = {
      R"(JWKS: keys[0] (kid "enc"): use "enc", want "sig")",
      R"(JWKS: keys[1] (kid "hmac"): kty "oct" not supported)",
      R"(JWKS: keys[2] (kid "p384"): kty EC crv "P-384" not supported, want P-256)",
      R"(JWKS: keys[3] (kid "x25519"): kty OKP crv "X25519" not supported, want Ed25519)",
      R"(JWKS: keys[4] (kid "small"): RSA modulus: got 17 bits, want at least 2048)",
      R"(JWKS: keys[5] (kid "no-n"): n missing)",
      R"(JWKS: keys[6] (kid "padded-e"): e: invalid base64url (6 characters): got padding, want none)",
      R"(JWKS: keys[7] (kid "off-curve"): P-256 point: got a point not on the curve)",
      R"(JWKS: keys[8] (kid "no-kty"): kty missing)",
      R"(JWKS: keys[9] (kid "alg-number"): alg: got number, want a string)",
  };
  EXPECT_EQ(set->skipped(), want);
}

TEST(ParseJwksTest, RefusesMalformedSets) {
  ExpectInvalid("", "JWKS: not a JSON object");
  ExpectInvalid("[]", "JWKS: not a JSON object");
  ExpectInvalid(R"({"keys":[])", "JWKS: not a JSON object");
  ExpectInvalid("{}", "JWKS: keys missing");
  ExpectInvalid(R"({"keys":{}})", "JWKS: keys: got object, want an array");
  ExpectInvalid(R"({"keys":["a"]})", "JWKS: keys[0]: got string, want an object");
  ExpectInvalid(R"({"keys":[{"kid":7}]})", "JWKS: keys[0]: kid: got number, want a string");
  ExpectInvalid(testkeys::Jwks({testkeys::Ed25519Jwk(1, "a"), testkeys::Ed25519Jwk(2, "a")}),
                R"(JWKS: keys[1] (kid "a"): duplicate kid among the usable keys)");
  // Two keys without a kid are both kid "".
  ExpectInvalid(
      R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},)"
      R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})",
      "JWKS: keys[1] (no kid): duplicate kid among the usable keys");
  // A skipped key may share its kid with a usable one.
  EXPECT_TRUE(
      ParseJwks(testkeys::Jwks({RsaJwk("a", R"(,"use":"enc")"), testkeys::Ed25519Jwk(1, "a")}))
          .ok());
}

TEST(ParseJwksTest, SizeLimits) {
  const std::string empty = R"({"keys":[]})";
  std::string largest = empty + std::string(kMaxJwksBytes - empty.size(), ' ');
  ASSERT_EQ(largest.size(), kMaxJwksBytes);
  EXPECT_TRUE(ParseJwks(largest).ok());
  ExpectInvalid(largest + " ", "JWKS: got 65537 bytes, want at most 65536");

  std::vector<std::string> keys(kMaxJwksKeys, R"({"kty":"oct"})");
  EXPECT_TRUE(ParseJwks(testkeys::Jwks(keys)).ok());
  keys.push_back(R"({"kty":"oct"})");
  ExpectInvalid(testkeys::Jwks(keys), "JWKS: got 65 keys, want at most 64");

  const std::string longest_kid(kMaxKidBytes, 'k');
  absl::StatusOr<JwkSet> set = ParseJwks(testkeys::Jwks({testkeys::Ed25519Jwk(1, longest_kid)}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_NE(set->Find(longest_kid), nullptr);
  ExpectInvalid(testkeys::Jwks({testkeys::Ed25519Jwk(1, longest_kid + "k")}),
                "JWKS: keys[0]: kid: got 257 bytes, want at most 256");
}

TEST(ParseJwksTest, LongAttackerStringsAreCutInReasons) {
  const std::string kty(100, 'q');
  absl::StatusOr<JwkSet> set =
      ParseJwks(absl::StrCat(R"({"keys":[{"kid":"a\nb","kty":")", kty, "\"}]}"));
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->skipped().size(), 1u);
  EXPECT_EQ(set->skipped()[0], absl::StrCat(R"(JWKS: keys[0] (kid "a?b"): kty ")",
                                            std::string(64, 'q'), R"("... not supported)"));
}

TEST(JwsAlgorithmTest, NamesRoundTrip) {
  for (JwsAlgorithm algorithm :
       {JwsAlgorithm::kRs256, JwsAlgorithm::kEs256, JwsAlgorithm::kEdDsa}) {
    EXPECT_EQ(ParseJwsAlgorithm(JwsAlgorithmName(algorithm)), algorithm);
  }
  for (absl::string_view name : {"none", "HS256", "RS384", "rs256", "EDDSA", "Ed25519", ""}) {
    EXPECT_EQ(ParseJwsAlgorithm(name), std::nullopt) << name;
  }
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
