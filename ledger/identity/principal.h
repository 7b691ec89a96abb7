#ifndef VELLUM_LEDGER_IDENTITY_PRINCIPAL_H_
#define VELLUM_LEDGER_IDENTITY_PRINCIPAL_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace vellum {
namespace ledger {
namespace identity {

// How a principal was authenticated (docs/security.md, "Principals").
inline constexpr char kByToken[] = "token";  // A static bearer token of the token file.
inline constexpr char kByOidc[] = "oidc";    // An OIDC JWT.
inline constexpr char kByMtls[] = "mtls";    // A verified client certificate.
inline constexpr char kByLocal[] = "local";  // A loopback caller of a server without auth.

// An authenticated caller.
struct Principal {
  // The name bindings use: the token file's name for it, the JWT's subject with the issuer's
  // principal prefix, or the client certificate's SPIFFE ID or CN.
  std::string name;
  std::vector<std::string> groups;
  // kByToken, kByOidc, kByMtls or kByLocal.
  std::string authenticated_by;
  // For kByOidc: the token's issuer, and the `amr` values and `acr` it shows (multi-factor
  // authentication, Binding::require_mfa).
  std::string issuer;
  std::vector<std::string> amr;
  std::string acr;
  // When the credential stops being valid (a JWT's exp); InfiniteFuture for the others.
  absl::Time expires = absl::InfiniteFuture();
};

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_PRINCIPAL_H_
