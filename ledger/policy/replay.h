#ifndef VELLUM_LEDGER_POLICY_REPLAY_H_
#define VELLUM_LEDGER_POLICY_REPLAY_H_

// The replay of gate decisions (docs/gate.md, "Replay"): fed a log's events in index order, it
// keeps the policy sets applied (by SHA-256) and the approvals on record, and evaluates every
// ACTION_GATE_DECISION again with the recorded policy, horizon and evaluation time; a decision
// whose recorded outcome, rule, reasons or approvals differ from the evaluation's is a
// mismatch, as is one whose policy is not the one applied last before it, or with a policy or
// approval event of the gate between its horizon and itself (the gate orders them: gate.h). Overrides (break glass) are counted, not evaluated. No storage, no clock: what an
// auditor runs over a log they have verified. Not thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/optional.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/policy/approval_book.h"
#include "ledger/policy/deploy_policy.h"

namespace vellum {
namespace ledger {
namespace policy {

class Replayer {
 public:
  struct Summary {
    uint64_t policies = 0;
    uint64_t approval_events = 0;
    // Records of other systems that source_states read (ApprovalBook::HoldsState).
    uint64_t source_records = 0;
    uint64_t decisions = 0;  // Evaluated again (overrides not included).
    uint64_t overrides = 0;
    // One line per decision that does not replay: its index and the first difference.
    std::vector<std::string> mismatches;
  };

  // Takes the event at `index`; indices must increase. The events the gate wrote matter
  // (observer.adapter "vellum"), and the other systems' records that source_states read; others
  // are skipped. Errors (InvalidArgument) are about the log
  // itself: a recorded policy that does not compile, an approval on no request.
  absl::Status Add(uint64_t index, const AuditEvent& event);

  const Summary& summary() const { return summary_; }

 private:
  std::map<std::string, DeployPolicy> policies_;  // By raw SHA-256.
  ApprovalBook book_;
  // The SHA-256 of the policy applied last, and the index of the gate's last policy or
  // approval event.
  std::string latest_policy_;
  absl::optional<uint64_t> last_gate_event_;
  Summary summary_;
};

}  // namespace policy
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_POLICY_REPLAY_H_
