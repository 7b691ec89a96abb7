#ifndef VELLUM_API_AUTH_H_
#define VELLUM_API_AUTH_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/http.h"

namespace vellum {
namespace api {

// Checks bearer tokens against a set of SHA-256 token hashes; the tokens themselves are never
// stored. Immutable, so thread-safe.
class TokenAuthenticator {
 public:
  // Parses a token file: one lowercase hex SHA-256 of a token per line; blank lines and lines
  // starting with '#' are ignored. Fails with InvalidArgument naming the bad line number (never
  // its contents), and if the file has no token at all.
  static absl::StatusOr<std::unique_ptr<TokenAuthenticator>> FromFileContents(
      absl::string_view contents);

  // OK if the request carries `Authorization: Bearer <token>` with a known token; otherwise
  // Unauthenticated, with a message that does not repeat the token.
  absl::Status Check(const HttpRequest& request) const;

  // The line to put in a token file for `token`.
  static std::string TokenFileLine(absl::string_view token);

 private:
  explicit TokenAuthenticator(absl::flat_hash_set<std::string> hashes)
      : hashes_(std::move(hashes)) {}
  absl::flat_hash_set<std::string> hashes_;  // Raw 32-byte digests.
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_AUTH_H_
