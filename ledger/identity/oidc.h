#ifndef VELLUM_LEDGER_IDENTITY_OIDC_H_
#define VELLUM_LEDGER_IDENTITY_OIDC_H_

// OIDC bearer JWTs (docs/security.md, "OIDC JWTs"): one OidcVerifier per configured issuer, with its key
// set and its cache of verified tokens, and the OidcAuthenticator that picks the verifier by
// the token's issuer. Every refusal of a token is Unauthenticated with a one-line reason.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/identity/jwk.h"
#include "ledger/identity/jwt.h"
#include "ledger/identity/principal.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace identity {

// Where an issuer's JWK Set comes from: a file, the issuer's jwks_uri, or memory.
// Implementations must be thread-safe: the verifier calls Fetch() from the thread of the request
// that brought an unknown kid (one call at a time).
class JwksSource {
 public:
  virtual ~JwksSource() = default;
  // Returns the JWK Set's JSON text, or why it could not be had.
  virtual absl::StatusOr<std::string> Fetch() = 0;
};

// A JwksSource that returns the text last given to Set(), for a JWKS held in memory (tests,
// keys given inline). Thread-safe.
class MemoryJwksSource : public JwksSource {
 public:
  explicit MemoryJwksSource(std::string json) : json_(std::move(json)) {}

  absl::StatusOr<std::string> Fetch() override;
  // Later fetches return `json`; with an error status instead, they fail with it.
  void Set(absl::StatusOr<std::string> json);
  // How many times Fetch() was called.
  int fetches() const;

 private:
  mutable absl::Mutex mu_;
  absl::StatusOr<std::string> json_ ABSL_GUARDED_BY(mu_);
  int fetches_ ABSL_GUARDED_BY(mu_) = 0;
};

// One issuer's settings: api/config/config.proto's OidcIssuer, as the verifier takes them
// (the key source is given separately).
struct OidcIssuerOptions {
  // The `iss` claim, exactly.
  std::string issuer;
  // Accepted `aud` values; a token must carry one. Must not be empty.
  std::vector<std::string> audiences;
  // Allowed algorithms among "RS256", "ES256" and "EdDSA"; empty means {"RS256"}.
  std::vector<std::string> algorithms;
  // The claim holding the subject (a non-empty string); "" means "sub".
  std::string subject_claim;
  // The claim holding the groups (a string or an array of strings); "" means none.
  std::string groups_claim;
  // Prepended to the subject for the principal's name. nullopt: "<issuer>#"; "" uses the
  // subject as it is.
  std::optional<std::string> principal_prefix;
  // Prepended to each group of groups_claim (not to the Kubernetes groups below).
  std::string groups_prefix;
  // Allowed clock skew for exp, nbf and iat: at least 0, at most kMaxLeeway.
  absl::Duration leeway = absl::Seconds(60);
  // The issuer is a Kubernetes API server: a token must carry the `kubernetes.io` claim with a
  // `namespace`, and the principal gets the groups "system:serviceaccounts" and
  // "system:serviceaccounts:<namespace>".
  bool kubernetes = false;
  // At most this many verified tokens are cached (0 disables the cache).
  size_t max_cached_tokens = 10000;
};

// Verifies the JWTs of one issuer and turns them into principals. Thread-safe.
//
// Keys: fetched from the source at creation; when a token names a kid the key set lacks, the
// source is fetched again, at most once per kMinRefetchInterval (by the injected clock);
// ReplaceKeys installs a new set (configuration reloads).
// Cache: verified tokens are kept by SHA-256 of the token until exp + leeway, so a client that
// sends the same token again pays for one hash instead of a signature verification; at most
// max_cached_tokens are kept (the oldest is evicted first), and a new key set evicts the tokens
// verified with keys it no longer holds (by kid and RFC 7638 thumbprint).
class OidcVerifier {
 public:
  static constexpr absl::Duration kMaxLeeway = absl::Seconds(300);
  static constexpr absl::Duration kMinRefetchInterval = absl::Minutes(1);

