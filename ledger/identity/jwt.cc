#include "ledger/identity/jwt.h"

#include <cmath>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/identity/jose_text.h"
#include "proof/base64.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// The largest NumericDate accepted: 9999-12-31T23:59:59Z.
constexpr double kMaxNumericDate = 253402300799.0;

absl::Status Refuse(absl::string_view what, absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("JWT ", what, ": ", why));
}

// Decodes one base64url part and parses it as a JSON object into `out`.
absl::Status DecodeObject(absl::string_view part, absl::string_view what, Struct* out) {
  absl::StatusOr<std::string> json = Base64UrlDecodeUnpadded(part);
  if (!json.ok()) return Refuse(what, json.status().message());
  if (!google::protobuf::util::JsonStringToMessage(*json, out).ok()) {
    return Refuse(what, "not a JSON object");
  }
  return absl::OkStatus();
}

// Reads the optional string member `name` of the header into `out`.
absl::Status HeaderString(const Struct& header, absl::string_view name, bool required,
                          std::string* out) {
  const Value* value = FindMember(header, name);
  if (value == nullptr) {
    return required ? Refuse(absl::StrCat("header ", name), "missing") : absl::OkStatus();
  }
  if (!value->has_string_value()) {
    return Refuse(absl::StrCat("header ", name),
                  absl::StrCat("got ", JsonKindName(*value), ", want a string"));
  }
  *out = value->string_value();
  return absl::OkStatus();
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string FormatLeeway(absl::Duration leeway) {
  return absl::StrCat("leeway ", absl::ToInt64Seconds(leeway), "s");
}

// Reads the NumericDate claim `name`; *present is false when it is absent.
absl::StatusOr<absl::Time> NumericDate(const Struct& claims, absl::string_view name,
                                       bool* present) {
  const Value* value = FindMember(claims, name);
  *present = value != nullptr;
  if (value == nullptr) return absl::InfinitePast();
  if (!value->has_number_value()) {
    return Refuse(name, absl::StrCat("got ", JsonKindName(*value), ", want a number"));
  }
  const double seconds = value->number_value();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxNumericDate) {
    const std::string got = std::isfinite(seconds) && std::trunc(seconds) == seconds &&
                                    std::fabs(seconds) < 1e18
                                ? absl::StrCat(static_cast<int64_t>(seconds))
                                : absl::StrCat(seconds);
    return Refuse(name, absl::StrCat("got ", got, ", want a NumericDate in [0, ",
                                     static_cast<int64_t>(kMaxNumericDate), "]"));
  }
  return absl::UnixEpoch() + absl::Seconds(seconds);
}

std::string QuoteList(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& value : values) quoted.push_back(QuoteUntrusted(value));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

}  // namespace

