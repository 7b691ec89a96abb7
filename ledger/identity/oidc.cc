#include "ledger/identity/oidc.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "ledger/identity/jose_text.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

absl::Status Refuse(absl::string_view what, absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("JWT ", what, ": ", why));
}

// Reads the claim `name` as a string or an array of strings into `out`.
absl::Status StringsClaim(const Struct& claims, absl::string_view name,
                          std::vector<std::string>* out) {
  const Value* value = FindMember(claims, name);
  if (value == nullptr) return absl::OkStatus();
  if (value->has_string_value()) {
    out->push_back(value->string_value());
    return absl::OkStatus();
  }
  if (value->has_list_value()) {
    for (const Value& item : value->list_value().values()) {
      if (!item.has_string_value()) {
        return Refuse(QuoteUntrusted(name),
                      absl::StrCat("got an array holding a ", JsonKindName(item),
                                   ", want strings"));
      }
      out->push_back(item.string_value());
    }
    return absl::OkStatus();
  }
  return Refuse(QuoteUntrusted(name), absl::StrCat("got ", JsonKindName(*value),
                                                   ", want a string or an array of strings"));
}

void AddGroup(std::string group, std::vector<std::string>* groups) {
  if (std::find(groups->begin(), groups->end(), group) == groups->end()) {
    groups->push_back(std::move(group));
  }
}

}  // namespace

absl::StatusOr<std::string> MemoryJwksSource::Fetch() {
  absl::MutexLock lock(&mu_);
  ++fetches_;
  return json_;
}

void MemoryJwksSource::Set(absl::StatusOr<std::string> json) {
  absl::MutexLock lock(&mu_);
  json_ = std::move(json);
}

int MemoryJwksSource::fetches() const {
  absl::MutexLock lock(&mu_);
  return fetches_;
}

OidcVerifier::OidcVerifier(OidcIssuerOptions options, std::vector<JwsAlgorithm> algorithms,
                           std::unique_ptr<JwksSource> source,
                           std::function<absl::Time()> clock)
    : options_(std::move(options)),
      algorithms_(std::move(algorithms)),
      rules_{options_.issuer, options_.audiences, options_.leeway},
      source_(std::move(source)),
      clock_(std::move(clock)) {}

absl::StatusOr<std::unique_ptr<OidcVerifier>> OidcVerifier::Create(
    OidcIssuerOptions options, std::unique_ptr<JwksSource> source,
    std::function<absl::Time()> clock) {
  const std::string where = absl::StrCat("OIDC issuer \"", options.issuer, "\": ");
  if (options.issuer.empty()) return absl::InvalidArgumentError("OIDC issuer: issuer is empty");
  if (options.audiences.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, "audiences: got none, want at least one"));
  }
  for (const std::string& audience : options.audiences) {
    if (audience.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "audiences: got an empty one"));
    }
  }
  if (options.algorithms.empty()) options.algorithms = {"RS256"};
  std::vector<JwsAlgorithm> algorithms;
  for (const std::string& name : options.algorithms) {
    std::optional<JwsAlgorithm> algorithm = ParseJwsAlgorithm(name);
    if (!algorithm.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "algorithms: got \"", name,
                                                     "\", want RS256, ES256 or EdDSA"));
    }
    if (std::find(algorithms.begin(), algorithms.end(), *algorithm) == algorithms.end()) {
      algorithms.push_back(*algorithm);
    }
  }
  if (options.subject_claim.empty()) options.subject_claim = "sub";
  if (options.leeway < absl::ZeroDuration() || options.leeway > kMaxLeeway) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, "leeway: got ", absl::ToInt64Seconds(options.leeway), "s, want 0 to ",
        absl::ToInt64Seconds(kMaxLeeway), "s"));
  }
  if (source == nullptr) return absl::InvalidArgumentError(absl::StrCat(where, "no JWKS source"));
  if (clock == nullptr) clock = [] { return absl::Now(); };
  std::unique_ptr<OidcVerifier> verifier(new OidcVerifier(
      std::move(options), std::move(algorithms), std::move(source), std::move(clock)));
  absl::StatusOr<std::string> json = verifier->source_->Fetch();
  if (!json.ok()) {
    return absl::Status(json.status().code(),
                        absl::StrCat(where, "fetching the JWKS: ", json.status().message()));
  }
  absl::StatusOr<JwkSet> keys = ParseJwks(*json);
  if (!keys.ok()) {
    return absl::Status(keys.status().code(), absl::StrCat(where, keys.status().message()));
  }
  absl::MutexLock lock(&verifier->mu_);
  verifier->last_fetch_ = verifier->clock_();
  verifier->InstallKeys(std::make_shared<const JwkSet>(*std::move(keys)));
  return verifier;
}

std::shared_ptr<const JwkSet> OidcVerifier::keys() const {
  absl::MutexLock lock(&mu_);
  return keys_;
}

size_t OidcVerifier::cached_tokens() const {
  absl::MutexLock lock(&mu_);
  return cache_.size();
}

