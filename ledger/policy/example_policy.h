#ifndef VELLUM_LEDGER_POLICY_EXAMPLE_POLICY_H_
#define VELLUM_LEDGER_POLICY_EXAMPLE_POLICY_H_

// The tests' rule from docs/gate.md's example (production needs two governance approvals), as a
// PolicySet rule in protobuf text format.

namespace vellum {
namespace ledger {
namespace policy {

inline constexpr char kGovernanceRule[] = R"pb(
  rules {
    id: "production-needs-governance"
    match { actions: "deploy" actions: "promote" environments: "production" }
    require {
      approvals: 2
      approver_groups: "ml-governance"
      distinct_from_requester: true
      same_digest: true
      max_age: "72h"
    }
  }
)pb";

}  // namespace policy
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_POLICY_EXAMPLE_POLICY_H_
