#ifndef VELLUM_LEDGER_IDENTITY_JWT_TEST_KEYS_H_
#define VELLUM_LEDGER_IDENTITY_JWT_TEST_KEYS_H_

// Test keys and tokens for the JWK, JWT and OIDC tests.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace testkeys {

// Made once with Debian's python3-jwt 2.6 and python3-cryptography 38: a 2048-bit RSA key
// (kid "rsa-1", alg RS256, use sig) and a P-256 key (kid "ec-1"), and one token signed by each
// with the claims {"iss": "https://idp.example.com", "aud": "vellum", "sub": "alice",
// "exp": 4102444800, "iat": 1700000000, "groups": ["ml-writers"]}.
extern const char kFixedJwks[];
extern const char kFixedRs256Token[];
extern const char kFixedEs256Token[];
inline constexpr char kIssuer[] = "https://idp.example.com";
// A time at which the fixed tokens are valid.
inline constexpr int64_t kNow = 1700000100;

// RFC 4648 section 5 base64url without padding.
std::string Base64Url(absl::string_view bytes);

// The public JWK of the Ed25519 key whose seed is 32 bytes of `seed`, with `kid` and the given
// extra members (a JSON fragment such as R"("use":"sig")", or "").
std::string Ed25519Jwk(uint8_t seed, absl::string_view kid, absl::string_view extra = "");

// {"keys":[...]} of the given JWK texts.
std::string Jwks(const std::vector<std::string>& keys);

// A compact JWS of the JSON texts `header` and `claims`, signed with Ed25519 by the key whose
// seed is 32 bytes of `seed` (whatever `header` says the algorithm is).
std::string SignEdDsa(uint8_t seed, absl::string_view header, absl::string_view claims);

}  // namespace testkeys
}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_JWT_TEST_KEYS_H_
