#include "api/server/gate_rules.h"

#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "ledger/policy/gate.h"

namespace vellum {
namespace api {
namespace {

absl::Status Invalid(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("gate.admission.", key, ": ", problem));
}

absl::Status CheckToken(absl::string_view key, absl::string_view value, size_t max) {
  return ledger::policy::CheckToken(absl::StrCat("gate.admission.", key), value, max);
}

absl::Status CheckResource(absl::string_view key, absl::string_view resource) {
  const size_t slash = resource.find('/');
  if (slash == absl::string_view::npos || slash + 1 == resource.size() ||
      resource.find('/', slash + 1) != absl::string_view::npos) {
    return Invalid(key, "want <api group>/<resource>, such as apps/deployments (/pods for the "
                        "core group)");
  }
  for (char c : resource) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/')) {
      return Invalid(key, "want lowercase letters, digits, '.' and '-'");
    }
  }
  return CheckToken(key, resource, 2 * 253 + 1);
}

}  // namespace

absl::StatusOr<AdmissionConfig> AdmissionConfigOf(const config::GateAdmission& admission) {
  AdmissionConfig out;
  if (admission.resources_size() > 0) {
    out.resources.clear();
    for (int i = 0; i < admission.resources_size(); ++i) {
      if (absl::Status s = CheckResource(absl::StrCat("resources[", i, "]"), admission.resources(i));
          !s.ok()) {
        return s;
      }
      out.resources.push_back(admission.resources(i));
    }
  }
  if (static_cast<size_t>(admission.namespaces_size()) > kMaxAdmissionNamespaces) {
    return Invalid("namespaces", absl::StrCat("got ", admission.namespaces_size(),
                                              ", want at most ", kMaxAdmissionNamespaces));
  }
  for (int i = 0; i < admission.namespaces_size(); ++i) {
    const config::AdmissionNamespace& ns = admission.namespaces(i);
    const std::string at = absl::StrCat("namespaces[", i, "].");
    if (absl::Status s = CheckToken(at + "namespace", ns.namespace_(), 253); !s.ok()) return s;
    if (absl::Status s = CheckToken(at + "environment", ns.environment(), 253); !s.ok()) return s;
    out.namespaces.emplace_back(ns.namespace_(), ns.environment());
  }
  if (static_cast<size_t>(admission.exempt_namespaces_size()) > kMaxAdmissionNamespaces) {
    return Invalid("exempt_namespaces",
                   absl::StrCat("got ", admission.exempt_namespaces_size(), ", want at most ",
                                kMaxAdmissionNamespaces));
  }
  for (int i = 0; i < admission.exempt_namespaces_size(); ++i) {
    if (absl::Status s = CheckToken(absl::StrCat("exempt_namespaces[", i, "]"),
                                    admission.exempt_namespaces(i), 253);
        !s.ok()) {
      return s;
    }
    out.exempt_namespaces.push_back(admission.exempt_namespaces(i));
  }
  for (const auto& [key, value, field] :
       {std::make_tuple("model_key", &admission.model_key(), &out.model_key),
        std::make_tuple("version_key", &admission.version_key(), &out.version_key),
        std::make_tuple("digest_key", &admission.digest_key(), &out.digest_key)}) {
    if (value->empty()) continue;
    if (absl::Status s = CheckToken(key, *value, 317); !s.ok()) return s;
    *field = *value;
  }
  return out;
}

}  // namespace api
}  // namespace vellum
