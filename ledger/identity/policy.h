#ifndef VELLUM_LEDGER_IDENTITY_POLICY_H_
#define VELLUM_LEDGER_IDENTITY_POLICY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "ledger/identity/permissions.h"
#include "ledger/identity/principal.h"

namespace vellum {
namespace ledger {
namespace identity {

// Grants roles to a principal or to a group (exactly one of the two), optionally only for some
// models and environments, and optionally only to a caller that shows multi-factor
// authentication.
struct Binding {
  std::string principal;
  std::string group;
  std::vector<std::string> roles;
  // Globs over model names (`*` any run of characters, `?` one) and environment names; empty
  // means any.
  std::vector<std::string> models;
  std::vector<std::string> environments;
  bool require_mfa = false;
};

// What a token must show for a binding with require_mfa: any of these `amr` values, or any of
// these `acr` values.
struct MfaRule {
  std::vector<std::string> amr = {"mfa"};
  std::vector<std::string> acr;
};

struct PolicyOptions {
  // Roles by name, over (and replacing, name for name) DefaultRoles().
  std::map<std::string, std::vector<std::string>> roles;
  std::vector<Binding> bindings;
  // Permissions everyone holds, authenticated or not (MayBeAnonymous only).
  std::vector<std::string> anonymous;
  // Unset: DefaultSeparationOfDuties().
  absl::optional<std::vector<Exclusion>> separation_of_duties;
  MfaRule mfa;
  // No auth section: a caller authenticated kByLocal holds every permission except the
  // governing ones (IsGoverning).
  bool local = false;
  // Principals whose groups are known in advance (the token file's), so that separation of
  // duties is checked for them through their groups as well.
  std::vector<Principal> known_principals;
};

// What a request acts on, for bindings limited to models and environments. Empty fields: the
// request names no model or environment, which only unlimited grants cover.
struct Scope {
  std::string model;
  std::string environment;
  // For the check in front of a handler that learns the scope only from the body (a posted
  // event): grants limited to models or environments count too, and the handler decides again
  // with the real scope.
  bool any = false;
};

// One role a caller holds, as whoami shows it.
struct Grant {
  std::string role;
  std::vector<std::string> permissions;
  std::vector<std::string> models;
  std::vector<std::string> environments;
  bool require_mfa = false;
  // Whether the caller's credential satisfies require_mfa (true when not required).
  bool mfa_shown = true;
};

// Roles, bindings and separation of duties, and the one decision function every endpoint goes
// through (docs/security.md, "Authorization"). Immutable, so thread-safe; a new configuration
// makes a new Policy.
class Policy {
 public:
  // Fails with InvalidArgument naming the role, binding or rule: an unknown permission or role,
  // a binding with both or neither of principal and group, an anonymous permission other than
  // log.read, entries.read and metrics.read, and a principal or group bound (directly, or for
  // known_principals through their groups) to permissions of two sets of one exclusion.
  static absl::StatusOr<std::unique_ptr<Policy>> Create(PolicyOptions options);

  // OK if `caller` (nullptr: anonymous) holds `permission` for `scope`. Otherwise
  // Unauthenticated (anonymous, and the permission is not anonymous) or PermissionDenied, with
  // a one-line reason naming the permission and, where that is why, the missing multi-factor
  // authentication, the scope the grant is limited to, or the separation of duties it breaks.
  absl::Status Decide(const Principal* caller, absl::string_view permission,
                      const Scope& scope = {}) const;

  // The roles that apply to `caller`, and the permissions it holds for requests that name no
  // model or environment (the anonymous ones included), sorted.
  std::vector<Grant> GrantsOf(const Principal& caller) const;
  std::vector<std::string> PermissionsOf(const Principal* caller) const;

  bool local() const { return options_.local; }

 private:
  explicit Policy(PolicyOptions options) : options_(std::move(options)) {}

  bool Applies(const Binding& binding, const Principal& caller) const;
  bool ShowsMfa(const Principal& caller) const;
  const std::vector<std::string>& RolePermissions(const std::string& role) const;
  // The separation-of-duties rule that `permissions` break, if any.
  absl::optional<std::string> Violation(const std::vector<std::string>& permissions,
                                        absl::string_view permission) const;

  PolicyOptions options_;  // roles merged over the defaults; separation_of_duties set.
};

// Whether `name` matches `glob` (`*` any run of characters, `?` one character).
bool GlobMatch(absl::string_view glob, absl::string_view name);

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_POLICY_H_
