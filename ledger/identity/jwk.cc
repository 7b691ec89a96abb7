#include "ledger/identity/jwk.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/identity/jose_text.h"
#include "proof/base64.h"

namespace vellum {
namespace ledger {
namespace identity {

using google::protobuf::Struct;
using google::protobuf::Value;

absl::string_view JwsAlgorithmName(JwsAlgorithm algorithm) {
  switch (algorithm) {
    case JwsAlgorithm::kRs256:
      return "RS256";
    case JwsAlgorithm::kEs256:
      return "ES256";
    case JwsAlgorithm::kEdDsa:
      return "EdDSA";
  }
  return "?";
}

std::optional<JwsAlgorithm> ParseJwsAlgorithm(absl::string_view name) {
  for (JwsAlgorithm algorithm : {JwsAlgorithm::kRs256, JwsAlgorithm::kEs256,
                                 JwsAlgorithm::kEdDsa}) {
    if (name == JwsAlgorithmName(algorithm)) return algorithm;
  }
  return std::nullopt;
}

absl::Status Jwk::Verify(absl::string_view signing_input, absl::string_view signature) const {
  switch (algorithm_) {
    case JwsAlgorithm::kRs256:
      return rsa_->VerifyPkcs1Sha256(signing_input, signature);
    case JwsAlgorithm::kEs256:
      return ec_->VerifySha256Jws(signing_input, signature);
    case JwsAlgorithm::kEdDsa:
      if (signature.size() != crypto::kEd25519SignatureSize) {
        return absl::InvalidArgumentError(absl::StrCat("EdDSA signature: got ", signature.size(),
                                                       " bytes, want ",
                                                       crypto::kEd25519SignatureSize));
      }
      if (!crypto::Ed25519Verify(ed25519_, signing_input,
                                 absl::MakeConstSpan(
                                     reinterpret_cast<const uint8_t*>(signature.data()),
                                     signature.size()))) {
        return absl::InvalidArgumentError("EdDSA signature does not verify");
      }
      return absl::OkStatus();
  }
  return absl::InternalError("unknown JWS algorithm");
}

const Jwk* JwkSet::Find(absl::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

// Builds a JwkSet from the parsed JSON; a friend of Jwk and JwkSet.
class JwkSetParser {
 public:
  static absl::StatusOr<JwkSet> Parse(const Struct& root);

 private:
  // Returns the string member `name` of `key`: nullopt with *why set when it is absent or not
  // a string.
  static std::optional<std::string> StringMember(const Struct& key, absl::string_view name,
                                                 std::string* why);
  // Decodes the base64url member `name`; nullopt with *why set when absent or malformed.
  static std::optional<std::string> BytesMember(const Struct& key, absl::string_view name,
                                                std::string* why);
  // Fills the key material of `jwk` from `key` (whose kty is `kty`), or returns false with
  // *why set: then the key is skipped.
  static bool FillKey(const Struct& key, absl::string_view kty, Jwk* jwk, std::string* why);
};

std::optional<std::string> JwkSetParser::StringMember(const Struct& key, absl::string_view name,
                                                      std::string* why) {
  const Value* value = FindMember(key, name);
  if (value == nullptr) {
    *why = absl::StrCat(name, " missing");
    return std::nullopt;
  }
  if (!value->has_string_value()) {
    *why = absl::StrCat(name, ": got ", JsonKindName(*value), ", want a string");
    return std::nullopt;
  }
  return value->string_value();
}

std::optional<std::string> JwkSetParser::BytesMember(const Struct& key, absl::string_view name,
                                                     std::string* why) {
  std::optional<std::string> text = StringMember(key, name, why);
  if (!text.has_value()) return std::nullopt;
  absl::StatusOr<std::string> bytes = Base64UrlDecodeUnpadded(*text);
  if (!bytes.ok()) {
    *why = absl::StrCat(name, ": ", bytes.status().message());
    return std::nullopt;
  }
  return *std::move(bytes);
}

bool JwkSetParser::FillKey(const Struct& key, absl::string_view kty, Jwk* jwk,
                           std::string* why) {
  std::string thumbprint_json;
  if (kty == "RSA") {
    std::optional<std::string> n = BytesMember(key, "n", why);
    if (!n.has_value()) return false;
    std::optional<std::string> e = BytesMember(key, "e", why);
    if (!e.has_value()) return false;
    absl::StatusOr<std::unique_ptr<crypto::RsaPublicKey>> rsa = crypto::RsaPublicKey::Create(*n, *e);
    if (!rsa.ok()) {
      *why = std::string(rsa.status().message());
      return false;
    }
    jwk->algorithm_ = JwsAlgorithm::kRs256;
    jwk->rsa_ = std::move(*rsa);
    // RFC 7638 section 3.2: the required members in lexicographic order, no whitespace. The
    // values are the strictly decoded base64url texts, so they are canonical.
    thumbprint_json = absl::StrCat(R"({"e":")", key.fields().at("e").string_value(),
                                   R"(","kty":"RSA","n":")", key.fields().at("n").string_value(),
                                   R"("})");
  } else if (kty == "EC" || kty == "OKP") {
    std::optional<std::string> crv = StringMember(key, "crv", why);
    if (!crv.has_value()) return false;
    const absl::string_view want_crv = kty == "EC" ? "P-256" : "Ed25519";
    if (*crv != want_crv) {
      *why = absl::StrCat("kty ", kty, " crv ", QuoteUntrusted(*crv), " not supported, want ",
                          want_crv);
      return false;
    }
    std::optional<std::string> x = BytesMember(key, "x", why);
    if (!x.has_value()) return false;
    if (kty == "EC") {
      std::optional<std::string> y = BytesMember(key, "y", why);
      if (!y.has_value()) return false;
      absl::StatusOr<std::unique_ptr<crypto::EcdsaP256PublicKey>> ec =
          crypto::EcdsaP256PublicKey::Create(*x, *y);
      if (!ec.ok()) {
        *why = std::string(ec.status().message());
        return false;
      }
      jwk->algorithm_ = JwsAlgorithm::kEs256;
      jwk->ec_ = std::move(*ec);
      thumbprint_json = absl::StrCat(R"({"crv":"P-256","kty":"EC","x":")",
                                     key.fields().at("x").string_value(), R"(","y":")",
                                     key.fields().at("y").string_value(), R"("})");
    } else {
      if (x->size() != crypto::kEd25519PublicKeySize) {
        *why = absl::StrCat("Ed25519 x: got ", x->size(), " bytes, want ",
                            crypto::kEd25519PublicKeySize);
        return false;
      }
      jwk->algorithm_ = JwsAlgorithm::kEdDsa;
      std::copy(x->begin(), x->end(), jwk->ed25519_.begin());
      // RFC 8037 section 2: the OKP thumbprint members are crv, kty and x.
      thumbprint_json = absl::StrCat(R"({"crv":"Ed25519","kty":"OKP","x":")",
                                     key.fields().at("x").string_value(), R"("})");
    }
  } else {
    *why = absl::StrCat("kty ", QuoteUntrusted(kty), " not supported");
    return false;
  }
  jwk->thumbprint_ = crypto::Sha256({thumbprint_json});
  return true;
}

