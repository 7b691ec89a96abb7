#ifndef VELLUM_LEDGER_IDENTITY_JWT_H_
#define VELLUM_LEDGER_IDENTITY_JWT_H_

// JSON Web Tokens (RFC 7519) in the JWS compact serialization (RFC 7515 section 7.1), verified
// as RFC 8725 asks: never `alg: none`, never HMAC, the algorithm pinned by the issuer and by the
// key, and iss, aud and exp required. Every failure is Unauthenticated with a one-line reason
// that names the header member or claim and, for values that are not secret, what was got and
// what was wanted; it never holds the token or its signature, and attacker-chosen strings are
// cut and sanitized (jose_text.h).

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/struct.pb.h"
#include "ledger/identity/jwk.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace identity {

inline constexpr size_t kMaxJwtBytes = 16 * 1024;

// The JOSE header members Vellum reads.
struct JwtHeader {
  std::string alg;
  // "" when the header has no kid (then only a key without a kid matches).
  std::string kid;
  std::string typ;
};

// A parsed, unverified compact JWS whose payload is a JSON object. Move-only; thread-compatible.
class Jwt {
 public:
  // Parses `token`: at most kMaxJwtBytes, exactly three base64url parts (unpadded, strict), a
  // header that is a JSON object with a string `alg`, optional string `kid` and `typ`, and no
  // `crit`, and claims that are a JSON object. Checks nothing else.
  static absl::StatusOr<Jwt> Parse(absl::string_view token);

  Jwt(Jwt&&) = default;
  Jwt& operator=(Jwt&&) = default;

  const JwtHeader& header() const { return header_; }
  const google::protobuf::Struct& claims() const { return *claims_; }
  // The header and payload parts with the dot between them: what the signature covers.
  absl::string_view signing_input() const { return signing_input_; }
  const std::string& signature() const { return signature_; }
  // SHA-256 of the whole token, the key of verified-token caches.
  const crypto::Sha256Digest& digest() const { return digest_; }

 private:
  Jwt() = default;

  JwtHeader header_;
  std::unique_ptr<google::protobuf::Struct> claims_;
  std::string signing_input_;
  std::string signature_;
  crypto::Sha256Digest digest_{};
};

// Returns the token's algorithm if `allowed` holds it. Refuses `none` and HS256/HS384/HS512
// always, and any other algorithm not in `allowed`.
absl::StatusOr<JwsAlgorithm> CheckJwtAlgorithm(const Jwt& jwt,
                                               absl::Span<const JwsAlgorithm> allowed);

// Verifies the token's signature with `key` under `algorithm` (from CheckJwtAlgorithm): the
// key's type must allow the algorithm (an RS256 token never verifies with an EC key) and a key
// with its own `alg` must name it.
absl::Status VerifyJwtSignature(const Jwt& jwt, JwsAlgorithm algorithm, const Jwk& key);

// What the claims must say.
struct JwtClaimRules {
  // `iss` must equal this exactly.
  std::string issuer;
  // `aud` (a string or an array of strings) must hold one of these.
  std::vector<std::string> audiences;
  // Allowed clock skew for exp, nbf and iat.
  absl::Duration leeway = absl::Seconds(60);
};

// Checks the registered claims at time `now`: `iss`, `aud` and `exp` required; `nbf` and `iat`
// when present (nbf not after now + leeway, iat not after now + leeway); exp after now -
// leeway. NumericDates must be numbers in [0, 253402300799] (year 9999). Returns exp.
absl::StatusOr<absl::Time> CheckJwtClaims(const Jwt& jwt, const JwtClaimRules& rules,
                                          absl::Time now);

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_JWT_H_
