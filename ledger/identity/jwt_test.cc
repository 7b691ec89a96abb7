#include "ledger/identity/jwt.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/identity/jwk.h"
#include "ledger/identity/jwt_test_keys.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using testkeys::SignEdDsa;

const absl::Time kNow = absl::FromUnixSeconds(testkeys::kNow);
const std::vector<JwsAlgorithm> kAll = {JwsAlgorithm::kRs256, JwsAlgorithm::kEs256,
                                        JwsAlgorithm::kEdDsa};

void ExpectRefused(const absl::Status& status, absl::string_view message) {
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_EQ(status.message(), message);
}

JwkSet FixedKeys() {
  absl::StatusOr<JwkSet> keys = ParseJwks(testkeys::kFixedJwks);
  EXPECT_TRUE(keys.ok()) << keys.status();
  return keys.ok() ? *std::move(keys) : JwkSet();
}

JwtClaimRules Rules() {
  JwtClaimRules rules;
  rules.issuer = testkeys::kIssuer;
  rules.audiences = {"vellum"};
  return rules;
}

// An EdDSA token (key seed 1, kid "ed") with these claims.
std::string EdToken(absl::string_view claims) {
  return SignEdDsa(1, R"({"alg":"EdDSA","kid":"ed"})", claims);
}

std::string Claims(absl::string_view extra) {
  return absl::StrCat(R"({"iss":"https://idp.example.com","aud":"vellum","sub":"bob")",
                      extra.empty() ? "" : ",", extra, "}");
}

absl::Status CheckClaims(absl::string_view claims, absl::Time now = kNow) {
  absl::StatusOr<Jwt> jwt = Jwt::Parse(EdToken(claims));
  if (!jwt.ok()) return jwt.status();
  return CheckJwtClaims(*jwt, Rules(), now).status();
}

// Replaces the character at `index` of `token` with another of the base64url alphabet that
// keeps the encoding canonical when it is not the last of its part.
std::string Altered(std::string token, size_t index) {
  token[index] = token[index] == 'A' ? 'B' : 'A';
  return token;
}

TEST(JwtTest, VerifiesFixedRs256AndEs256Tokens) {
  const JwkSet keys = FixedKeys();
  for (auto [token, kid, algorithm] :
       {std::make_tuple(testkeys::kFixedRs256Token, "rsa-1", JwsAlgorithm::kRs256),
        std::make_tuple(testkeys::kFixedEs256Token, "ec-1", JwsAlgorithm::kEs256)}) {
    absl::StatusOr<Jwt> jwt = Jwt::Parse(token);
    ASSERT_TRUE(jwt.ok()) << jwt.status();
    EXPECT_EQ(jwt->header().kid, kid);
    EXPECT_EQ(jwt->header().typ, "JWT");
    absl::StatusOr<JwsAlgorithm> alg = CheckJwtAlgorithm(*jwt, kAll);
    ASSERT_TRUE(alg.ok()) << alg.status();
    EXPECT_EQ(*alg, algorithm);
    EXPECT_TRUE(VerifyJwtSignature(*jwt, *alg, *keys.Find(kid)).ok());
    absl::StatusOr<absl::Time> exp = CheckJwtClaims(*jwt, Rules(), kNow);
    ASSERT_TRUE(exp.ok()) << exp.status();
    EXPECT_EQ(*exp, absl::FromUnixSeconds(4102444800));
  }
}

