#ifndef VELLUM_API_INGEST_K8S_AUDIT_H_
#define VELLUM_API_INGEST_K8S_AUDIT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/ingest/adapter.h"

namespace vellum {
namespace api {
namespace ingest {

inline constexpr absl::string_view kK8sAuditAdapter = "k8s-audit";

// A model-related Kubernetes resource: audit events about it are recorded.
struct K8sResourceRule {
  std::string api_group;  // "serving.kserve.io"
  std::string resource;   // "inferenceservices" (plural, as in objectRef.resource)
};

struct K8sAuditConfig {
  // The cluster's name: observer.source_system, actor.issuer and target.environment.
  std::string cluster;
  // Which resources are model-related. Required; DefaultK8sResourceRules() is a start.
  std::vector<K8sResourceRule> rules;
  // The most items one EventList may hold (the API server batches up to 400 by default).
  size_t max_items = 1000;
};

// KServe InferenceServices and TrainedModels, Seldon Core SeldonDeployments and Seldon Core 2
// Models.
std::vector<K8sResourceRule> DefaultK8sResourceRules();

// Parses a rules file (vellumd --k8s-resources): one `<api group>/<resource>` per line, such as
// `serving.kserve.io/inferenceservices` (`/pods` for the core group); blank lines and lines
// starting with '#' are ignored. At most kMaxK8sResourceRules rules of lowercase letters, digits,
// '.' and '-'; InvalidArgument naming the line otherwise, or when no rule is left.
inline constexpr size_t kMaxK8sResourceRules = 256;
absl::StatusOr<std::vector<K8sResourceRule>> ParseK8sResourceRules(absl::string_view text);

// The Kubernetes API server audit webhook adapter (docs/events.md#kubernetes): an
// audit.k8s.io/v1 EventList in, one event per item that is about a resource the rules name, is
// at stage ResponseComplete or Panic, has a writing verb (create, update, patch, delete,
// deletecollection) and no subresource. Duplicate audit id + stage pairs in one list yield one
// event. The source has no signature: authenticate the caller first. Fails with InvalidArgument
// if `cluster` or `rules` is empty.
absl::StatusOr<std::unique_ptr<Adapter>> NewK8sAuditAdapter(K8sAuditConfig config);

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_K8S_AUDIT_H_
