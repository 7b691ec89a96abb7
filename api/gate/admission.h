#ifndef VELLUM_API_GATE_ADMISSION_H_
#define VELLUM_API_GATE_ADMISSION_H_

// The gate as a Kubernetes validating admission webhook (docs/gate.md, "Kubernetes admission"):
// an admission.k8s.io/v1 AdmissionReview read into what the gate needs, the plan for it (allow
// without a decision, deny, or check with the gate), and the AdmissionReview answer. Pure
// functions: GateService runs the check.

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "ledger/policy/gate.h"

namespace vellum {
namespace api {

// The largest AdmissionReview read (the API server's own request limit is 3 MiB).
inline constexpr size_t kMaxAdmissionReviewBytes = size_t{3} << 20;
inline constexpr size_t kMaxAdmissionNamespaces = 256;

// Which workloads the gate admits, and how they name their model (config.proto, gate.admission).
struct AdmissionConfig {
  // The gated resources, as "<api group>/<resource>" ("apps/deployments"; "/pods" for the core
  // group).
  std::vector<std::string> resources = {"serving.kserve.io/inferenceservices", "apps/deployments"};
  // Gated namespaces (globs, first match wins) and the environment each one deploys to. A
  // namespace that none matches is not gated.
  std::vector<std::pair<std::string, std::string>> namespaces;
  // Never gated, whatever `namespaces` says: Vellum's own, so that it can always restart itself.
  std::vector<std::string> exempt_namespaces;
  // The metadata keys (labels first, then annotations) that name the model, its version and its
  // artifact's digest.
  std::string model_key = "vellum.dev/model";
  std::string version_key = "vellum.dev/model-version";
  std::string digest_key = "vellum.dev/model-digest";
};

// A workload as an admission request shows it: its metadata's labels and annotations, and a
// fingerprint of its spec.
struct AdmissionObject {
  bool present = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // For an UPDATE: SHA-256 of what the workload runs, its spec and its metadata's labels and
  // annotations in a canonical form, without what a scaling, a restart or a re-apply changes
  // (numbers named `replicas`, `minReplicas` or `maxReplicas`; the pod template's
  // kubectl.kubernetes.io/restartedAt; kubectl's last-applied-configuration; the Deployment
  // controller's revision).
  std::string spec_fingerprint;
};

// The parts of an AdmissionReview's request that the gate reads.
struct AdmissionRequest {
  std::string uid;
  std::string group;  // request.resource.group ("" for the core group)
  std::string resource;
  std::string sub_resource;
  std::string name;
  std::string ns;
  std::string operation;  // CREATE, UPDATE, DELETE or CONNECT
  std::string username;
  bool dry_run = false;
  AdmissionObject object;
  AdmissionObject old_object;
};

// Reads an admission.k8s.io/v1 AdmissionReview (at most kMaxAdmissionReviewBytes) with its
// request: of each object's annotations only the keys `config` names (others, such as
// kubectl's last-applied-configuration, may be large). InvalidArgument naming the member for
// anything else; messages never quote the body.
absl::StatusOr<AdmissionRequest> ParseAdmissionReview(absl::string_view json,
                                                      const AdmissionConfig& config);

// The request's uid, if `json` names one, for an answer to a review ParseAdmissionReview
// refuses: a denial the API server can match to its call.
absl::optional<std::string> AdmissionReviewUid(absl::string_view json);

// What to do with one request.
struct AdmissionPlan {
  enum class Kind {
    kAllow,  // allowed without a decision: not gated, or a workload that keeps its model
    kDeny,   // denied without a decision: a gated workload that names no model version
    kCheck,  // asked of the gate
  };
  Kind kind = Kind::kDeny;
  // For kAllow and kDeny: why, as the answer says it.
  std::string message;
  // For kCheck.
  ledger::policy::Gate::Check check;
};

// The plan (docs/gate.md, "Kubernetes admission"): DELETE and CONNECT, resources and
// namespaces that are not gated, and exempt namespaces are allowed; of a gated workload, the
// scale and status subresources are allowed and any other subresource denied; an UPDATE whose
// old object names the same model, version and digest and has the same spec fingerprint is
// allowed (a restart, a scaling, a re-apply); a gated workload without the model and version
// keys is denied; any other is a check of action deploy, for the namespace's environment, on
// behalf of the Kubernetes user, with the object's labels, request_id the request's uid, dry run
// as the request says.
AdmissionPlan PlanAdmission(const AdmissionConfig& config, const AdmissionRequest& request);

// The AdmissionReview answer for `uid`: allowed or not, with a message (status.code 403 for a
// denial, `code` for an error) and audit annotations.
std::string AdmissionReviewAnswer(absl::string_view uid, bool allowed, int code,
                                  absl::string_view message,
                                  const std::map<std::string, std::string>& audit_annotations);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_GATE_ADMISSION_H_