TEST(JwtTest, RefusesAlteredSignaturesAndTheWrongKey) {
  const JwkSet keys = FixedKeys();
  const std::string rs256 = testkeys::kFixedRs256Token;
  absl::StatusOr<Jwt> altered = Jwt::Parse(Altered(rs256, rs256.size() - 10));
  ASSERT_TRUE(altered.ok()) << altered.status();
  absl::Status status = VerifyJwtSignature(*altered, JwsAlgorithm::kRs256, *keys.Find("rsa-1"));
  ExpectRefused(status, "JWT signature: RS256 signature does not verify");
  // Other claims under the same signature.
  const size_t payload = rs256.find('.') + 1;
  const std::string forged = absl::StrCat(
      rs256.substr(0, payload), testkeys::Base64Url(Claims(R"("exp":4102444800)")),
      rs256.substr(rs256.rfind('.')));
  absl::StatusOr<Jwt> changed = Jwt::Parse(forged);
  ASSERT_TRUE(changed.ok()) << changed.status();
  ExpectRefused(VerifyJwtSignature(*changed, JwsAlgorithm::kRs256, *keys.Find("rsa-1")),
                "JWT signature: RS256 signature does not verify");
  // The key's type decides: an RS256 token never verifies with the EC key and vice versa.
  absl::StatusOr<Jwt> jwt = Jwt::Parse(rs256);
  ASSERT_TRUE(jwt.ok());
  ExpectRefused(VerifyJwtSignature(*jwt, JwsAlgorithm::kRs256, *keys.Find("ec-1")),
                R"(JWT alg: got RS256, but key "ec-1" is a ES256 key)");
  absl::StatusOr<Jwt> es = Jwt::Parse(testkeys::kFixedEs256Token);
  ASSERT_TRUE(es.ok());
  ExpectRefused(VerifyJwtSignature(*es, JwsAlgorithm::kEs256, *keys.Find("rsa-1")),
                R"(JWT alg: got ES256, but key "rsa-1" is a RS256 key)");
  // Another Ed25519 key.
  absl::StatusOr<JwkSet> other = ParseJwks(testkeys::Jwks({testkeys::Ed25519Jwk(2, "ed")}));
  ASSERT_TRUE(other.ok());
  absl::StatusOr<Jwt> ed = Jwt::Parse(EdToken(Claims("")));
  ASSERT_TRUE(ed.ok());
  status = VerifyJwtSignature(*ed, JwsAlgorithm::kEdDsa, *other->Find("ed"));
  ExpectRefused(status, "JWT signature: EdDSA signature does not verify");
  EXPECT_EQ(std::string(status.message()).find(EdToken(Claims("")).substr(100, 20)),
            std::string::npos);
}

TEST(JwtTest, KeyWithItsOwnAlgMustMatch) {
  absl::StatusOr<JwkSet> keys =
      ParseJwks(testkeys::Jwks({testkeys::Ed25519Jwk(1, "ed", R"("alg":"Ed448")"),
                                testkeys::Ed25519Jwk(1, "ed2", R"("alg":"EdDSA")")}));
  ASSERT_TRUE(keys.ok()) << keys.status();
  absl::StatusOr<Jwt> jwt = Jwt::Parse(EdToken(Claims("")));
  ASSERT_TRUE(jwt.ok());
  ExpectRefused(VerifyJwtSignature(*jwt, JwsAlgorithm::kEdDsa, *keys->Find("ed")),
                R"(JWT alg: got EdDSA, but key "ed" has alg "Ed448")");
  EXPECT_TRUE(VerifyJwtSignature(*jwt, JwsAlgorithm::kEdDsa, *keys->Find("ed2")).ok());
}

TEST(JwtTest, AlgorithmRules) {
  auto check = [](absl::string_view alg, const std::vector<JwsAlgorithm>& allowed) {
    absl::StatusOr<Jwt> jwt =
        Jwt::Parse(SignEdDsa(1, absl::StrCat(R"({"alg":")", alg, R"("})"), Claims("")));
    EXPECT_TRUE(jwt.ok()) << jwt.status();
    return jwt.ok() ? CheckJwtAlgorithm(*jwt, allowed).status() : jwt.status();
  };
  ExpectRefused(check("none", kAll), R"(JWT alg: got "none": unsigned tokens are never accepted)");
  for (absl::string_view hmac : {"HS256", "HS384", "HS512"}) {
    ExpectRefused(check(hmac, kAll),
                  absl::StrCat("JWT alg: got \"", hmac,
                               "\": HMAC algorithms are never accepted (RFC 8725)"));
  }
  ExpectRefused(check("RS384", kAll),
                R"(JWT alg: got "RS384", want one of [RS256, ES256, EdDSA] for this issuer)");
  ExpectRefused(check("EdDSA", {JwsAlgorithm::kRs256}),
                R"(JWT alg: got "EdDSA", want one of [RS256] for this issuer)");
  ExpectRefused(check("ES256", {JwsAlgorithm::kRs256, JwsAlgorithm::kEdDsa}),
                R"(JWT alg: got "ES256", want one of [RS256, EdDSA] for this issuer)");
  EXPECT_TRUE(check("EdDSA", {JwsAlgorithm::kEdDsa}).ok());
}

