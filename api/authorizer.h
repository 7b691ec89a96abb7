#ifndef VELLUM_API_AUTHORIZER_H_
#define VELLUM_API_AUTHORIZER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "api/http.h"
#include "api/http_server.h"
#include "ledger/identity/denial_log.h"
#include "ledger/identity/oidc.h"
#include "ledger/identity/policy.h"
#include "ledger/identity/token_file.h"

namespace vellum {
namespace api {

// The credentials and rules of one configuration, replaced whole when a new one takes effect.
struct AccessRules {
  std::shared_ptr<const ledger::identity::Policy> policy;
  // Static bearer tokens; nullptr for none.
  std::shared_ptr<const ledger::identity::TokenSet> tokens;
  // OIDC issuers; nullptr for none.
  std::shared_ptr<ledger::identity::OidcAuthenticator> oidc;
  // A verified client certificate names a principal (the server has a client CA).
  bool mtls = false;
  // No auth section: callers on loopback are the principal "local" (kByLocal), and a request
  // whose Host or Origin is not the server's own is refused (DNS rebinding, cross-site
  // requests).
  bool local = false;
};

// The rules of a token file without roles or bindings, as vellumd ran before roles existed:
// every token's principal holds the roles appender and auditor, and anonymous callers the reads
// of the log, its entries and its metrics (docs/api.md, "Authentication").
absl::StatusOr<std::shared_ptr<const AccessRules>> TokenFileRules(
    std::shared_ptr<const ledger::identity::TokenSet> tokens);

// The permission a request needs (docs/api.md, "Endpoints"), or "" for none: /healthz, the
// ingestion adapters that verify a signature (`signature_adapters`) and /v1/whoami. A path that
// is no endpoint needs admin: fail closed, so a route without a row here is never open.
std::string RequiredPermission(absl::string_view method, absl::string_view path,
                               const std::vector<std::string>& signature_adapters);

// The largest request body of each endpoint (docs/operations.md, "Limits"); the HTTP server
// refuses a longer one with 413 before reading it.
struct BodyLimits {
  size_t entry = 65535;                // POST /v1/entries: the entry itself
  size_t batch = size_t{8} << 20;      // POST /v1/entries:batch
  size_t event = size_t{128} << 10;    // POST /v1/events
  size_t event_batch = size_t{8} << 20;  // POST /v1/events:batch
  size_t ingest = size_t{8} << 20;     // POST /v1/ingest/<adapter> with a bearer token
  // POST /v1/ingest/<adapter> of an adapter that checks a signature over the body, which must
  // be read before the sender is known.
  size_t signed_ingest = size_t{1} << 20;
  size_t privacy = size_t{64} << 10;   // POST /v1/holds, /v1/erasure, /v1/retention
  size_t policy = size_t{256} << 10;   // PUT /v1/policy (config::kMaxPolicyBytes)
  size_t gate = size_t{16} << 10;      // POST /v1/gate/check, /v1/approvals[/<id>/decisions]
  size_t admission = size_t{3} << 20;  // POST /v1/admission (kMaxAdmissionReviewBytes)
  size_t other = size_t{4} << 10;      // any other request
};

// The body limit of a request to `path`.
size_t BodyLimitFor(const BodyLimits& limits, absl::string_view method, absl::string_view path,
                    const std::vector<std::string>& signature_adapters);

// The one place that authenticates and authorizes (docs/security.md): the HTTP server's Admit,
// in front of every service, deciding from the request's header before its body is read. It
// finds the caller (a static token, an OIDC JWT, a client certificate, or a local caller),
// decides with the Policy whether the caller holds the permission the request needs, and either
// admits the request with its caller and its body limit or answers 401/403 with a one-line
// reason, once the denial is on record (ledger::identity::DenialLog). It answers GET /v1/whoami
// itself.
// Handlers never look at credentials. Thread-safe.
class Authorizer {
 public:
  struct Options {
    // Where denials are recorded; nullptr records none (tests of routing only). Not owned.
    ledger::identity::DenialLog* denials = nullptr;
    // The adapters whose endpoint checks the sender's signature itself.
    std::vector<std::string> signature_adapters;
    // The server's port, for the Host and Origin check of local mode (called per request, since
    // the port is known once the server listens).
    std::function<uint16_t()> port;
    BodyLimits body_limits;
  };

  Authorizer(std::shared_ptr<const AccessRules> rules, Options options);

  // HttpServer::Admit: decides on a request from its header.
  void Admit(const HttpRequest& head, HttpServer::Admitted done) const;

  // A new configuration: requests from now on are decided by `rules`.
  void Replace(std::shared_ptr<const AccessRules> rules);

  // For a handler that learns the request's scope only from its body (the model of a posted
  // event): OK, or the error after the denial is on record, which the handler answers with
  // ErrorResponse. Blocks until the record is durable.
  absl::Status CheckScope(const HttpRequest& request, absl::string_view permission,
                          const ledger::identity::Scope& scope) const;

  // Whether the caller holds `permission` for `scope`, recording nothing: for what a caller
  // without it is still served, differently (events.unseal: the events stay sealed).
  bool Holds(const HttpRequest& request, absl::string_view permission,
             const ledger::identity::Scope& scope) const;

 private:
  std::shared_ptr<const AccessRules> rules() const;
  // The caller of `request`: nullptr for anonymous, or the error for a credential that does
  // not verify.
  absl::StatusOr<std::shared_ptr<const ledger::identity::Principal>> Authenticate(
      const AccessRules& rules, const HttpRequest& request) const;
  // In local mode: OK if Host (and Origin, when sent) name this server.
  absl::Status CheckOrigin(const HttpRequest& request) const;
  void Deny(const HttpRequest& request, const ledger::identity::Principal* caller,
            absl::string_view permission, const absl::Status& status,
            HttpServer::Respond respond) const;
  HttpResponse Whoami(const AccessRules& rules, const HttpRequest& request,
                      const ledger::identity::Principal* caller) const;

  const Options options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessRules> rules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_AUTHORIZER_H_
