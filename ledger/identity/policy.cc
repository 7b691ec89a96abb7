#include "ledger/identity/policy.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/identity/token_file.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

bool Contains(const std::vector<std::string>& list, absl::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool MatchesAny(const std::vector<std::string>& globs, absl::string_view name) {
  if (globs.empty()) return true;
  if (name.empty()) return false;
  for (const std::string& glob : globs) {
    if (GlobMatch(glob, name)) return true;
  }
  return false;
}

std::string Who(const Binding& binding) {
  return binding.principal.empty() ? absl::StrCat("group ", binding.group)
                                   : absl::StrCat("principal ", binding.principal);
}

}  // namespace

bool GlobMatch(absl::string_view glob, absl::string_view name) {
  // Iterative matching with one backtrack point: the last `*` seen.
  size_t g = 0, n = 0, star = absl::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g;
      ++n;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = n;
    } else if (star != absl::string_view::npos) {
      g = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

absl::StatusOr<std::unique_ptr<Policy>> Policy::Create(PolicyOptions options) {
  std::map<std::string, std::vector<std::string>> roles = DefaultRoles();
  for (auto& [name, permissions] : options.roles) {
    if (!IsValidName(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("roles: the name \"", name.substr(0, 64),
                       "\" must be 1 to 256 letters, digits or .-_:@/#+="));
    }
    for (const std::string& permission : permissions) {
      if (!IsPermission(permission)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "roles.", name, ": unknown permission \"", permission.substr(0, 64),
            "\"; want one of ", absl::StrJoin(AllPermissions(), ", ")));
      }
    }
    roles[name] = std::move(permissions);
  }
  options.roles = std::move(roles);
  for (const std::string& permission : options.anonymous) {
    if (!MayBeAnonymous(permission)) {
      return absl::InvalidArgumentError(
          absl::StrCat("anonymous: got \"", permission.substr(0, 64),
                       "\", want only log.read, entries.read and metrics.read"));
    }
  }
  for (size_t i = 0; i < options.bindings.size(); ++i) {
    const Binding& binding = options.bindings[i];
    const std::string where = absl::StrCat("bindings[", i, "]");
    if (binding.principal.empty() == binding.group.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": want exactly one of principal and group"));
    }
    if (!IsValidName(binding.principal.empty() ? binding.group : binding.principal)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": the principal's or group's name must be 1 to 256 letters, digits or "
                 ".-_:@/#+="));
    }
    if (binding.roles.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": want at least one role"));
    }
    for (const std::string& role : binding.roles) {
      if (options.roles.count(role) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": unknown role \"", role.substr(0, 64), "\""));
      }
    }
  }
  if (!options.separation_of_duties.has_value()) {
    options.separation_of_duties = DefaultSeparationOfDuties();
  }
  for (const Exclusion& rule : *options.separation_of_duties) {
    if (rule.sets.size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat("separation_of_duties ", rule.name,
                                                     ": got ", rule.sets.size(),
                                                     " sets, want at least 2"));
    }
    for (const auto& set : rule.sets) {
      for (const std::string& permission : set) {
        if (!IsPermission(permission)) {
          return absl::InvalidArgumentError(
              absl::StrCat("separation_of_duties ", rule.name, ": unknown permission \"",
                           permission.substr(0, 64), "\""));
        }
      }
    }
  }
  std::unique_ptr<Policy> policy(new Policy(std::move(options)));

  // Separation of duties, for every principal and group named in a binding, and for the
  // principals whose groups are known.
  std::vector<std::pair<std::string, Principal>> subjects;
  for (const Binding& binding : policy->options_.bindings) {
    Principal subject;
    if (binding.principal.empty()) {
      subject.groups = {binding.group};
    } else {
      subject.name = binding.principal;
    }
    subjects.emplace_back(Who(binding), std::move(subject));
  }
  for (const Principal& known : policy->options_.known_principals) {
    subjects.emplace_back(absl::StrCat("principal ", known.name), known);
  }
  for (const auto& [who, subject] : subjects) {
    std::vector<std::string> held;
    for (const Binding& binding : policy->options_.bindings) {
      if (!policy->Applies(binding, subject)) continue;
      for (const std::string& role : binding.roles) {
        for (const std::string& p : policy->RolePermissions(role)) held.push_back(p);
      }
    }
    for (const std::string& permission : held) {
      if (auto rule = policy->Violation(held, permission); rule.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "separation of duties: ", who, " is bound to permissions of two exclusive sets of ",
            *rule));
      }
    }
  }
  return policy;
}

bool Policy::Applies(const Binding& binding, const Principal& caller) const {
  if (!binding.principal.empty()) return !caller.name.empty() && binding.principal == caller.name;
  return Contains(caller.groups, binding.group);
}