  // Checks `options` (InvalidArgument naming the option) and fetches the first key set (its
  // error, with context, when the fetch or the parse fails). `clock` defaults to absl::Now.
  static absl::StatusOr<std::unique_ptr<OidcVerifier>> Create(
      OidcIssuerOptions options, std::unique_ptr<JwksSource> source,
      std::function<absl::Time()> clock = nullptr);

  OidcVerifier(const OidcVerifier&) = delete;
  OidcVerifier& operator=(const OidcVerifier&) = delete;

  const std::string& issuer() const { return options_.issuer; }

  // Verifies `token` and returns its principal: name = prefix + subject, groups, issuer, amr,
  // acr, expires = exp, authenticated_by = kByOidc.
  absl::StatusOr<Principal> Verify(absl::string_view token);
  // Same, for a token already parsed (OidcAuthenticator parses to find the issuer).
  absl::StatusOr<Principal> Verify(const Jwt& jwt);
  // The cached principal of the token with this digest, if it is cached and not expired.
  std::optional<Principal> FindCached(const crypto::Sha256Digest& digest);

  // Parses `jwks_json` and, if it is valid, makes it the key set (evicting cached tokens of
  // keys it does not hold); otherwise returns the error and keeps the old set.
  absl::Status ReplaceKeys(absl::string_view jwks_json);

  // The current key set.
  std::shared_ptr<const JwkSet> keys() const;
  // How many tokens are cached.
  size_t cached_tokens() const;

 private:
  struct CachedToken {
    Principal principal;
    absl::Time valid_until;  // exp + leeway
    std::string kid;
    crypto::Sha256Digest thumbprint;
    uint64_t sequence;  // Insertion order, for eviction.
  };

  OidcVerifier(OidcIssuerOptions options, std::vector<JwsAlgorithm> algorithms,
               std::unique_ptr<JwksSource> source, std::function<absl::Time()> clock);

  // Installs `keys` and evicts the cached tokens of keys it lacks.
  void InstallKeys(std::shared_ptr<const JwkSet> keys) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Refetches the key set for a token whose kid `kid` is unknown, unless another fetch
  // happened within kMinRefetchInterval; returns the key, or why there is none.
  absl::StatusOr<Jwk> RefetchForKid(const std::string& kid, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_, fetch_mu_);
  absl::StatusOr<Principal> MakePrincipal(const Jwt& jwt, absl::Time exp) const;
  void CacheToken(const crypto::Sha256Digest& digest, CachedToken entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const OidcIssuerOptions options_;
  const std::vector<JwsAlgorithm> algorithms_;
  const JwtClaimRules rules_;
  const std::unique_ptr<JwksSource> source_;
  const std::function<absl::Time()> clock_;

  // Serializes fetches from source_; taken before mu_, never while holding it.
  absl::Mutex fetch_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::shared_ptr<const JwkSet> keys_ ABSL_GUARDED_BY(mu_);
  absl::Time last_fetch_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<crypto::Sha256Digest, CachedToken> cache_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, crypto::Sha256Digest> cache_order_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

// The OIDC side of authentication: any number of issuers, each with its verifier. Thread-safe.
class OidcAuthenticator {
 public:
  // Refuses (InvalidArgument) two verifiers for the same issuer.
  static absl::StatusOr<std::unique_ptr<OidcAuthenticator>> Create(
      std::vector<std::unique_ptr<OidcVerifier>> verifiers);

  // Returns the principal of `token`: served from a verifier's cache when it holds the token;
  // otherwise the token is parsed, its unverified `iss` only chooses the verifier (an unknown
  // issuer is refused), and that verifier verifies it. Every failure is Unauthenticated.
  absl::StatusOr<Principal> Authenticate(absl::string_view token) const;

  // The verifier of `issuer` (to replace its keys on a reload), or nullptr.
  OidcVerifier* verifier(absl::string_view issuer) const;

 private:
  explicit OidcAuthenticator(std::map<std::string, std::unique_ptr<OidcVerifier>, std::less<>> verifiers)
      : verifiers_(std::move(verifiers)) {}

  const std::map<std::string, std::unique_ptr<OidcVerifier>, std::less<>> verifiers_;
};

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_OIDC_H_