absl::Status OidcVerifier::ReplaceKeys(absl::string_view jwks_json) {
  absl::StatusOr<JwkSet> keys = ParseJwks(jwks_json);
  if (!keys.ok()) return keys.status();
  absl::MutexLock lock(&mu_);
  InstallKeys(std::make_shared<const JwkSet>(*std::move(keys)));
  return absl::OkStatus();
}

void OidcVerifier::InstallKeys(std::shared_ptr<const JwkSet> keys) {
  keys_ = std::move(keys);
  for (auto it = cache_.begin(); it != cache_.end();) {
    const Jwk* key = keys_->Find(it->second.kid);
    if (key == nullptr || key->thumbprint() != it->second.thumbprint) {
      cache_order_.erase(it->second.sequence);
      cache_.erase(it++);
    } else {
      ++it;
    }
  }
}

void OidcVerifier::CacheToken(const crypto::Sha256Digest& digest, CachedToken entry) {
  if (options_.max_cached_tokens == 0) return;
  // The key may have been replaced while this token was being verified.
  const Jwk* key = keys_->Find(entry.kid);
  if (key == nullptr || key->thumbprint() != entry.thumbprint) return;
  if (auto it = cache_.find(digest); it != cache_.end()) {
    cache_order_.erase(it->second.sequence);
    cache_.erase(it);
  }
  while (cache_.size() >= options_.max_cached_tokens) {
    auto oldest = cache_order_.begin();
    cache_.erase(oldest->second);
    cache_order_.erase(oldest);
  }
  entry.sequence = next_sequence_++;
  cache_order_.emplace(entry.sequence, digest);
  cache_.emplace(digest, std::move(entry));
}

