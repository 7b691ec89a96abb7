#include "ledger/identity/oidc.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/identity/jwt.h"
#include "ledger/identity/jwt_test_keys.h"
#include "ledger/identity/principal.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using testkeys::Ed25519Jwk;
using testkeys::Jwks;
using testkeys::SignEdDsa;

class FakeClock {
 public:
  absl::Time Now() {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  std::function<absl::Time()> AsFunction() {
    return [this] { return Now(); };
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(testkeys::kNow);
};

void ExpectRefused(const absl::Status& status, absl::string_view message) {
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_EQ(status.message(), message);
}

OidcIssuerOptions EdOptions() {
  OidcIssuerOptions options;
  options.issuer = testkeys::kIssuer;
  options.audiences = {"vellum"};
  options.algorithms = {"EdDSA"};
  options.groups_claim = "groups";
  return options;
}

// An EdDSA token for the test issuer, signed by key `seed` with kid `kid`.
std::string Token(absl::string_view extra_claims, uint8_t seed = 1,
                  absl::string_view kid = "ed-1",
                  absl::string_view issuer = testkeys::kIssuer) {
  return SignEdDsa(seed, absl::StrCat(R"({"alg":"EdDSA","kid":")", kid, R"("})"),
                   absl::StrCat(R"({"iss":")", issuer,
                                R"(","aud":"vellum","sub":"bob","exp":1700003600)",
                                extra_claims.empty() ? "" : ",", extra_claims, "}"));
}

struct Fixture {
  FakeClock clock;
  MemoryJwksSource* source = nullptr;  // Owned by verifier.
  std::unique_ptr<OidcVerifier> verifier;
};

std::unique_ptr<Fixture> Make(OidcIssuerOptions options,
                              std::string jwks = Jwks({Ed25519Jwk(1, "ed-1")})) {
  auto fixture = std::make_unique<Fixture>();
  auto source = std::make_unique<MemoryJwksSource>(std::move(jwks));
  fixture->source = source.get();
  auto verifier = OidcVerifier::Create(std::move(options), std::move(source),
                                       fixture->clock.AsFunction());
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  if (verifier.ok()) fixture->verifier = *std::move(verifier);
  return fixture;
}

TEST(OidcVerifierTest, MakesThePrincipal) {
  auto f = Make(EdOptions());
  ASSERT_NE(f->verifier, nullptr);
  absl::StatusOr<Principal> principal = f->verifier->Verify(
      Token(R"("groups":["ml-writers","ml-auditors","ml-writers"],"amr":["pwd","otp"],"acr":"2")"));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, "https://idp.example.com#bob");
  EXPECT_EQ(principal->groups, (std::vector<std::string>{"ml-writers", "ml-auditors"}));
  EXPECT_EQ(principal->authenticated_by, kByOidc);
  EXPECT_EQ(principal->issuer, testkeys::kIssuer);
  EXPECT_EQ(principal->amr, (std::vector<std::string>{"pwd", "otp"}));
  EXPECT_EQ(principal->acr, "2");
  EXPECT_EQ(principal->expires, absl::FromUnixSeconds(1700003600));
}

TEST(OidcVerifierTest, NamingOptions) {
  OidcIssuerOptions options = EdOptions();
  options.principal_prefix = "";
  options.subject_claim = "email";
  options.groups_prefix = "idp:";
  auto f = Make(options);
  ASSERT_NE(f->verifier, nullptr);
  absl::StatusOr<Principal> principal =
      f->verifier->Verify(Token(R"("email":"bob@example.com","groups":"admins")"));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, "bob@example.com");
  EXPECT_EQ(principal->groups, std::vector<std::string>{"idp:admins"});

  options.principal_prefix = "corp/";
  auto g = Make(options);
  ASSERT_NE(g->verifier, nullptr);
  principal = g->verifier->Verify(Token(R"("email":"bob@example.com")"));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, "corp/bob@example.com");
  EXPECT_TRUE(principal->groups.empty());
  ExpectRefused(g->verifier->Verify(Token("")).status(), R"(JWT "email": missing)");
  ExpectRefused(g->verifier->Verify(Token(R"("email":"")")).status(),
                R"(JWT "email": got an empty string, want a non-empty string)");
  ExpectRefused(g->verifier->Verify(Token(R"("email":["a"])")).status(),
                R"(JWT "email": got array, want a non-empty string)");
}

