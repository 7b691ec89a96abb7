#ifndef VELLUM_LEDGER_IDENTITY_JWK_H_
#define VELLUM_LEDGER_IDENTITY_JWK_H_

// JSON Web Keys (RFC 7517) for verifying JWS signatures: RSA (RFC 7518 section 6.3), EC P-256
// (section 6.2) and Ed25519 (OKP, RFC 8037). Public keys only.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace identity {

// The JWS algorithms Vellum verifies. Each key type allows exactly one of them.
enum class JwsAlgorithm { kRs256, kEs256, kEdDsa };

// "RS256", "ES256" or "EdDSA".
absl::string_view JwsAlgorithmName(JwsAlgorithm algorithm);

// The algorithm named `name` exactly as JWS spells it, or nullopt for every other name
// (including "none" and the HMAC algorithms).
std::optional<JwsAlgorithm> ParseJwsAlgorithm(absl::string_view name);

inline constexpr size_t kMaxJwksBytes = 64 * 1024;
inline constexpr size_t kMaxJwksKeys = 64;
inline constexpr size_t kMaxKidBytes = 256;

// One public signing key of a JWK Set. Immutable and cheap to copy (the key material is
// shared), so thread-safe.
class Jwk {
 public:
  // The key's `kid`, "" when it has none.
  const std::string& kid() const { return kid_; }
  // The one algorithm its type allows: RS256 for kty RSA, ES256 for EC P-256, EdDSA for OKP
  // Ed25519.
  JwsAlgorithm algorithm() const { return algorithm_; }
  // Its own `alg` member, "" when absent. A token must then name exactly this algorithm.
  const std::string& alg() const { return alg_; }
  // The RFC 7638 JWK thumbprint (SHA-256 of the key's required members): the same key material
  // has the same thumbprint whatever its kid, so a reload can tell which keys were replaced.
  const crypto::Sha256Digest& thumbprint() const { return thumbprint_; }

  // Returns OK if `signature` is this key's signature of `signing_input` under algorithm(), or
  // InvalidArgument saying why not.
  absl::Status Verify(absl::string_view signing_input, absl::string_view signature) const;

 private:
  friend class JwkSetParser;
  Jwk() = default;

  std::string kid_;
  JwsAlgorithm algorithm_ = JwsAlgorithm::kRs256;
  std::string alg_;
  crypto::Sha256Digest thumbprint_{};
  std::shared_ptr<const crypto::RsaPublicKey> rsa_;
  std::shared_ptr<const crypto::EcdsaP256PublicKey> ec_;
  crypto::Ed25519PublicKey ed25519_{};
};

// The usable keys of a JWK Set, by kid. Immutable after ParseJwks, so thread-safe.
class JwkSet {
 public:
  // The key whose kid is `kid` ("" finds the key without a kid), or nullptr.
  const Jwk* Find(absl::string_view kid) const;
  size_t size() const { return keys_.size(); }
  const std::map<std::string, Jwk, std::less<>>& keys() const { return keys_; }
  // Why each key that was ignored was ignored, one line each ("keys[2] (kid \"a\"): kty \"oct\"
  // not supported"), for the operator's log.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  friend class JwkSetParser;

  std::map<std::string, Jwk, std::less<>> keys_;
  std::vector<std::string> skipped_;
};

// Parses a JWK Set (RFC 7517 section 5: an object whose "keys" member is an array of JWK
// objects). Refuses, with InvalidArgument: more than kMaxJwksBytes of text or kMaxJwksKeys
// entries, anything that is not such an object, an entry that is not an object or has a `kid`
// that is not a string of at most kMaxKidBytes, and two usable keys with the same kid (a key
// without a kid counts as kid ""). Ignores, as RFC 7517 section 5 asks, and lists in skipped():
// keys whose `use` is not "sig", whose kty or crv is not supported (RSA, EC P-256, OKP
// Ed25519), or whose members are missing or out of range (an RSA modulus under 2048 bits, a
// point not on the curve, bad base64url).
absl::StatusOr<JwkSet> ParseJwks(absl::string_view json);

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_JWK_H_