absl::StatusOr<JwkSet> JwkSetParser::Parse(const Struct& root) {
  const Value* keys = FindMember(root, "keys");
  if (keys == nullptr) return absl::InvalidArgumentError("JWKS: keys missing");
  if (!keys->has_list_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWKS: keys: got ", JsonKindName(*keys), ", want an array"));
  }
  const auto& entries = keys->list_value().values();
  if (static_cast<size_t>(entries.size()) > kMaxJwksKeys) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS: got ", entries.size(),
                                                   " keys, want at most ", kMaxJwksKeys));
  }
  JwkSet set;
  for (int i = 0; i < entries.size(); ++i) {
    const std::string where = absl::StrCat("JWKS: keys[", i, "]");
    if (!entries[i].has_struct_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": got ", JsonKindName(entries[i]), ", want an object"));
    }
    const Struct& key = entries[i].struct_value();
    Jwk jwk;
    if (const Value* kid = FindMember(key, "kid"); kid != nullptr) {
      if (!kid->has_string_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": kid: got ", JsonKindName(*kid), ", want a string"));
      }
      if (kid->string_value().size() > kMaxKidBytes) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": kid: got ",
                                                       kid->string_value().size(),
                                                       " bytes, want at most ", kMaxKidBytes));
      }
      jwk.kid_ = kid->string_value();
    }
    const std::string name =
        key.fields().count("kid") ? absl::StrCat(where, " (kid ", QuoteUntrusted(jwk.kid_), ")")
                                  : absl::StrCat(where, " (no kid)");
    std::string why;
    std::optional<std::string> kty = StringMember(key, "kty", &why);
    if (!kty.has_value()) {
      set.skipped_.push_back(absl::StrCat(name, ": ", why));
      continue;
    }
    if (const Value* use = FindMember(key, "use");
        use != nullptr && !(use->has_string_value() && use->string_value() == "sig")) {
      set.skipped_.push_back(absl::StrCat(
          name, ": use ",
          use->has_string_value() ? QuoteUntrusted(use->string_value()) : JsonKindName(*use),
          ", want \"sig\""));
      continue;
    }
    if (const Value* alg = FindMember(key, "alg"); alg != nullptr) {
      if (!alg->has_string_value()) {
        set.skipped_.push_back(
            absl::StrCat(name, ": alg: got ", JsonKindName(*alg), ", want a string"));
        continue;
      }
      jwk.alg_ = alg->string_value();
    }
    if (!FillKey(key, *kty, &jwk, &why)) {
      set.skipped_.push_back(absl::StrCat(name, ": ", why));
      continue;
    }
    std::string kid = jwk.kid_;
    if (!set.keys_.emplace(std::move(kid), std::move(jwk)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": duplicate kid among the usable keys"));
    }
  }
  return set;
}

absl::StatusOr<JwkSet> ParseJwks(absl::string_view json) {
  if (json.size() > kMaxJwksBytes) {
    return absl::InvalidArgumentError(absl::StrCat("JWKS: got ", json.size(),
                                                   " bytes, want at most ", kMaxJwksBytes));
  }
  Struct root;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &root).ok()) {
    return absl::InvalidArgumentError("JWKS: not a JSON object");
  }
  return JwkSetParser::Parse(root);
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
