#ifndef VELLUM_LEDGER_IDENTITY_TOKEN_FILE_H_
#define VELLUM_LEDGER_IDENTITY_TOKEN_FILE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "ledger/identity/principal.h"

namespace vellum {
namespace ledger {
namespace identity {

// The static bearer tokens of a token file (docs/security.md, "Static tokens"), by the SHA-256
// of each token: the tokens themselves are never stored. Immutable, so thread-safe.
//
// One line per token: `<sha256-hex> <principal> [group,group...]`; blank lines and lines
// starting with '#' are ignored. A line with the hash alone (the older form) names its principal
// "token-" followed by the hash's first 12 hex digits. Principal and group names are 1 to 256
// bytes of letters, digits and `.-_:@/#+=`; a principal may have several tokens (while one is
// rotated), a hash may appear once.
class TokenSet {
 public:
  static constexpr size_t kMaxFileBytes = 1 << 20;

  // Fails with InvalidArgument naming the bad line number (never its contents), and if the file
  // has no token at all.
  static absl::StatusOr<std::unique_ptr<TokenSet>> Parse(absl::string_view contents);

  // The principal of `token`, if it is one of the file's.
  absl::optional<Principal> Find(absl::string_view token) const;

  size_t size() const { return principals_.size(); }
  // Every token's principal, in no particular order (a principal with two tokens appears twice).
  std::vector<Principal> Principals() const;

  // The line to put in a token file for `token` (with no principal: the older form).
  static std::string Line(absl::string_view token, absl::string_view principal = "",
                          absl::string_view groups = "");

 private:
  explicit TokenSet(absl::flat_hash_map<std::string, Principal> principals)
      : principals_(std::move(principals)) {}
  absl::flat_hash_map<std::string, Principal> principals_;  // By raw 32-byte digest.
};

// Whether `name` may be a principal's or group's name in the token file and the configuration.
bool IsValidName(absl::string_view name);

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_TOKEN_FILE_H_
