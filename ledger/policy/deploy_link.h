#ifndef VELLUM_LEDGER_POLICY_DEPLOY_LINK_H_
#define VELLUM_LEDGER_POLICY_DEPLOY_LINK_H_

// Deploys observed later, linked to the gate decision that allowed them (docs/gate.md, "Deploys
// observed later"): what the alerts flag when there is none.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_log.h"

namespace vellum {
namespace ledger {
namespace policy {

// Whether `event` is a deploy that a source system observed: ACTION_DEPLOY or ACTION_PROMOTE,
// succeeded or pending, from an ingestion adapter or a posted event (not the server's own),
// naming a model.
bool IsObservedDeploy(const AuditEvent& event);

// Whether gate decision `decision` allows the observed deploy `deploy`: it is allowed (by the
// policy or by an override), for action deploy or promote, the same model, and the same version,
// digest and environment wherever both events name one.
bool Allows(const AuditEvent& decision, const AuditEvent& deploy);

// The latest gate decision before index `index` that Allows the observed deploy `deploy`, among
// the decisions for its model (and version, when it names one) that the event index covers;
// nullopt when there is none. Looks at most at `max_decisions` decisions, newest first.
absl::StatusOr<absl::optional<uint64_t>> FindAllowingDecision(const EventLog& log,
                                                              const AuditEvent& deploy,
                                                              uint64_t index,
                                                              size_t max_decisions = 1000);

}  // namespace policy
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_POLICY_DEPLOY_LINK_H_