bool Policy::ShowsMfa(const Principal& caller) const {
  for (const std::string& amr : caller.amr) {
    if (Contains(options_.mfa.amr, amr)) return true;
  }
  return !caller.acr.empty() && Contains(options_.mfa.acr, caller.acr);
}

const std::vector<std::string>& Policy::RolePermissions(const std::string& role) const {
  return options_.roles.at(role);  // Create() checked every bound role exists.
}

absl::optional<std::string> Policy::Violation(const std::vector<std::string>& permissions,
                                              absl::string_view permission) const {
  for (const Exclusion& rule : *options_.separation_of_duties) {
    int sets_held = 0;
    bool in_rule = false;
    for (const auto& set : rule.sets) {
      bool held = false;
      for (const std::string& p : set) held = held || Contains(permissions, p);
      sets_held += held ? 1 : 0;
      in_rule = in_rule || Contains(set, permission);
    }
    if (sets_held >= 2 && in_rule) {
      return absl::StrCat("\"", rule.name, "\"");
    }
  }
  return absl::nullopt;
}

absl::Status Policy::Decide(const Principal* caller, absl::string_view permission,
                            const Scope& scope) const {
  if (Contains(options_.anonymous, permission)) return absl::OkStatus();
  if (caller == nullptr) {
    return absl::UnauthenticatedError(
        absl::StrCat("permission ", permission, " needs an authenticated caller"));
  }
  if (options_.local && caller->authenticated_by == kByLocal) {
    if (IsGoverning(permission)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "permission ", permission,
          " needs a configured principal: this server has no auth section"));
    }
    return absl::OkStatus();
  }
  bool mfa_missing = false;
  bool scope_missing = false;
  bool granted = false;
  std::vector<std::string> held;
  for (const Binding& binding : options_.bindings) {
    if (!Applies(binding, *caller)) continue;
    for (const std::string& role : binding.roles) {
      const std::vector<std::string>& permissions = RolePermissions(role);
      held.insert(held.end(), permissions.begin(), permissions.end());
      if (!Contains(permissions, permission)) continue;
      if (!scope.any && (!MatchesAny(binding.models, scope.model) ||
                         !MatchesAny(binding.environments, scope.environment))) {
        scope_missing = true;
      } else if (binding.require_mfa && !ShowsMfa(*caller)) {
        mfa_missing = true;
      } else {
        granted = true;
      }
    }
  }
  if (granted) {
    // Group memberships come with each token, so a configuration cannot rule out every
    // conflict in advance: a caller whose groups together break separation of duties holds
    // neither side.
    if (auto rule = Violation(held, permission); rule.has_value()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "permission ", permission, " refused to ", caller->name,
          ": its groups together break the separation of duties ", *rule));
    }
    return absl::OkStatus();
  }
  if (mfa_missing) {
    std::vector<std::string> shows;
    if (!options_.mfa.amr.empty()) {
      shows.push_back(absl::StrCat("amr including ", absl::StrJoin(options_.mfa.amr, " or ")));
    }
    if (!options_.mfa.acr.empty()) {
      shows.push_back(absl::StrCat("acr ", absl::StrJoin(options_.mfa.acr, " or ")));
    }
    return absl::PermissionDeniedError(absl::StrCat(
        "permission ", permission, " needs multi-factor authentication: a token with ",
        absl::StrJoin(shows, ", or ")));
  }
  if (scope_missing) {
    return absl::PermissionDeniedError(absl::StrCat(
        caller->name, " holds permission ", permission, " only for other models or environments"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat(caller->name.empty() ? "the caller" : caller->name, " lacks permission ",
                   permission));
}

std::vector<Grant> Policy::GrantsOf(const Principal& caller) const {
  std::vector<Grant> grants;
  for (const Binding& binding : options_.bindings) {
    if (!Applies(binding, caller)) continue;
    for (const std::string& role : binding.roles) {
      Grant grant;
      grant.role = role;
      grant.permissions = RolePermissions(role);
      grant.models = binding.models;
      grant.environments = binding.environments;
      grant.require_mfa = binding.require_mfa;
      grant.mfa_shown = !binding.require_mfa || ShowsMfa(caller);
      grants.push_back(std::move(grant));
    }
  }
  return grants;
}

std::vector<std::string> Policy::PermissionsOf(const Principal* caller) const {
  std::set<std::string> held;
  for (const std::string& permission : AllPermissions()) {
    if (Decide(caller, permission).ok()) held.insert(permission);
  }
  return std::vector<std::string>(held.begin(), held.end());
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
