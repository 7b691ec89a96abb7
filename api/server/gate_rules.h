#ifndef VELLUM_API_SERVER_GATE_RULES_H_
#define VELLUM_API_SERVER_GATE_RULES_H_

#include "absl/status/statusor.h"
#include "api/config/config.pb.h"
#include "api/gate/admission.h"

namespace vellum {
namespace api {

// The configuration's gate.admission as the webhook's AdmissionConfig (docs/gate.md,
// "Kubernetes admission"), keeping the defaults for keys it does not give. InvalidArgument
// naming the key: a resource that is not "<api group>/<resource>" of lowercase letters, digits,
// '.' and '-'; a namespace glob or environment that is empty or not printable ASCII without
// spaces (at most 253 bytes); more than kMaxAdmissionNamespaces namespaces; a key that is empty
// once given or longer than 317 bytes (a Kubernetes label key's bound).
absl::StatusOr<AdmissionConfig> AdmissionConfigOf(const config::GateAdmission& admission);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SERVER_GATE_RULES_H_