TEST(JwtTest, ParseRefusesMalformedTokens) {
  const std::string good = EdToken(Claims(""));
  const std::string header = good.substr(0, good.find('.'));
  const std::string claims = testkeys::Base64Url(Claims(""));
  const std::string signature = good.substr(good.rfind('.') + 1);
  auto parse = [](absl::string_view token) { return Jwt::Parse(token).status(); };
  ExpectRefused(parse(""), "JWT token: got 1 dot-separated parts, want 3 (JWS compact form)");
  ExpectRefused(parse(absl::StrCat(header, ".", claims)),
                "JWT token: got 2 dot-separated parts, want 3 (JWS compact form)");
  ExpectRefused(parse(absl::StrCat(good, ".")),
                "JWT token: got 4 dot-separated parts, want 3 (JWS compact form)");
  ExpectRefused(parse(absl::StrCat(header, "=.", claims, ".", signature)),
                absl::StrCat("JWT header: invalid base64url (", header.size() + 1,
                             " characters): got padding, want none"));
  ExpectRefused(parse(absl::StrCat(header, ".", claims, " .", signature)),
                absl::StrCat("JWT claims: invalid base64url (", claims.size() + 1,
                             " characters)"));
  ExpectRefused(parse(absl::StrCat(header, ".", claims, ".", signature, "==")),
                absl::StrCat("JWT signature: invalid base64url (", signature.size() + 2,
                             " characters): got padding, want none"));
  auto with = [&](absl::string_view header_json, absl::string_view claims_json) {
    return parse(absl::StrCat(testkeys::Base64Url(header_json), ".",
                              testkeys::Base64Url(claims_json), ".", signature));
  };
  ExpectRefused(with("[]", Claims("")), "JWT header: not a JSON object");
  ExpectRefused(with("{", Claims("")), "JWT header: not a JSON object");
  ExpectRefused(with(R"({"alg":"EdDSA"})", "[1]"), "JWT claims: not a JSON object");
  ExpectRefused(with(R"({"alg":"EdDSA"})", R"("x")"), "JWT claims: not a JSON object");
  ExpectRefused(with(R"({"kid":"a"})", Claims("")), "JWT header alg: missing");
  ExpectRefused(with(R"({"alg":1})", Claims("")), "JWT header alg: got number, want a string");
  ExpectRefused(with(R"({"alg":"EdDSA","kid":["a"]})", Claims("")),
                "JWT header kid: got array, want a string");
  ExpectRefused(with(R"({"alg":"EdDSA","typ":null})", Claims("")),
                "JWT header typ: got null, want a string");
  ExpectRefused(with(R"({"alg":"EdDSA","crit":["exp"],"exp":1})", Claims("")),
                "JWT header crit: got critical extensions, want none (none are supported)");
  EXPECT_TRUE(with(R"({"alg":"EdDSA"})", Claims("")).ok());
  // A member named twice is refused (RFC 7515 section 4 allows that or taking the last one):
  // protobuf's JSON parser refuses duplicate keys in a Struct.
  absl::StatusOr<Jwt> twice = Jwt::Parse(absl::StrCat(
      testkeys::Base64Url(R"({"alg":"EdDSA","alg":"none"})"), ".",
      testkeys::Base64Url(Claims("")), ".", signature));
  ExpectRefused(twice.status(), "JWT header: not a JSON object");
}

// Returns a token of exactly `size` bytes, padding a claim.
std::string TokenOfSize(size_t size) {
  const size_t base = EdToken(Claims(R"("pad":"")")).size();
  // Each 3 bytes of padding add 4 characters: start just below the size wanted.
  for (size_t pad = size > base + 8 ? (size - base) * 3 / 4 - 6 : 0;; ++pad) {
    std::string token = EdToken(Claims(absl::StrCat(R"("pad":")", std::string(pad, 'p'), "\"")));
    if (token.size() >= size) return token.substr(0, token.size() == size ? size : 0);
  }
}

TEST(JwtTest, SizeLimit) {
  std::string largest;
  for (size_t size = kMaxJwtBytes; largest.empty(); --size) largest = TokenOfSize(size);
  ASSERT_GE(largest.size(), kMaxJwtBytes - 3);
  EXPECT_TRUE(Jwt::Parse(largest).ok());
  std::string over;
  for (size_t size = kMaxJwtBytes + 1; over.empty(); ++size) over = TokenOfSize(size);
  ExpectRefused(Jwt::Parse(over).status(),
                absl::StrCat("JWT token: got ", over.size(), " bytes, want at most 16384"));
  ExpectRefused(Jwt::Parse(std::string(kMaxJwtBytes + 1, 'a')).status(),
                "JWT token: got 16385 bytes, want at most 16384");
}

