#include "ledger/identity/permissions.h"

#include <algorithm>

namespace vellum {
namespace ledger {
namespace identity {
namespace {

// The adapters that take a bearer credential instead of verifying a signature themselves
// (api/ingest: Adapter::verifies_signature() is false).
constexpr const char* kTokenAdapters[] = {"cloudevents", "k8s-audit", "sagemaker"};

std::vector<std::string> IngestPermissions() {
  std::vector<std::string> out;
  for (const char* adapter : kTokenAdapters) out.push_back(std::string(kIngestPrefix) + adapter);
  return out;
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

const std::vector<std::string>& AllPermissions() {
  static const auto* const all = new std::vector<std::string>(Concat(
      {kLogRead, kEntriesRead, kEntriesAppend, kEventsWrite, kEventsRead, kMetricsRead, kAdmin,
       kPolicyAdmin, kRetentionAdmin, kHoldsAdmin, kErasure, kApprovalsRequest, kApprovalsDecide,
       kGateCheck, kGateOverride, kGateActFor, kEventsUnseal, "evidence.export", "alerts.read",
       "alerts.admin"},
      IngestPermissions()));
  return *all;
}

bool IsPermission(absl::string_view name) {
  const std::vector<std::string>& all = AllPermissions();
  return std::find(all.begin(), all.end(), name) != all.end();
}

bool IsGoverning(absl::string_view permission) {
  return permission == kPolicyAdmin || permission == kRetentionAdmin ||
         permission == kHoldsAdmin || permission == kErasure || permission == kGateOverride;
}

bool MayBeAnonymous(absl::string_view permission) {
  return permission == kLogRead || permission == kEntriesRead || permission == kMetricsRead;
}

const std::map<std::string, std::vector<std::string>>& DefaultRoles() {
  static const auto* const roles = new std::map<std::string, std::vector<std::string>>{
      // Services and pipelines that produce records.
      {"appender", Concat({kEntriesAppend, kEventsWrite}, IngestPermissions())},
      // People and CI/CD jobs that deploy: ask the gate, ask for approval.
      {"deployer", {kLogRead, kGateCheck, kApprovalsRequest}},
      // A trusted pipeline (or the Kubernetes API server) that names the person it deploys for.
      {"pipeline", {kLogRead, kGateCheck, kApprovalsRequest, kGateActFor}},
      // Dashboards and people who look up what happened.
      {"reader", {kLogRead, kEventsRead}},
      // Auditors and monitors: everything recorded, with proofs, and evidence.
      {"auditor", {kLogRead, kEntriesRead, kEventsRead, kMetricsRead, "evidence.export"}},
      // The governance board: policy, approvals, retention, holds and erasure.
      {"governance",
       {kLogRead, kEventsRead, kPolicyAdmin, kRetentionAdmin, kHoldsAdmin, kErasure,
        kApprovalsDecide, kEventsUnseal}},
      // The operators of the server.
      {"admin", {kAdmin, kLogRead, kEntriesRead, kEventsRead, kMetricsRead, "alerts.admin"}},
  };
  return *roles;
}

std::vector<Exclusion> DefaultSeparationOfDuties() {
  return {{"produce-versus-govern",
           {Concat({kEntriesAppend, kEventsWrite}, IngestPermissions()),
            {kRetentionAdmin, kHoldsAdmin, kErasure}}}};
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
