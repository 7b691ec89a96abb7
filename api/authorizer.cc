#include "api/authorizer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "api/log.pb.h"
#include "api/message_codec.h"
#include "ledger/identity/permissions.h"

namespace vellum {
namespace api {
namespace {

namespace identity = ledger::identity;

constexpr absl::string_view kIngestPath = "/v1/ingest/";

bool IsLoopbackAddress(absl::string_view address) {
  return absl::StartsWith(address, "127.") || address == "::1" ||
         absl::StartsWith(address, "::ffff:127.");
}

// The bearer credential of `request`: nullopt without an Authorization header, or the error for
// one that is not `Bearer <credential>`.
absl::StatusOr<absl::optional<absl::string_view>> BearerCredential(const HttpRequest& request) {
  auto it = request.headers.find("authorization");
  if (it == request.headers.end()) return absl::nullopt;
  absl::string_view value = it->second;
  // The scheme is case-insensitive (RFC 9110, section 11.1); the credential is not.
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError("missing bearer token (Authorization: Bearer <token>)");
  }
  return absl::optional<absl::string_view>(value.substr(kScheme.size()));
}

bool LooksLikeJwt(absl::string_view credential) {
  return std::count(credential.begin(), credential.end(), '.') == 2;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const AccessRules>> TokenFileRules(
    std::shared_ptr<const identity::TokenSet> tokens) {
  identity::PolicyOptions options;
  for (const identity::Principal& p : tokens->Principals()) {
    identity::Binding binding;
    binding.principal = p.name;
    binding.roles = {"appender", "auditor"};
    options.bindings.push_back(std::move(binding));
  }
  options.anonymous = {identity::kLogRead, identity::kEntriesRead, identity::kMetricsRead};
  absl::StatusOr<std::unique_ptr<identity::Policy>> policy =
      identity::Policy::Create(std::move(options));
  if (!policy.ok()) return policy.status();
  auto rules = std::make_shared<AccessRules>();
  rules->policy = *std::move(policy);
  rules->tokens = std::move(tokens);
  return std::shared_ptr<const AccessRules>(std::move(rules));
}

std::string RequiredPermission(absl::string_view method, absl::string_view path,
                               const std::vector<std::string>& signature_adapters) {
  if (path == "/healthz" || path == "/v1/whoami") return "";
  if (path == "/checkpoint" || path == "/v1/log" || path == "/v1/proof/inclusion" ||
      path == "/v1/proof/consistency") {
    return identity::kLogRead;
  }
  if (absl::StartsWith(path, "/tile/entries/")) return identity::kEntriesRead;
  if (absl::StartsWith(path, "/tile/")) return identity::kLogRead;
  if (path == "/v1/entries" || path == "/v1/entries:batch") return identity::kEntriesAppend;
  if (absl::StartsWith(path, "/v1/entries/")) return identity::kEntriesRead;
  if (path == "/v1/events") return method == "POST" ? identity::kEventsWrite : identity::kEventsRead;
  if (path == "/v1/events:batch") return identity::kEventsWrite;
  if (absl::StartsWith(path, "/v1/events/")) return identity::kEventsRead;
  if (path == "/v1/erasure") return identity::kErasure;
  if (path == "/v1/retention" || path == "/v1/prune") return identity::kRetentionAdmin;
  if (path == "/v1/holds" || absl::StartsWith(path, "/v1/holds/")) return identity::kHoldsAdmin;
  if (path == "/metrics") return identity::kMetricsRead;
  if (path == "/v1/policy") return method == "PUT" ? identity::kPolicyAdmin : identity::kGateCheck;
  if (path == "/v1/approvals") {
    return method == "POST" ? identity::kApprovalsRequest : identity::kApprovalsDecide;
  }
  if (absl::StartsWith(path, "/v1/approvals/")) return identity::kApprovalsDecide;
  if (path == "/v1/gate/check" || path == "/v1/admission") return identity::kGateCheck;
  if (absl::StartsWith(path, kIngestPath)) {
    const absl::string_view adapter = path.substr(kIngestPath.size());
    if (std::find(signature_adapters.begin(), signature_adapters.end(), adapter) !=
        signature_adapters.end()) {
      return "";
    }
    return absl::StrCat(identity::kIngestPrefix, adapter);
  }
  // No endpoint of ours: only an administrator learns that it is not found.
  return identity::kAdmin;
}

size_t BodyLimitFor(const BodyLimits& limits, absl::string_view method, absl::string_view path,
                    const std::vector<std::string>& signature_adapters) {
  if (method == "PUT" && path == "/v1/policy") return limits.policy;
  if (method != "POST") return limits.other;
  if (path == "/v1/admission") return limits.admission;
  if (path == "/v1/gate/check" || path == "/v1/approvals" ||
      absl::StartsWith(path, "/v1/approvals/")) {
    return limits.gate;
  }
  if (path == "/v1/entries") return limits.entry;
  if (path == "/v1/entries:batch") return limits.batch;
  if (path == "/v1/events") return limits.event;
  if (path == "/v1/events:batch") return limits.event_batch;
  if (path == "/v1/holds" || path == "/v1/erasure" || path == "/v1/retention") {
    return limits.privacy;
  }
  absl::string_view adapter = path;
  if (absl::ConsumePrefix(&adapter, kIngestPath)) {
    for (const std::string& name : signature_adapters) {
      if (adapter == name) return limits.signed_ingest;
    }
    return limits.ingest;
  }
  return limits.other;
}

Authorizer::Authorizer(std::shared_ptr<const AccessRules> rules, Options options)
    : options_(std::move(options)), rules_(std::move(rules)) {}

void Authorizer::Replace(std::shared_ptr<const AccessRules> rules) {
  absl::MutexLock lock(&mu_);
  rules_ = std::move(rules);
}

std::shared_ptr<const AccessRules> Authorizer::rules() const {
  absl::MutexLock lock(&mu_);
  return rules_;
}

absl::StatusOr<std::shared_ptr<const identity::Principal>> Authorizer::Authenticate(
    const AccessRules& rules, const HttpRequest& request) const {
  absl::StatusOr<absl::optional<absl::string_view>> bearer = BearerCredential(request);
  if (!bearer.ok()) return bearer.status();
  if (bearer->has_value()) {
    const absl::string_view credential = **bearer;
    if (credential.empty()) {
      return absl::UnauthenticatedError("missing bearer token (Authorization: Bearer <token>)");
    }
    if (rules.tokens != nullptr) {
      if (absl::optional<identity::Principal> p = rules.tokens->Find(credential); p.has_value()) {
        return std::make_shared<const identity::Principal>(*std::move(p));
      }
    }
    if (rules.oidc != nullptr && LooksLikeJwt(credential)) {
      absl::StatusOr<identity::Principal> p = rules.oidc->Authenticate(credential);
      if (!p.ok()) return p.status();
      return std::make_shared<const identity::Principal>(*std::move(p));
    }
    return absl::UnauthenticatedError("unknown bearer token");
  }
  if (rules.mtls && !request.tls_peer.empty()) {
    identity::Principal p;
    p.name = request.tls_peer;
    p.authenticated_by = identity::kByMtls;
    return std::make_shared<const identity::Principal>(std::move(p));
  }
  if (rules.local && IsLoopbackAddress(request.remote_address)) {
    identity::Principal p;
    p.name = "local";
    p.authenticated_by = identity::kByLocal;
    return std::make_shared<const identity::Principal>(std::move(p));
  }
  return std::shared_ptr<const identity::Principal>();
}

absl::Status Authorizer::CheckOrigin(const HttpRequest& request) const {
  const std::string port = absl::StrCat(options_.port ? options_.port() : 0);
  // The loopback names, with this server's port or none (clients may leave a port out).
  auto own = [&](absl::string_view host) {
    for (absl::string_view name : {"localhost", "127.0.0.1", "[::1]"}) {
      if (absl::EqualsIgnoreCase(host, name) ||
          absl::EqualsIgnoreCase(host, absl::StrCat(name, ":", port))) {
        return true;
      }
    }
    return false;
  };
  const std::string host = request.Header("host");
  if (!own(host)) {
    return absl::PermissionDeniedError(
        "Host is not this server's loopback address: a server without an auth section answers "
        "only requests addressed to localhost, 127.0.0.1 or [::1] (with its port, if any)");
  }
  const std::string origin = request.Header("origin");
  if (!origin.empty()) {
    absl::string_view rest = origin;
    if (!absl::ConsumePrefix(&rest, "http://") && !absl::ConsumePrefix(&rest, "https://")) {
      rest = "";
    }
    if (!own(rest)) {
      return absl::PermissionDeniedError(
          "Origin is not this server: a server without an auth section refuses cross-site "
          "requests");
    }
  }
  return absl::OkStatus();
}

void Authorizer::Deny(const HttpRequest& request, const identity::Principal* caller,
                      absl::string_view permission, const absl::Status& status,
                      HttpServer::Respond respond) const {
  const bool unauthenticated = status.code() == absl::StatusCode::kUnauthenticated;
  HttpResponse response =
      unauthenticated ? UnauthorizedResponse(status) : ErrorResponse(403, status.message());
  if (options_.denials == nullptr) return respond(std::move(response));
  identity::Denial denial;
  if (caller != nullptr) {
    denial.principal = caller->name;
    denial.authenticated_by = caller->authenticated_by;
  }
  denial.permission = std::string(permission);
  denial.method = request.method;
  denial.path = std::string(SplitTarget(request.target).first);
  denial.source_address = request.remote_address;
  denial.reason = std::string(status.message());
  denial.http_status = response.status;
  options_.denials->Record(denial, [respond = std::move(respond),
                                    response = std::move(response)]() mutable {
    respond(std::move(response));
  });
}

void Authorizer::Admit(const HttpRequest& head, HttpServer::Admitted done) const {
  const std::shared_ptr<const AccessRules> rules = this->rules();
  const absl::string_view path = SplitTarget(head.target).first;
  // Deny() answers once the denial is durable, perhaps on another thread: `refuse` holds its
  // own copy of `done`.
  HttpServer::Respond refuse = [done](HttpResponse response) {
    HttpServer::Admission admission;
    admission.answer = std::move(response);
    done(std::move(admission));
  };
  if (rules->local) {
    if (absl::Status s = CheckOrigin(head); !s.ok()) return Deny(head, nullptr, "", s, refuse);
  }
  absl::StatusOr<std::shared_ptr<const identity::Principal>> caller = Authenticate(*rules, head);
  const std::string permission =
      RequiredPermission(head.method, path, options_.signature_adapters);
  if (!caller.ok()) return Deny(head, nullptr, permission, caller.status(), refuse);
  if (path == "/v1/whoami") {
    if (head.method != "GET") return refuse(MethodNotAllowedResponse(head.method, "GET"));
    return refuse(Whoami(*rules, head, caller->get()));
  }
  if (!permission.empty()) {
    identity::Scope scope;
    // A posted event's or delivery's model is in its body: EventService decides again for it.
    // So is the model of an event read by its index.
    // So are the model and environment of a gate check and of an approval (GateService).
    scope.any = (head.method == "POST" &&
                 (path == "/v1/events" || path == "/v1/events:batch" ||
                  absl::StartsWith(path, kIngestPath) || path == "/v1/gate/check" ||
                  path == "/v1/admission" || absl::StartsWith(path, "/v1/approvals"))) ||
                absl::StartsWith(path, "/v1/events/");
    if (path == "/v1/events" && head.method == "GET") {
      // A search for one model is covered by a grant limited to models that match it.
      absl::StatusOr<QueryParams> params = QueryParams::Parse(SplitTarget(head.target).second);
      if (params.ok()) scope.model = params->Get("model").value_or("");
    }
    if (absl::Status s = rules->policy->Decide(caller->get(), permission, scope); !s.ok()) {
      return Deny(head, caller->get(), permission, s, refuse);
    }
  }
  HttpServer::Admission admission;
  admission.caller = *std::move(caller);
  admission.max_body_bytes =
      BodyLimitFor(options_.body_limits, head.method, path, options_.signature_adapters);
  done(std::move(admission));
}

absl::Status Authorizer::CheckScope(const HttpRequest& request, absl::string_view permission,
                                    const identity::Scope& scope) const {
  const std::shared_ptr<const AccessRules> rules = this->rules();
  absl::Status status = rules->policy->Decide(request.caller.get(), permission, scope);
  if (status.ok() || options_.denials == nullptr) return status;
  absl::Notification recorded;
  Deny(request, request.caller.get(), permission, status,
       [&recorded](HttpResponse) { recorded.Notify(); });
  recorded.WaitForNotification();
  return status;
}

bool Authorizer::Holds(const HttpRequest& request, absl::string_view permission,
                       const identity::Scope& scope) const {
  return rules()->policy->Decide(request.caller.get(), permission, scope).ok();
}

HttpResponse Authorizer::Whoami(const AccessRules& rules, const HttpRequest& request,
                                const identity::Principal* principal) const {
  WhoamiResponse answer;
  if (principal != nullptr) {
    const identity::Principal& caller = *principal;
    answer.set_principal(caller.name);
    answer.set_authenticated_by(caller.authenticated_by);
    for (const std::string& group : caller.groups) answer.add_groups(group);
    answer.set_issuer(caller.issuer);
    for (const std::string& amr : caller.amr) answer.add_amr(amr);
    answer.set_acr(caller.acr);
    for (const identity::Grant& grant : rules.policy->GrantsOf(caller)) {
      WhoamiResponse::Grant* out = answer.add_roles();
      out->set_role(grant.role);
      for (const std::string& p : grant.permissions) out->add_permissions(p);
      for (const std::string& m : grant.models) out->add_models(m);
      for (const std::string& e : grant.environments) out->add_environments(e);
      out->set_require_mfa(grant.require_mfa);
      out->set_mfa_shown(grant.mfa_shown);
    }
  }
  for (const std::string& p : rules.policy->PermissionsOf(principal)) {
    answer.add_permissions(p);
  }
  return EncodeMessage(request, answer);
}

}  // namespace api
}  // namespace vellum