TEST(OidcVerifierTest, RefusesMalformedOptionalClaims) {
  auto f = Make(EdOptions());
  ASSERT_NE(f->verifier, nullptr);
  ExpectRefused(f->verifier->Verify(Token(R"("groups":{"a":1})")).status(),
                R"(JWT "groups": got object, want a string or an array of strings)");
  ExpectRefused(f->verifier->Verify(Token(R"("groups":["a",1])")).status(),
                R"(JWT "groups": got an array holding a number, want strings)");
  ExpectRefused(f->verifier->Verify(Token(R"("amr":"pwd")")).status(),
                "JWT amr: got string, want an array of strings");
  ExpectRefused(f->verifier->Verify(Token(R"("acr":2)")).status(),
                "JWT acr: got number, want a string");
  EXPECT_EQ(f->verifier->cached_tokens(), 0u);
}

TEST(OidcVerifierTest, KubernetesServiceAccounts) {
  OidcIssuerOptions options = EdOptions();
  options.kubernetes = true;
  options.groups_claim = "";
  options.principal_prefix = "";
  auto f = Make(options);
  ASSERT_NE(f->verifier, nullptr);
  absl::StatusOr<Principal> principal = f->verifier->Verify(SignEdDsa(
      1, R"({"alg":"EdDSA","kid":"ed-1"})",
      R"({"iss":"https://idp.example.com","aud":["vellum"],"exp":1700003600,"iat":1700000000,)"
      R"("nbf":1700000000,"sub":"system:serviceaccount:ml:deployer",)"
      R"("kubernetes.io":{"namespace":"ml","serviceaccount":{"name":"deployer","uid":"u1"}}})"));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, "system:serviceaccount:ml:deployer");
  EXPECT_EQ(principal->groups, (std::vector<std::string>{"system:serviceaccounts",
                                                          "system:serviceaccounts:ml"}));
  ExpectRefused(f->verifier->Verify(Token("")).status(), "JWT kubernetes.io: missing");
  ExpectRefused(f->verifier->Verify(Token(R"("kubernetes.io":{"namespace":""})")).status(),
                "JWT kubernetes.io: want an object with a non-empty string namespace");
}

TEST(OidcVerifierTest, DefaultPinsRs256) {
  OidcIssuerOptions options = EdOptions();
  options.algorithms.clear();
  auto f = Make(options, testkeys::kFixedJwks);
  ASSERT_NE(f->verifier, nullptr);
  absl::StatusOr<Principal> principal = f->verifier->Verify(testkeys::kFixedRs256Token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, "https://idp.example.com#alice");
  EXPECT_EQ(principal->groups, std::vector<std::string>{"ml-writers"});
  ExpectRefused(f->verifier->Verify(testkeys::kFixedEs256Token).status(),
                R"(JWT alg: got "ES256", want one of [RS256] for this issuer)");
}

