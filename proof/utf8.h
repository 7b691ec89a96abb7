#ifndef VELLUM_PROOF_UTF8_H_
#define VELLUM_PROOF_UTF8_H_

// UTF-8 as RFC 3629 defines it, decoded one way for every format that requires it: signed
// notes, JSON text, audit event strings.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace vellum {

// Decodes the well-formed UTF-8 sequence that `text` starts with: returns its length (1 to 4)
// and stores its code point in `*code_point` (when not nullptr), or returns 0 when `text` is
// empty or does not start with one (a stray continuation byte, a truncated or overlong sequence,
// a surrogate, or a code point above U+10FFFF).
size_t DecodeUtf8(absl::string_view text, char32_t* code_point = nullptr);

// Whether all of `text` is well-formed UTF-8.
bool IsValidUtf8(absl::string_view text);

// Returns the longest prefix of `text` of at most `max_bytes` that ends on a character boundary,
// with every byte that is not part of a well-formed UTF-8 character replaced by '?': for putting
// text from untrusted headers or errors into a record.
std::string SanitizeUtf8(absl::string_view text, size_t max_bytes);

}  // namespace vellum

#endif  // VELLUM_PROOF_UTF8_H_
