#ifndef VELLUM_PROOF_BASE64_H_
#define VELLUM_PROOF_BASE64_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {

// Decodes standard, padded base64 (RFC 4648 section 4) and rejects every other form: missing or
// extra padding, whitespace, the URL alphabet, and non-zero trailing bits. Each value has exactly
// one accepted encoding, so re-encoding the result gives back `encoded`.
absl::StatusOr<std::string> Base64DecodeStrict(absl::string_view encoded);

// Same, for the URL-safe alphabet (RFC 4648 section 5), padded or not, as query parameters use.
absl::StatusOr<std::string> Base64UrlDecodeStrict(absl::string_view encoded);

// Decodes base64url without padding, as JOSE uses it (RFC 7515 section 2, RFC 4648 section 5):
// the URL-safe alphabet only, no '=', no whitespace, zero trailing bits, so each value has
// exactly one accepted encoding.
absl::StatusOr<std::string> Base64UrlDecodeUnpadded(absl::string_view encoded);

}  // namespace vellum

#endif  // VELLUM_PROOF_BASE64_H_