TEST(OidcVerifierTest, CreateChecksOptions) {
  auto create = [](OidcIssuerOptions options,
                   absl::StatusOr<std::string> jwks = Jwks({Ed25519Jwk(1, "ed-1")})) {
    auto source = std::make_unique<MemoryJwksSource>("");
    source->Set(std::move(jwks));
    return OidcVerifier::Create(std::move(options), std::move(source)).status();
  };
  EXPECT_TRUE(create(EdOptions()).ok());
  OidcIssuerOptions options = EdOptions();
  options.issuer = "";
  EXPECT_EQ(create(options).message(), "OIDC issuer: issuer is empty");
  options = EdOptions();
  options.audiences.clear();
  EXPECT_EQ(create(options).message(),
            R"(OIDC issuer "https://idp.example.com": audiences: got none, want at least one)");
  options = EdOptions();
  options.algorithms = {"RS256", "HS256"};
  absl::Status status = create(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), R"(OIDC issuer "https://idp.example.com": algorithms: got "HS256", want RS256, ES256 or EdDSA)");
  options = EdOptions();
  options.leeway = absl::Seconds(300);
  EXPECT_TRUE(create(options).ok());
  options.leeway = absl::Seconds(301);
  EXPECT_EQ(create(options).message(),
            R"(OIDC issuer "https://idp.example.com": leeway: got 301s, want 0 to 300s)");
  options.leeway = absl::Seconds(-1);
  EXPECT_EQ(create(options).message(),
            R"(OIDC issuer "https://idp.example.com": leeway: got -1s, want 0 to 300s)");
  status = create(EdOptions(), absl::UnavailableError("connection refused"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            R"(OIDC issuer "https://idp.example.com": fetching the JWKS: connection refused)");
  status = create(EdOptions(), std::string("{}"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), R"(OIDC issuer "https://idp.example.com": JWKS: keys missing)");
  EXPECT_EQ(OidcVerifier::Create(EdOptions(), nullptr).status().message(),
            R"(OIDC issuer "https://idp.example.com": no JWKS source)");
}

TEST(OidcVerifierTest, CachesUntilExpiry) {
  auto f = Make(EdOptions());
  ASSERT_NE(f->verifier, nullptr);
  const std::string token = Token("");
  ASSERT_TRUE(f->verifier->Verify(token).ok());
  EXPECT_EQ(f->verifier->cached_tokens(), 1u);
  absl::StatusOr<Jwt> jwt = Jwt::Parse(token);
  ASSERT_TRUE(jwt.ok());
  EXPECT_TRUE(f->verifier->FindCached(jwt->digest()).has_value());
  // The same keys again (same kids, same thumbprints) keep the cache.
  ASSERT_TRUE(f->verifier->ReplaceKeys(Jwks({Ed25519Jwk(1, "ed-1"), Ed25519Jwk(2, "ed-2")})).ok());
  EXPECT_EQ(f->verifier->cached_tokens(), 1u);
  // Valid until exp + leeway: 1700003600 + 60.
  f->clock.Advance(absl::FromUnixSeconds(1700003659) - f->clock.Now());
  EXPECT_TRUE(f->verifier->Verify(token).ok());
  f->clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(f->verifier->FindCached(jwt->digest()).has_value());
  EXPECT_EQ(f->verifier->cached_tokens(), 0u);
  ExpectRefused(f->verifier->Verify(token).status(),
                "JWT exp: expired at 2023-11-14T23:13:20Z, now 2023-11-14T23:14:20Z "
                "(leeway 60s)");
}

TEST(OidcVerifierTest, NewKeysEvictTokensOfRemovedKeys) {
  auto f = Make(EdOptions(), Jwks({Ed25519Jwk(1, "ed-1"), Ed25519Jwk(2, "ed-2")}));
  ASSERT_NE(f->verifier, nullptr);
  const std::string one = Token("", 1, "ed-1");
  const std::string two = Token("", 2, "ed-2");
  ASSERT_TRUE(f->verifier->Verify(one).ok());
  ASSERT_TRUE(f->verifier->Verify(two).ok());
  EXPECT_EQ(f->verifier->cached_tokens(), 2u);
  // ed-2 is removed: its token is evicted and refused (no refetch within the minute).
  ASSERT_TRUE(f->verifier->ReplaceKeys(Jwks({Ed25519Jwk(1, "ed-1")})).ok());
  EXPECT_EQ(f->verifier->cached_tokens(), 1u);
  ExpectRefused(f->verifier->Verify(two).status(),
                R"(JWT kid: got "ed-2", not among the issuer's 1 keys (the JWKS is refetched )"
                "at most once per 60s)");
  EXPECT_TRUE(f->verifier->Verify(one).ok());
  // ed-1 keeps its kid but gets other key material: its tokens are evicted and then fail.
  ASSERT_TRUE(f->verifier->ReplaceKeys(Jwks({Ed25519Jwk(3, "ed-1")})).ok());
  EXPECT_EQ(f->verifier->cached_tokens(), 0u);
  ExpectRefused(f->verifier->Verify(one).status(),
                "JWT signature: EdDSA signature does not verify");
  // A bad key set is refused and the old one stays.
  absl::Status status = f->verifier->ReplaceKeys("{");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "JWKS: not a JSON object");
  EXPECT_NE(f->verifier->keys()->Find("ed-1"), nullptr);
}

TEST(OidcVerifierTest, CacheIsBounded) {
  OidcIssuerOptions options = EdOptions();
  options.max_cached_tokens = 2;
  auto f = Make(options);
  ASSERT_NE(f->verifier, nullptr);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    tokens.push_back(Token(absl::StrCat(R"("n":)", i)));
    ASSERT_TRUE(f->verifier->Verify(tokens.back()).ok());
    EXPECT_EQ(f->verifier->cached_tokens(), std::min<size_t>(i + 1, 2));
  }
  auto cached = [&](const std::string& token) {
    absl::StatusOr<Jwt> jwt = Jwt::Parse(token);
    return jwt.ok() && f->verifier->FindCached(jwt->digest()).has_value();
  };
  EXPECT_FALSE(cached(tokens[0]));  // The oldest went first.
  EXPECT_TRUE(cached(tokens[1]));
  EXPECT_TRUE(cached(tokens[2]));

  options.max_cached_tokens = 0;
  auto g = Make(options);
  ASSERT_NE(g->verifier, nullptr);
  ASSERT_TRUE(g->verifier->Verify(tokens[0]).ok());
  EXPECT_EQ(g->verifier->cached_tokens(), 0u);
}

TEST(OidcVerifierTest, RefetchesForUnknownKidAtMostOncePerMinute) {
  auto f = Make(EdOptions());
  ASSERT_NE(f->verifier, nullptr);
  EXPECT_EQ(f->source->fetches(), 1);
  f->source->Set(Jwks({Ed25519Jwk(1, "ed-1"), Ed25519Jwk(2, "ed-2")}));
  const std::string two = Token("", 2, "ed-2");
  // Within a minute of the first fetch: refused without fetching.
  f->clock.Advance(absl::Seconds(59));
  ExpectRefused(f->verifier->Verify(two).status(),
                R"(JWT kid: got "ed-2", not among the issuer's 1 keys (the JWKS is refetched )"
                "at most once per 60s)");
  EXPECT_EQ(f->source->fetches(), 1);
  f->clock.Advance(absl::Seconds(1));
  absl::StatusOr<Principal> principal = f->verifier->Verify(two);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(f->source->fetches(), 2);
  // Another unknown kid right after: no fetch.
  ExpectRefused(f->verifier->Verify(Token("", 3, "ed-3")).status(),
                R"(JWT kid: got "ed-3", not among the issuer's 2 keys (the JWKS is refetched )"
                "at most once per 60s)");
  EXPECT_EQ(f->source->fetches(), 2);
  // A minute later the fetch fails: the reason says so, and the old keys stay.
  f->clock.Advance(absl::Minutes(1));
  f->source->Set(absl::UnavailableError("HTTP 503"));
  ExpectRefused(f->verifier->Verify(Token("", 3, "ed-3")).status(),
                R"(JWT kid: got "ed-3", not among the issuer's 2 keys, and refetching the )"
                "JWKS failed: HTTP 503");
  EXPECT_EQ(f->source->fetches(), 3);
  EXPECT_TRUE(f->verifier->Verify(Token("", 1, "ed-1")).ok());
  // A fetch that still lacks the kid.
  f->clock.Advance(absl::Minutes(1));
  f->source->Set(Jwks({Ed25519Jwk(1, "ed-1")}));
  ExpectRefused(f->verifier->Verify(Token("", 3, "ed-3")).status(),
                R"(JWT kid: got "ed-3", not among the issuer's 1 keys, even after refetching )"
                "the JWKS");
  EXPECT_EQ(f->source->fetches(), 4);
}

TEST(OidcVerifierTest, ConcurrentVerifyAndReplaceKeys) {
  auto f = Make(EdOptions(), Jwks({Ed25519Jwk(1, "ed-1"), Ed25519Jwk(2, "ed-2")}));
  ASSERT_NE(f->verifier, nullptr);
  const std::string one = Token("", 1, "ed-1");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (!f->verifier->Verify(Token(absl::StrCat(R"("n":)", i % 20), 1, "ed-1")).ok() ||
            !f->verifier->Verify(one).ok()) {
          ++failures;
        }
        if (t == 0 && i % 10 == 0) {
          const std::string keys = i % 20 == 0
                                       ? Jwks({Ed25519Jwk(1, "ed-1")})
                                       : Jwks({Ed25519Jwk(1, "ed-1"), Ed25519Jwk(2, "ed-2")});
          if (!f->verifier->ReplaceKeys(keys).ok()) ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(f->verifier->cached_tokens(), 21u);
}

TEST(OidcAuthenticatorTest, ChoosesTheVerifierByIssuer) {
  FakeClock clock;
  std::vector<std::unique_ptr<OidcVerifier>> verifiers;
  for (auto [issuer, seed] : {std::make_pair("https://a.example", 1),
                              std::make_pair("https://b.example", 2)}) {
    OidcIssuerOptions options = EdOptions();
    options.issuer = issuer;
    auto verifier = OidcVerifier::Create(
        options, std::make_unique<MemoryJwksSource>(Jwks({Ed25519Jwk(seed, "ed-1")})),
        clock.AsFunction());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifiers.push_back(*std::move(verifier));
  }
  absl::StatusOr<std::unique_ptr<OidcAuthenticator>> authenticator =
      OidcAuthenticator::Create(std::move(verifiers));
  ASSERT_TRUE(authenticator.ok()) << authenticator.status();
  const OidcAuthenticator& auth = **authenticator;

  absl::StatusOr<Principal> a = auth.Authenticate(Token("", 1, "ed-1", "https://a.example"));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->name, "https://a.example#bob");
  absl::StatusOr<Principal> b = auth.Authenticate(Token("", 2, "ed-1", "https://b.example"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->name, "https://b.example#bob");
  EXPECT_EQ(auth.verifier("https://b.example")->cached_tokens(), 1u);
  EXPECT_TRUE(auth.Authenticate(Token("", 2, "ed-1", "https://b.example")).ok());
  // A token of one issuer signed with the other's key.
  ExpectRefused(auth.Authenticate(Token("", 1, "ed-1", "https://b.example")).status(),
                "JWT signature: EdDSA signature does not verify");
  ExpectRefused(auth.Authenticate(Token("", 1, "ed-1", "https://c.example")).status(),
                R"(JWT iss: got "https://c.example", not a configured issuer)");
  ExpectRefused(auth.Authenticate(SignEdDsa(1, R"({"alg":"EdDSA"})", R"({"sub":"x"})")).status(),
                "JWT iss: missing");
  ExpectRefused(auth.Authenticate(SignEdDsa(1, R"({"alg":"EdDSA"})", R"({"iss":1})")).status(),
                "JWT iss: got number, want a string");
  ExpectRefused(auth.Authenticate("not a token").status(),
                "JWT token: got 1 dot-separated parts, want 3 (JWS compact form)");
  ExpectRefused(auth.Authenticate(std::string(kMaxJwtBytes + 1, 'a')).status(),
                "JWT token: got 16385 bytes, want at most 16384");
  EXPECT_EQ(auth.verifier("https://c.example"), nullptr);
}

TEST(OidcAuthenticatorTest, RefusesDuplicateIssuers) {
  std::vector<std::unique_ptr<OidcVerifier>> verifiers;
  for (int i = 0; i < 2; ++i) {
    auto verifier = OidcVerifier::Create(
        EdOptions(), std::make_unique<MemoryJwksSource>(Jwks({Ed25519Jwk(1, "ed-1")})));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifiers.push_back(*std::move(verifier));
  }
  absl::Status status = OidcAuthenticator::Create(std::move(verifiers)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), R"(OIDC issuer "https://idp.example.com": configured twice)");
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