absl::StatusOr<Jwt> Jwt::Parse(absl::string_view token) {
  if (token.size() > kMaxJwtBytes) {
    return Refuse("token", absl::StrCat("got ", token.size(), " bytes, want at most ",
                                        kMaxJwtBytes));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return Refuse("token", absl::StrCat("got ", parts.size(),
                                        " dot-separated parts, want 3 (JWS compact form)"));
  }
  Jwt jwt;
  Struct header;
  if (absl::Status status = DecodeObject(parts[0], "header", &header); !status.ok()) {
    return status;
  }
  if (FindMember(header, "crit") != nullptr) {
    return Refuse("header crit", "got critical extensions, want none (none are supported)");
  }
  for (auto [name, required, out] :
       {std::make_tuple("alg", true, &jwt.header_.alg),
        std::make_tuple("kid", false, &jwt.header_.kid),
        std::make_tuple("typ", false, &jwt.header_.typ)}) {
    if (absl::Status status = HeaderString(header, name, required, out); !status.ok()) {
      return status;
    }
  }
  jwt.claims_ = std::make_unique<Struct>();
  if (absl::Status status = DecodeObject(parts[1], "claims", jwt.claims_.get()); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> signature = Base64UrlDecodeUnpadded(parts[2]);
  if (!signature.ok()) return Refuse("signature", signature.status().message());
  jwt.signature_ = *std::move(signature);
  jwt.signing_input_ = std::string(token.substr(0, parts[0].size() + 1 + parts[1].size()));
  jwt.digest_ = crypto::Sha256({token});
  return jwt;
}

absl::StatusOr<JwsAlgorithm> CheckJwtAlgorithm(const Jwt& jwt,
                                               absl::Span<const JwsAlgorithm> allowed) {
  const std::string& alg = jwt.header().alg;
  if (alg == "none") return Refuse("alg", "got \"none\": unsigned tokens are never accepted");
  if (alg == "HS256" || alg == "HS384" || alg == "HS512") {
    return Refuse("alg", absl::StrCat("got \"", alg,
                                      "\": HMAC algorithms are never accepted (RFC 8725)"));
  }
  std::vector<std::string> names;
  for (JwsAlgorithm algorithm : allowed) {
    names.push_back(std::string(JwsAlgorithmName(algorithm)));
    if (alg == JwsAlgorithmName(algorithm)) return algorithm;
  }
  return Refuse("alg", absl::StrCat("got ", QuoteUntrusted(alg), ", want one of [",
                                    absl::StrJoin(names, ", "), "] for this issuer"));
}

absl::Status VerifyJwtSignature(const Jwt& jwt, JwsAlgorithm algorithm, const Jwk& key) {
  const absl::string_view name = JwsAlgorithmName(algorithm);
  if (key.algorithm() != algorithm) {
    return Refuse("alg", absl::StrCat("got ", name, ", but key ", QuoteUntrusted(key.kid()),
                                      " is a ", JwsAlgorithmName(key.algorithm()), " key"));
  }
  if (!key.alg().empty() && key.alg() != name) {
    return Refuse("alg", absl::StrCat("got ", name, ", but key ", QuoteUntrusted(key.kid()),
                                      " has alg ", QuoteUntrusted(key.alg())));
  }
  if (absl::Status status = key.Verify(jwt.signing_input(), jwt.signature()); !status.ok()) {
    return Refuse("signature", status.message());
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> CheckJwtClaims(const Jwt& jwt, const JwtClaimRules& rules,
                                          absl::Time now) {
  const Struct& claims = jwt.claims();

  const Value* iss = FindMember(claims, "iss");
  if (iss == nullptr) return Refuse("iss", "missing");
  if (!iss->has_string_value()) {
    return Refuse("iss", absl::StrCat("got ", JsonKindName(*iss), ", want a string"));
  }
  if (iss->string_value() != rules.issuer) {
    return Refuse("iss", absl::StrCat("got ", QuoteUntrusted(iss->string_value()), ", want ",
                                      QuoteUntrusted(rules.issuer)));
  }

  const Value* aud = FindMember(claims, "aud");
  if (aud == nullptr) return Refuse("aud", "missing");
  std::vector<std::string> audiences;
  if (aud->has_string_value()) {
    audiences.push_back(aud->string_value());
  } else if (aud->has_list_value()) {
    for (const Value& value : aud->list_value().values()) {
      if (!value.has_string_value()) {
        return Refuse("aud", absl::StrCat("got an array holding a ", JsonKindName(value),
                                          ", want strings"));
      }
      audiences.push_back(value.string_value());
    }
  } else {
    return Refuse("aud", absl::StrCat("got ", JsonKindName(*aud),
                                      ", want a string or an array of strings"));
  }
  bool audience_ok = false;
  for (const std::string& audience : audiences) {
    for (const std::string& want : rules.audiences) audience_ok |= audience == want;
  }
  if (!audience_ok) {
    if (audiences.size() > 4) audiences.resize(4);  // Enough to see what it was for.
    return Refuse("aud", absl::StrCat("got ", QuoteList(audiences), ", want one of ",
                                      QuoteList(rules.audiences)));
  }

  bool present = false;
  absl::StatusOr<absl::Time> exp = NumericDate(claims, "exp", &present);
  if (!exp.ok()) return exp.status();
  if (!present) return Refuse("exp", "missing");
  if (now >= *exp + rules.leeway) {
    return Refuse("exp", absl::StrCat("expired at ", FormatUtc(*exp), ", now ", FormatUtc(now),
                                      " (", FormatLeeway(rules.leeway), ")"));
  }
  absl::StatusOr<absl::Time> nbf = NumericDate(claims, "nbf", &present);
  if (!nbf.ok()) return nbf.status();
  if (present && *nbf > now + rules.leeway) {
    return Refuse("nbf", absl::StrCat("not valid before ", FormatUtc(*nbf), ", now ",
                                      FormatUtc(now), " (", FormatLeeway(rules.leeway), ")"));
  }
  absl::StatusOr<absl::Time> iat = NumericDate(claims, "iat", &present);
  if (!iat.ok()) return iat.status();
  if (present && *iat > now + rules.leeway) {
    return Refuse("iat", absl::StrCat("issued in the future at ", FormatUtc(*iat), ", now ",
                                      FormatUtc(now), " (", FormatLeeway(rules.leeway), ")"));
  }
  return *exp;
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
