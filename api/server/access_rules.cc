#include "api/server/access_rules.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/client/jwks_source.h"
#include "ledger/file_io.h"
#include "ledger/identity/oidc.h"
#include "ledger/identity/token_file.h"

namespace vellum {
namespace api {
namespace {

namespace identity = ledger::identity;

absl::StatusOr<std::vector<std::string>> Strings(const google::protobuf::ListValue& list,
                                                 absl::string_view key) {
  std::vector<std::string> out;
  for (int i = 0; i < list.values_size(); ++i) {
    const google::protobuf::Value& value = list.values(i);
    if (value.kind_case() != google::protobuf::Value::kStringValue ||
        value.string_value().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, "[", i, "]: want a non-empty string"));
    }
    out.push_back(value.string_value());
  }
  return out;
}

std::vector<std::string> Repeated(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return std::vector<std::string>(field.begin(), field.end());
}

}  // namespace

absl::StatusOr<identity::PolicyOptions> PolicyOptionsOf(const config::Config& config) {
  identity::PolicyOptions options;
  for (const auto& [name, list] : config.roles()) {
    absl::StatusOr<std::vector<std::string>> permissions =
        Strings(list, absl::StrCat("roles.", name));
    if (!permissions.ok()) return permissions.status();
    options.roles[name] = *std::move(permissions);
  }
  for (const config::Binding& in : config.bindings()) {
    identity::Binding binding;
    binding.principal = in.principal();
    binding.group = in.group();
    binding.roles = Repeated(in.roles());
    binding.models = Repeated(in.models());
    binding.environments = Repeated(in.environments());
    binding.require_mfa = in.require_mfa();
    options.bindings.push_back(std::move(binding));
  }
  options.anonymous = Repeated(config.anonymous());
  if (config.separation_of_duties_size() > 0) {
    std::vector<identity::Exclusion> rules;
    for (int i = 0; i < config.separation_of_duties_size(); ++i) {
      const config::Exclusion& in = config.separation_of_duties(i);
      identity::Exclusion rule;
      rule.name = in.name().empty() ? absl::StrCat("separation_of_duties[", i, "]") : in.name();
      for (int j = 0; j < in.sets_size(); ++j) {
        absl::StatusOr<std::vector<std::string>> set =
            Strings(in.sets(j), absl::StrCat("separation_of_duties[", i, "].sets[", j, "]"));
        if (!set.ok()) return set.status();
        rule.sets.push_back(*std::move(set));
      }
      rules.push_back(std::move(rule));
    }
    options.separation_of_duties = std::move(rules);
  }
  if (config.auth().has_mfa()) {
    options.mfa.amr = Repeated(config.auth().mfa().amr());
    options.mfa.acr = Repeated(config.auth().mfa().acr());
  }
  options.local = !config.has_auth();
  return options;
}

