#ifndef VELLUM_API_SERVER_ACCESS_RULES_H_
#define VELLUM_API_SERVER_ACCESS_RULES_H_

#include <memory>

#include "absl/status/statusor.h"
#include "api/authorizer.h"
#include "api/config/config.pb.h"
#include "ledger/identity/policy.h"
#include "ledger/identity/quota.h"

namespace vellum {
namespace api {

// The identity part of a configuration as the ledger's types: roles, bindings, anonymous
// permissions, separation of duties and the MFA rule. Fails with InvalidArgument naming the key
// (a role value or an exclusion set that is not a list of strings).
absl::StatusOr<ledger::identity::PolicyOptions> PolicyOptionsOf(const config::Config& config);

// The AccessRules of `config` (docs/security.md): reads its token file and its OIDC issuers'
// keys (a JWKS file, or the issuer's jwks_uri over HTTPS), and checks the policy, separation of
// duties included. Without an auth section the rules are local mode's. Fails with the first
// error, naming the key or file; nothing takes effect unless all of it is good.
absl::StatusOr<std::shared_ptr<const AccessRules>> BuildAccessRules(const config::Config& config);

// The quotas of `config` (docs/security.md, "Quotas"), or nullptr when it sets none.
absl::StatusOr<std::shared_ptr<ledger::identity::Quotas>> QuotasOf(const config::Config& config);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SERVER_ACCESS_RULES_H_
