#ifndef VELLUM_LEDGER_POLICY_EVALUATE_H_
#define VELLUM_LEDGER_POLICY_EVALUATE_H_

// The gate's one decision function (docs/gate.md, "Semantics"): a pure function of the policy
// set, the request, the approvals on record below a horizon index and an evaluation time, so
// that a decision on the log can be evaluated again and must come out the same.
//
//   - Rules are tried in order; the first whose match covers the request decides. No rule: deny.
//   - A match covers a request when each of its lists is empty or holds the request's value
//     (actions exactly, models and environments as globs) and the request carries every label
//     it names with that value.
//   - allow: true allows, allow: false denies. A rule with requirements allows when all hold:
//       window     the evaluation time is on one of the days and within the hours (UTC);
//       source_states  each source shows its state for the model and version below the
//                  horizon (ApprovalBook::HoldsState);
//       approvals  at least N distinct approvers approved a request for the same action, model,
//                  version and environment (same_digest: and the same digest, which the request
//                  must give), recorded below the horizon, with none of these:
//                    - the approval request has a rejection below the horizon (it is void);
//                    - approver_groups is set and the decision names none of its groups;
//                    - distinct_from_requester and the approver is the requester, the
//                      caller, or the person who asked for the approval;
//                    - max_age is set and the decision was logged longer ago than that
//                      (or after the evaluation time);
//                    - the approver is unknown (the event names nobody).
//                  With review_sources github, GitHub reviews count too: approved reviews
//                  for the request's environment and the workflow run its label
//                  github.workflow_run_id names, unless one of them rejects it, under the
//                  same group, person and age rules.
//                  Each approver counts once, at their earliest decision that counts.
//   - A denial gives one reason per requirement that failed, each at most kMaxEventStringBytes;
//     an allow by requirements names the approvals it relied on.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/policy/approval_book.h"
#include "ledger/policy/deploy_policy.h"

namespace vellum {
namespace ledger {
namespace policy {

struct GateRequest {
  Action action = ACTION_UNSPECIFIED;
  std::string model;
  std::string version;
  std::string digest;
  std::string environment;
  std::map<std::string, std::string> labels;
  // IdentityKey of the requester: the person a pipeline acts for, or the caller.
  std::string requester;
  // IdentityKey of the caller (the decision's actor), never counted as an approver under
  // distinct_from_requester either.
  std::string caller;
};

struct Decision {
  bool allowed = false;
  // The deciding rule's id; empty when no rule matched.
  std::string rule;
  std::vector<std::string> reasons;
  // The indices of the approvals relied on, ascending.
  std::vector<uint64_t> approvals;
};

Decision Evaluate(const DeployPolicy& policy, const GateRequest& request,
                  const ApprovalBook& book, uint64_t horizon, absl::Time at);

// The request a recorded ACTION_GATE_DECISION was about, with its requester as the entry names
// it (the sealed item of gate.on_behalf_of, or its clear value, or else the actor).
GateRequest RequestOfDecision(const AuditEvent& event);

// Fills `gate` (and the event's outcome) with `decision`.
void RecordDecision(const Decision& decision, AuditEvent* event);

}  // namespace policy
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_POLICY_EVALUATE_H_
