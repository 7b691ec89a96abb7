#include "ledger/policy/replay.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/server_event.h"
#include "ledger/policy/evaluate.h"

namespace vellum {
namespace ledger {
namespace policy {

absl::Status Replayer::Add(uint64_t index, const AuditEvent& event) {
  const bool own = event.observer().adapter() == kServerSource;
  if (own && event.action() == ACTION_POLICY_APPLIED) {
    absl::StatusOr<DeployPolicy> policy =
        DeployPolicy::FromCanonicalText(event.policy_applied().canonical_text());
    if (!policy.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("policy applied at index ", index, ": ",
                                                     policy.status().message()));
    }
    const crypto::Sha256Digest& sha = policy->sha256();
    latest_policy_ = std::string(sha.begin(), sha.end());
    last_gate_event_ = index;
    policies_.insert_or_assign(latest_policy_, *std::move(policy));
    ++summary_.policies;
    return absl::OkStatus();
  }
  absl::StatusOr<bool> taken = book_.Add(index, event);
  if (!taken.ok()) return taken.status();
  if (*taken) {
    if (own) last_gate_event_ = index;
    ++(own ? summary_.approval_events : summary_.source_records);
    return absl::OkStatus();
  }
  if (!own || event.action() != ACTION_GATE_DECISION) return absl::OkStatus();
  const GateDecision& gate = event.gate();
  if (gate.override()) {
    ++summary_.overrides;
    return absl::OkStatus();
  }
  ++summary_.decisions;
  auto policy = policies_.find(gate.policy_sha256());
  if (policy == policies_.end()) {
    summary_.mismatches.push_back(absl::StrCat(
        "decision at index ", index, ": no policy with its SHA-256 was applied before it"));
    return absl::OkStatus();
  }
  if (gate.horizon() > index) {
    summary_.mismatches.push_back(absl::StrCat("decision at index ", index, ": horizon ",
                                               gate.horizon(), " is past the decision itself"));
    return absl::OkStatus();
  }
  // The gate orders its checks against its own policy and approval events (gate.h): none lands
  // between a decision's horizon and the decision, and the policy is the one last applied.
  if (last_gate_event_.has_value() && *last_gate_event_ >= gate.horizon()) {
    summary_.mismatches.push_back(absl::StrCat(
        "decision at index ", index, ": the gate's event at index ", *last_gate_event_,
        " lies between its horizon ", gate.horizon(), " and itself"));
    return absl::OkStatus();
  }
  if (gate.policy_sha256() != latest_policy_) {
    summary_.mismatches.push_back(absl::StrCat(
        "decision at index ", index, ": decided under a policy that was no longer in force"));
    return absl::OkStatus();
  }
  const absl::Time at = FromProtoTime(gate.evaluated_time());
  AuditEvent want = event;
  RecordDecision(Evaluate(policy->second, RequestOfDecision(event), book_, gate.horizon(), at),
                 &want);
  const GateDecision& expected = want.gate();
  auto join = [](const auto& list) { return absl::StrJoin(list, "; "); };
  std::string difference;
  if (expected.allowed() != gate.allowed()) {
    difference = absl::StrCat("allowed: recorded ", gate.allowed(), ", evaluates to ",
                              expected.allowed());
  } else if (expected.rule() != gate.rule()) {
    difference = absl::StrCat("rule: recorded \"", gate.rule(), "\", evaluates to \"",
                              expected.rule(), "\"");
  } else if (join(expected.reasons()) != join(gate.reasons())) {
    difference = absl::StrCat("reasons: recorded \"", join(gate.reasons()),
                              "\", evaluates to \"", join(expected.reasons()), "\"");
  } else if (join(expected.approvals()) != join(gate.approvals())) {
    difference = absl::StrCat("approvals: recorded [", join(gate.approvals()),
                              "], evaluates to [", join(expected.approvals()), "]");
  } else if (want.outcome().result() != event.outcome().result()) {
    difference = "outcome.result does not match allowed";
  }
  if (!difference.empty()) {
    summary_.mismatches.push_back(absl::StrCat("decision at index ", index, ": ", difference));
  }
  return absl::OkStatus();
}

}  // namespace policy
}  // namespace ledger
}  // namespace vellum
