#include "api/auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "proof/crypto.h"

namespace vellum {
namespace api {
namespace {

std::string Digest(absl::string_view token) {
  crypto::Sha256Digest digest = crypto::Sha256({token});
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenAuthenticator>> TokenAuthenticator::FromFileContents(
    absl::string_view contents) {
  absl::flat_hash_set<std::string> hashes;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    bool hex = line.size() == 64;
    for (char c : line) hex = hex && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'));
    if (!hex) {
      return absl::InvalidArgumentError(absl::StrCat(
          "token file line ", line_number, ": want 64 lowercase hex digits (a token's SHA-256)"));
    }
    hashes.insert(absl::HexStringToBytes(line));
  }
  if (hashes.empty()) return absl::InvalidArgumentError("token file holds no token hash");
  return std::unique_ptr<TokenAuthenticator>(new TokenAuthenticator(std::move(hashes)));
}

absl::Status TokenAuthenticator::Check(const HttpRequest& request) const {
  std::string header = request.Header("authorization");
  absl::string_view token = header;
  // The scheme is case-insensitive (RFC 9110, section 11.1); the token is not.
  constexpr absl::string_view kScheme = "bearer ";
  if (token.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(token.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError("missing bearer token (Authorization: Bearer <token>)");
  }
  token.remove_prefix(kScheme.size());
  if (token.empty()) {
    return absl::UnauthenticatedError("missing bearer token (Authorization: Bearer <token>)");
  }
  if (!hashes_.contains(Digest(token))) {
    return absl::UnauthenticatedError("unknown bearer token");
  }
  return absl::OkStatus();
}

std::string TokenAuthenticator::TokenFileLine(absl::string_view token) {
  return absl::BytesToHexString(Digest(token));
}

}  // namespace api
}  // namespace vellum
