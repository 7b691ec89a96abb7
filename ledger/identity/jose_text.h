#ifndef VELLUM_LEDGER_IDENTITY_JOSE_TEXT_H_
#define VELLUM_LEDGER_IDENTITY_JOSE_TEXT_H_

// Helpers shared by the JWK, JWT and OIDC code for reading JSON values and for putting
// attacker-controlled values into one-line error messages. Private to ledger/identity.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace vellum {
namespace ledger {
namespace identity {

// Untrusted strings in messages are cut to this many bytes.
inline constexpr size_t kMaxQuotedBytes = 64;

// Returns `text` in double quotes, cut to kMaxQuotedBytes on a character boundary (then
// followed by "..."), with every byte that is not well-formed UTF-8, every control character,
// '"' and '\\' replaced by '?': safe for a one-line error message or log line.
std::string QuoteUntrusted(absl::string_view text);

// "null", "number", "string", "bool", "object", "array" (or "nothing" for an unset Value).
absl::string_view JsonKindName(const google::protobuf::Value& value);

// The member `name` of `object`, or nullptr when absent.
const google::protobuf::Value* FindMember(const google::protobuf::Struct& object,
                                          absl::string_view name);

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_JOSE_TEXT_H_