namespace {

absl::StatusOr<std::unique_ptr<identity::OidcVerifier>> VerifierOf(
    const config::OidcIssuer& issuer, absl::string_view key) {
  identity::OidcIssuerOptions options;
  options.issuer = issuer.issuer();
  options.audiences = Repeated(issuer.audiences());
  options.algorithms = Repeated(issuer.algorithms());
  options.subject_claim = issuer.subject_claim();
  options.groups_claim = issuer.groups_claim();
  if (issuer.has_principal_prefix()) options.principal_prefix = issuer.principal_prefix();
  options.groups_prefix = issuer.groups_prefix();
  if (issuer.has_leeway_seconds()) options.leeway = absl::Seconds(issuer.leeway_seconds());
  options.kubernetes = issuer.kubernetes();
  std::unique_ptr<identity::JwksSource> source;
  if (!issuer.jwks_file().empty()) {
    source = std::make_unique<FileJwksSource>(issuer.jwks_file());
  } else {
    std::string token;
    if (!issuer.jwks_token_file().empty()) {
      absl::StatusOr<std::string> text = ledger::ReadInput(issuer.jwks_token_file(), 64 * 1024);
      if (!text.ok()) {
        return absl::Status(text.status().code(), absl::StrCat(key, ".jwks_token_file: ",
                                                               text.status().message()));
      }
      token = std::string(absl::StripAsciiWhitespace(*text));
    }
    absl::StatusOr<std::unique_ptr<HttpsJwksSource>> https =
        HttpsJwksSource::Create(issuer.jwks_uri(), issuer.jwks_ca_file(), std::move(token));
    if (!https.ok()) {
      return absl::Status(https.status().code(),
                          absl::StrCat(key, ": ", https.status().message()));
    }
    source = *std::move(https);
  }
  absl::StatusOr<std::unique_ptr<identity::OidcVerifier>> verifier =
      identity::OidcVerifier::Create(std::move(options), std::move(source));
  if (!verifier.ok()) {
    return absl::Status(verifier.status().code(),
                        absl::StrCat(key, ": ", verifier.status().message()));
  }
  return verifier;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const AccessRules>> BuildAccessRules(const config::Config& config) {
  absl::StatusOr<identity::PolicyOptions> options = PolicyOptionsOf(config);
  if (!options.ok()) return options.status();
  auto rules = std::make_shared<AccessRules>();
  rules->local = options->local;
  rules->mtls = !config.tls().client_ca_file().empty();
  std::vector<std::unique_ptr<identity::OidcVerifier>> verifiers;
  for (int i = 0; i < config.auth().oidc_size(); ++i) {
    absl::StatusOr<std::unique_ptr<identity::OidcVerifier>> verifier =
        VerifierOf(config.auth().oidc(i), absl::StrCat("auth.oidc[", i, "]"));
    if (!verifier.ok()) return verifier.status();
    verifiers.push_back(*std::move(verifier));
  }
  if (!verifiers.empty()) {
    absl::StatusOr<std::unique_ptr<identity::OidcAuthenticator>> oidc =
        identity::OidcAuthenticator::Create(std::move(verifiers));
    if (!oidc.ok()) return oidc.status();
    rules->oidc = *std::move(oidc);
  }
  if (!config.auth().token_file().empty()) {
    absl::StatusOr<std::string> contents =
        ledger::ReadInput(config.auth().token_file(), identity::TokenSet::kMaxFileBytes);
    if (!contents.ok()) return contents.status();
    absl::StatusOr<std::unique_ptr<identity::TokenSet>> tokens =
        identity::TokenSet::Parse(*contents);
    if (!tokens.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("auth.token_file ",
                                                     config.auth().token_file(), ": ",
                                                     tokens.status().message()));
    }
    for (const identity::Principal& p : (*tokens)->Principals()) {
      options->known_principals.push_back(p);
    }
    rules->tokens = *std::move(tokens);
    if (config.roles().empty() && config.bindings().empty() && config.anonymous().empty() &&
        rules->oidc == nullptr && !rules->mtls) {
      // A token file alone: vellumd's rules from before roles (TokenFileRules).
      absl::StatusOr<std::shared_ptr<const AccessRules>> compatible =
          TokenFileRules(std::move(rules->tokens));
      return compatible;
    }
  }
  absl::StatusOr<std::unique_ptr<identity::Policy>> policy =
      identity::Policy::Create(*std::move(options));
  if (!policy.ok()) return policy.status();
  rules->policy = *std::move(policy);
  return std::shared_ptr<const AccessRules>(std::move(rules));
}

absl::StatusOr<std::shared_ptr<ledger::identity::Quotas>> QuotasOf(const config::Config& config) {
  if (config.quotas().empty()) return std::shared_ptr<ledger::identity::Quotas>();
  std::vector<ledger::identity::QuotaRule> rules;
  for (const config::Quota& quota : config.quotas()) {
    ledger::identity::QuotaRule rule;
    rule.principal = quota.principal();
    rule.group = quota.group();
    rule.entries_per_second = quota.entries_per_second();
    rule.entry_burst = quota.entry_burst();
    rule.bytes_per_day = quota.bytes_per_day();
    rules.push_back(std::move(rule));
  }
  absl::StatusOr<std::unique_ptr<ledger::identity::Quotas>> quotas =
      ledger::identity::Quotas::Create(std::move(rules));
  if (!quotas.ok()) return quotas.status();
  return std::shared_ptr<ledger::identity::Quotas>(*std::move(quotas));
}

}  // namespace api
}  // namespace vellum