std::optional<Principal> OidcVerifier::FindCached(const crypto::Sha256Digest& digest) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(digest);
  if (it == cache_.end()) return std::nullopt;
  if (now >= it->second.valid_until) {
    cache_order_.erase(it->second.sequence);
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

absl::StatusOr<Jwk> OidcVerifier::RefetchForKid(const std::string& kid, absl::Time now) {
  absl::MutexLock fetch_lock(&fetch_mu_);
  size_t known = 0;
  {
    absl::MutexLock lock(&mu_);
    // Another request may have fetched the key while this one waited.
    if (const Jwk* key = keys_->Find(kid); key != nullptr) return *key;
    known = keys_->size();
    if (now < last_fetch_ + kMinRefetchInterval) {
      return Refuse("kid", absl::StrCat("got ", QuoteUntrusted(kid), ", not among the issuer's ",
                                        known, " keys (the JWKS is refetched at most once per ",
                                        absl::ToInt64Seconds(kMinRefetchInterval), "s)"));
    }
    last_fetch_ = now;
  }
  absl::StatusOr<std::string> json = source_->Fetch();
  absl::StatusOr<JwkSet> keys =
      json.ok() ? ParseJwks(*json) : absl::StatusOr<JwkSet>(json.status());
  if (!keys.ok()) {
    return Refuse("kid", absl::StrCat("got ", QuoteUntrusted(kid), ", not among the issuer's ",
                                      known, " keys, and refetching the JWKS failed: ",
                                      keys.status().message()));
  }
  absl::MutexLock lock(&mu_);
  InstallKeys(std::make_shared<const JwkSet>(*std::move(keys)));
  if (const Jwk* key = keys_->Find(kid); key != nullptr) return *key;
  return Refuse("kid", absl::StrCat("got ", QuoteUntrusted(kid), ", not among the issuer's ",
                                    keys_->size(), " keys, even after refetching the JWKS"));
}

absl::StatusOr<Principal> OidcVerifier::MakePrincipal(const Jwt& jwt, absl::Time exp) const {
  const Struct& claims = jwt.claims();
  Principal principal;
  principal.authenticated_by = kByOidc;
  principal.issuer = options_.issuer;
  principal.expires = exp;

  const Value* subject = FindMember(claims, options_.subject_claim);
  if (subject == nullptr) return Refuse(QuoteUntrusted(options_.subject_claim), "missing");
  if (!subject->has_string_value() || subject->string_value().empty()) {
    return Refuse(QuoteUntrusted(options_.subject_claim),
                  absl::StrCat("got ", subject->has_string_value() ? "an empty string"
                                                                   : JsonKindName(*subject),
                               ", want a non-empty string"));
  }
  principal.name = absl::StrCat(options_.principal_prefix.value_or(options_.issuer + "#"),
                                subject->string_value());

  if (!options_.groups_claim.empty()) {
    std::vector<std::string> groups;
    if (absl::Status status = StringsClaim(claims, options_.groups_claim, &groups); !status.ok()) {
      return status;
    }
    for (const std::string& group : groups) {
      AddGroup(absl::StrCat(options_.groups_prefix, group), &principal.groups);
    }
  }
  if (options_.kubernetes) {
    const Value* kubernetes = FindMember(claims, "kubernetes.io");
    if (kubernetes == nullptr) return Refuse("kubernetes.io", "missing");
    const Value* ns = kubernetes->has_struct_value()
                          ? FindMember(kubernetes->struct_value(), "namespace")
                          : nullptr;
    if (ns == nullptr || !ns->has_string_value() || ns->string_value().empty()) {
      return Refuse("kubernetes.io", "want an object with a non-empty string namespace");
    }
    AddGroup("system:serviceaccounts", &principal.groups);
    AddGroup(absl::StrCat("system:serviceaccounts:", ns->string_value()), &principal.groups);
  }

  const Value* amr = FindMember(claims, "amr");
  if (amr != nullptr) {
    if (!amr->has_list_value()) {
      return Refuse("amr", absl::StrCat("got ", JsonKindName(*amr), ", want an array of strings"));
    }
    if (absl::Status status = StringsClaim(claims, "amr", &principal.amr); !status.ok()) {
      return status;
    }
  }
  const Value* acr = FindMember(claims, "acr");
  if (acr != nullptr) {
    if (!acr->has_string_value()) {
      return Refuse("acr", absl::StrCat("got ", JsonKindName(*acr), ", want a string"));
    }
    principal.acr = acr->string_value();
  }
  return principal;
}

absl::StatusOr<Principal> OidcVerifier::Verify(absl::string_view token) {
  if (token.size() > kMaxJwtBytes) {
    return Refuse("token", absl::StrCat("got ", token.size(), " bytes, want at most ",
                                        kMaxJwtBytes));
  }
  if (std::optional<Principal> cached = FindCached(crypto::Sha256({token}))) return *cached;
  absl::StatusOr<Jwt> jwt = Jwt::Parse(token);
  if (!jwt.ok()) return jwt.status();
  return Verify(*jwt);
}

absl::StatusOr<Principal> OidcVerifier::Verify(const Jwt& jwt) {
  if (std::optional<Principal> cached = FindCached(jwt.digest())) return *cached;
  const absl::Time now = clock_();
  absl::StatusOr<JwsAlgorithm> algorithm = CheckJwtAlgorithm(jwt, algorithms_);
  if (!algorithm.ok()) return algorithm.status();
  std::optional<Jwk> key;
  {
    absl::MutexLock lock(&mu_);
    if (const Jwk* found = keys_->Find(jwt.header().kid); found != nullptr) key = *found;
  }
  if (!key.has_value()) {
    absl::StatusOr<Jwk> fetched = RefetchForKid(jwt.header().kid, now);
    if (!fetched.ok()) return fetched.status();
    key = *std::move(fetched);
  }
  if (absl::Status status = VerifyJwtSignature(jwt, *algorithm, *key); !status.ok()) {
    return status;
  }
  absl::StatusOr<absl::Time> exp = CheckJwtClaims(jwt, rules_, now);
  if (!exp.ok()) return exp.status();
  absl::StatusOr<Principal> principal = MakePrincipal(jwt, *exp);
  if (!principal.ok()) return principal.status();
  absl::MutexLock lock(&mu_);
  CacheToken(jwt.digest(), CachedToken{*principal, *exp + options_.leeway, key->kid(),
                                       key->thumbprint(), 0});
  return principal;
}

absl::StatusOr<std::unique_ptr<OidcAuthenticator>> OidcAuthenticator::Create(
    std::vector<std::unique_ptr<OidcVerifier>> verifiers) {
  std::map<std::string, std::unique_ptr<OidcVerifier>, std::less<>> by_issuer;
  for (std::unique_ptr<OidcVerifier>& verifier : verifiers) {
    if (verifier == nullptr) return absl::InvalidArgumentError("OIDC: null verifier");
    std::string issuer = verifier->issuer();
    if (!by_issuer.emplace(issuer, std::move(verifier)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("OIDC issuer \"", issuer, "\": configured twice"));
    }
  }
  return std::unique_ptr<OidcAuthenticator>(new OidcAuthenticator(std::move(by_issuer)));
}

OidcVerifier* OidcAuthenticator::verifier(absl::string_view issuer) const {
  auto it = verifiers_.find(issuer);
  return it == verifiers_.end() ? nullptr : it->second.get();
}

absl::StatusOr<Principal> OidcAuthenticator::Authenticate(absl::string_view token) const {
  if (token.size() > kMaxJwtBytes) {
    return Refuse("token", absl::StrCat("got ", token.size(), " bytes, want at most ",
                                        kMaxJwtBytes));
  }
  const crypto::Sha256Digest digest = crypto::Sha256({token});
  for (const auto& [issuer, verifier] : verifiers_) {
    if (std::optional<Principal> cached = verifier->FindCached(digest)) return *cached;
  }
  absl::StatusOr<Jwt> jwt = Jwt::Parse(token);
  if (!jwt.ok()) return jwt.status();
  const Value* iss = FindMember(jwt->claims(), "iss");
  if (iss == nullptr) return Refuse("iss", "missing");
  if (!iss->has_string_value()) {
    return Refuse("iss", absl::StrCat("got ", JsonKindName(*iss), ", want a string"));
  }
  OidcVerifier* chosen = verifier(iss->string_value());
  if (chosen == nullptr) {
    return Refuse("iss", absl::StrCat("got ", QuoteUntrusted(iss->string_value()),
                                      ", not a configured issuer"));
  }
  return chosen->Verify(*jwt);
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
