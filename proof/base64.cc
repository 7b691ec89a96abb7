#include "proof/base64.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace vellum {

absl::StatusOr<std::string> Base64DecodeStrict(absl::string_view encoded) {
  std::string decoded;
  if (encoded.size() % 4 != 0 || !absl::Base64Unescape(encoded, &decoded) ||
      absl::Base64Escape(decoded) != encoded) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid base64 (", encoded.size(), " characters)"));
  }
  return decoded;
}

absl::StatusOr<std::string> Base64UrlDecodeStrict(absl::string_view encoded) {
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(encoded, &decoded)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid base64url (", encoded.size(), " characters)"));
  }
  std::string canonical = absl::WebSafeBase64Escape(decoded);  // Unpadded.
  absl::string_view unpadded = encoded;
  if (encoded.size() % 4 == 0) {
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.remove_suffix(1);
  }
  if (canonical != unpadded) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid base64url (", encoded.size(), " characters)"));
  }
  return decoded;
}

absl::StatusOr<std::string> Base64UrlDecodeUnpadded(absl::string_view encoded) {
  if (encoded.find('=') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid base64url (", encoded.size(), " characters): got padding, want none"));
  }
  return Base64UrlDecodeStrict(encoded);
}

}  // namespace vellum
