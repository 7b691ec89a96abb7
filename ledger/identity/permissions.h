#ifndef VELLUM_LEDGER_IDENTITY_PERMISSIONS_H_
#define VELLUM_LEDGER_IDENTITY_PERMISSIONS_H_

// The permissions and the default roles (docs/security.md, "Permissions" and "Roles").

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vellum {
namespace ledger {
namespace identity {

// The checkpoint, hash tiles, proofs and the log's description; may be granted to anonymous
// callers.
inline constexpr char kLogRead[] = "log.read";
// Entry bundles and /v1/entries/<i>, which hold event contents (monitors need it).
inline constexpr char kEntriesRead[] = "entries.read";
// Raw entries (POST /v1/entries, /v1/entries:batch).
inline constexpr char kEntriesAppend[] = "entries.append";
// Audit events posted by a service (POST /v1/events).
inline constexpr char kEventsWrite[] = "events.write";
// Event search (GET /v1/events).
inline constexpr char kEventsRead[] = "events.read";
// The personal values sealed out of events, opened in search answers (docs/privacy.md).
inline constexpr char kEventsUnseal[] = "events.unseal";
// The Prometheus metrics (GET /metrics); may be granted to anonymous callers.
inline constexpr char kMetricsRead[] = "metrics.read";
// Administration of the server itself.
inline constexpr char kAdmin[] = "admin";
// The governing and destructive permissions of the compliance layer. Without an auth section
// no caller holds them (docs/security.md, "Without an auth section").
inline constexpr char kPolicyAdmin[] = "policy.admin";
inline constexpr char kRetentionAdmin[] = "retention.admin";
inline constexpr char kHoldsAdmin[] = "holds.admin";
inline constexpr char kErasure[] = "erasure";
// The deployment gate (docs/gate.md): asking for approval, deciding on requests (scoped by
// their model and environment), asking the gate, and forcing an allow (break glass, governing).
inline constexpr char kApprovalsRequest[] = "approvals.request";
inline constexpr char kApprovalsDecide[] = "approvals.decide";
inline constexpr char kGateCheck[] = "gate.check";
inline constexpr char kGateOverride[] = "gate.override";
// Naming the person a check is for (on_behalf_of; an admission review's user): what a trusted
// pipeline, or the Kubernetes API server, holds besides gate.check.
inline constexpr char kGateActFor[] = "gate.act_for";
// The ingest.<adapter> permission prefix, for the adapters that take a bearer credential.
inline constexpr char kIngestPrefix[] = "ingest.";

// Every permission a configuration may name: the ones above, ingest.<adapter> for each
// token-authenticated adapter, and those reserved for the compliance layer's later parts
// (evidence.export, alerts.read, alerts.admin).
const std::vector<std::string>& AllPermissions();
bool IsPermission(absl::string_view name);

// Whether the permission governs or destroys (policy.admin, retention.admin, holds.admin,
// erasure, gate.override).
bool IsGoverning(absl::string_view permission);

// The permissions anonymous callers may be given: log.read, metrics.read, and entries.read
// (which shows event contents to anyone: the compatibility mode of a token file without
// bindings grants it, as vellumd did before roles; docs/security.md).
bool MayBeAnonymous(absl::string_view permission);

// The default roles, which a configuration may redefine: appender, deployer, pipeline, reader,
// auditor, governance, admin.
const std::map<std::string, std::vector<std::string>>& DefaultRoles();

// The default separation of duties: producing records (entries.append, events.write and every
// ingest.<adapter>) versus retention, holds and erasure.
struct Exclusion {
  std::string name;
  std::vector<std::vector<std::string>> sets;
};
std::vector<Exclusion> DefaultSeparationOfDuties();

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_PERMISSIONS_H_
