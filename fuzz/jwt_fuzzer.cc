// Fuzzes JWT parsing and verification through OidcAuthenticator, against a fixed JWKS (RSA,
// EC P-256 and Ed25519 keys) and a fixed clock.
//
// Input: a token; or "sign:" followed by a header JSON text, a newline and a claims JSON text,
// which the fuzzer signs with the JWKS's Ed25519 key so that the claim checks are reached.
// Invariants: every refusal is Unauthenticated with a one-line message of bounded length that
// never repeats the signature; an accepted token names the issuer's principal and is accepted
// again, identically, from the cache.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/identity/jwt_test_keys.h"
#include "ledger/identity/oidc.h"

namespace {

using vellum::ledger::identity::MemoryJwksSource;
using vellum::ledger::identity::OidcAuthenticator;
using vellum::ledger::identity::OidcIssuerOptions;
using vellum::ledger::identity::OidcVerifier;
using vellum::ledger::identity::Principal;
namespace testkeys = vellum::ledger::identity::testkeys;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "jwt_fuzzer: %s\n", what);
  __builtin_trap();
}

std::unique_ptr<OidcAuthenticator> MakeAuthenticator() {
  // The fixed RSA and EC keys, and Ed25519 key 1 as "ed-1".
  std::string jwks = testkeys::kFixedJwks;
  jwks.insert(jwks.size() - 2, "," + testkeys::Ed25519Jwk(1, "ed-1"));
  OidcIssuerOptions options;
  options.issuer = testkeys::kIssuer;
  options.audiences = {"vellum"};
  options.algorithms = {"RS256", "ES256", "EdDSA"};
  options.groups_claim = "groups";
  options.max_cached_tokens = 64;
  auto verifier = OidcVerifier::Create(options, std::make_unique<MemoryJwksSource>(jwks),
                                       [] { return absl::FromUnixSeconds(testkeys::kNow); });
  Check(verifier.ok(), "the fixed JWKS does not load");
  std::vector<std::unique_ptr<OidcVerifier>> verifiers;
  verifiers.push_back(*std::move(verifier));
  auto authenticator = OidcAuthenticator::Create(std::move(verifiers));
  Check(authenticator.ok(), "the authenticator cannot be made");
  return *std::move(authenticator);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static OidcAuthenticator* const authenticator = MakeAuthenticator().release();
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::string token(input);
  if (absl::ConsumePrefix(&input, "sign:")) {
    const size_t newline = input.find('\n');
    if (newline == absl::string_view::npos) return 0;
    token = testkeys::SignEdDsa(1, input.substr(0, newline), input.substr(newline + 1));
  }
  absl::StatusOr<Principal> principal = authenticator->Authenticate(token);
  if (!principal.ok()) {
    const absl::Status& status = principal.status();
    Check(status.code() == absl::StatusCode::kUnauthenticated, "a refusal is not Unauthenticated");
    Check(status.message().find('\n') == absl::string_view::npos, "a reason spans lines");
    Check(status.message().size() <= 512, "a reason is over 512 bytes");
    // A signature is base64url; a "signature" of other bytes (words and spaces, which the fuzzer
    // can copy from the messages themselves) is not token material to keep out.
    const size_t dot = token.rfind('.');
    const absl::string_view signature =
        dot == std::string::npos ? absl::string_view() : absl::string_view(token).substr(dot + 1);
    const bool base64url = absl::c_all_of(signature, [](char c) {
      return absl::ascii_isalnum(c) || c == '-' || c == '_';
    });
    if (signature.size() > 15 && base64url) {
      Check(!absl::StrContains(status.message(), signature),
            "a reason repeats the signature");
    }
    return 0;
  }
  Check(absl::StartsWith(principal->name, std::string(testkeys::kIssuer) + "#"),
        "an accepted token's principal lacks the issuer's prefix");
  absl::StatusOr<Principal> again = authenticator->Authenticate(token);
  Check(again.ok() && again->name == principal->name && again->groups == principal->groups &&
            again->expires == principal->expires,
        "the cache answers differently");
  return 0;
}