TEST(JwtTest, IssuerAndAudience) {
  EXPECT_TRUE(CheckClaims(Claims(R"("exp":1700000200)")).ok());
  ExpectRefused(CheckClaims(R"({"aud":"vellum","exp":1700000200})"), "JWT iss: missing");
  ExpectRefused(CheckClaims(R"({"iss":1,"aud":"vellum","exp":1700000200})"),
                "JWT iss: got number, want a string");
  ExpectRefused(
      CheckClaims(R"({"iss":"https://idp.example.com/","aud":"vellum","exp":1700000200})"),
      R"(JWT iss: got "https://idp.example.com/", want "https://idp.example.com")");
  ExpectRefused(CheckClaims(R"({"iss":"https://idp.example.com","exp":1700000200})"),
                "JWT aud: missing");
  EXPECT_TRUE(CheckClaims(
                  R"({"iss":"https://idp.example.com","aud":["x","vellum"],"exp":1700000200})")
                  .ok());
  ExpectRefused(
      CheckClaims(R"({"iss":"https://idp.example.com","aud":["x","y"],"exp":1700000200})"),
      R"(JWT aud: got ["x", "y"], want one of ["vellum"])");
  ExpectRefused(CheckClaims(R"({"iss":"https://idp.example.com","aud":[],"exp":1700000200})"),
                R"(JWT aud: got [], want one of ["vellum"])");
  ExpectRefused(CheckClaims(R"({"iss":"https://idp.example.com","aud":7,"exp":1700000200})"),
                "JWT aud: got number, want a string or an array of strings");
  ExpectRefused(
      CheckClaims(R"({"iss":"https://idp.example.com","aud":["vellum",7],"exp":1700000200})"),
      "JWT aud: got an array holding a number, want strings");
  // Long attacker-chosen values are cut.
  ExpectRefused(CheckClaims(absl::StrCat(R"({"iss":")", std::string(100, 'i'),
                                         R"(","aud":"vellum","exp":1700000200})")),
                absl::StrCat("JWT iss: got \"", std::string(64, 'i'),
                             "\"..., want \"https://idp.example.com\""));
}

TEST(JwtTest, TimesWithLeeway) {
  // exp: valid while now < exp + 60 s.
  EXPECT_TRUE(CheckClaims(Claims(R"("exp":1700000041)")).ok());
  ExpectRefused(CheckClaims(Claims(R"("exp":1700000040)")),
                "JWT exp: expired at 2023-11-14T22:14:00Z, now 2023-11-14T22:15:00Z "
                "(leeway 60s)");
  ExpectRefused(CheckClaims(Claims("")), "JWT exp: missing");
  ExpectRefused(CheckClaims(Claims(R"("exp":"1700000200")")),
                "JWT exp: got string, want a number");
  ExpectRefused(CheckClaims(Claims(R"("exp":-1)")),
                "JWT exp: got -1, want a NumericDate in [0, 253402300799]");
  ExpectRefused(CheckClaims(Claims(R"("exp":253402300800)")),
                "JWT exp: got 253402300800, want a NumericDate in [0, 253402300799]");
  EXPECT_TRUE(CheckClaims(Claims(R"("exp":253402300799)")).ok());
  EXPECT_TRUE(CheckClaims(Claims(R"("exp":1700000040.5)")).ok());  // Non-integer NumericDate.
  // nbf: valid once now >= nbf - 60 s.
  EXPECT_TRUE(CheckClaims(Claims(R"("exp":1700000200,"nbf":1700000160)")).ok());
  ExpectRefused(CheckClaims(Claims(R"("exp":1700000200,"nbf":1700000161)")),
                "JWT nbf: not valid before 2023-11-14T22:16:01Z, now 2023-11-14T22:15:00Z "
                "(leeway 60s)");
  ExpectRefused(CheckClaims(Claims(R"("exp":1700000200,"nbf":true)")),
                "JWT nbf: got bool, want a number");
  // iat: not after now + 60 s.
  EXPECT_TRUE(CheckClaims(Claims(R"("exp":1700000200,"iat":1700000160)")).ok());
  ExpectRefused(CheckClaims(Claims(R"("exp":1700000200,"iat":1700000161)")),
                "JWT iat: issued in the future at 2023-11-14T22:16:01Z, now "
                "2023-11-14T22:15:00Z (leeway 60s)");
  // Without leeway.
  absl::StatusOr<Jwt> jwt = Jwt::Parse(EdToken(Claims(R"("exp":1700000101)")));
  ASSERT_TRUE(jwt.ok());
  JwtClaimRules strict = Rules();
  strict.leeway = absl::ZeroDuration();
  EXPECT_TRUE(CheckJwtClaims(*jwt, strict, kNow).ok());
  ExpectRefused(CheckJwtClaims(*jwt, strict, kNow + absl::Seconds(1)).status(),
                "JWT exp: expired at 2023-11-14T22:15:01Z, now 2023-11-14T22:15:01Z "
                "(leeway 0s)");
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
