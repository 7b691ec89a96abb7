#ifndef VELLUM_LEDGER_POLICY_GATE_H_
#define VELLUM_LEDGER_POLICY_GATE_H_

// The deployment gate on a running log (docs/gate.md, "The gate"): the policy set in force, the
// approvals on record, and the checks, each decided by Evaluate and appended as an
// ACTION_GATE_DECISION that is durable before it is answered, allow and deny alike.
//
// Everything the gate decides from is on the log. Attach reads the ACTION_POLICY_APPLIED and
// approval events back, and other systems' records that source_states read; from then on the
// event log's observer gives the gate every event as it is logged, in index order, as its entry
// holds it (sealed, with its logged time), before its appender is answered, so the gate's book
// and a replay's are the same, whoever wrote the event. A check is evaluated under the policy in
// force, against the book below the horizon (one past the last event the gate was given), at the
// clock's time; the decision records the policy's SHA-256, the horizon and that time.
//
// Retries. A check that carries a request_id gets the source id
// "gate/<32 hex digits of SHA-256 of the caller key>/<request_id>" (the caller key as
// Options::identity_key gives it), so a retry
// after a lost answer, or after a crash between the commit and the answer, is a redelivery the
// event log answers with the original's index: the gate reads that decision back and returns it
// instead of deciding again, or AlreadyExists when the retry asks about something else.
//
// Thread-safe. Checks run side by side; policy changes and approval events are serialized.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_log.h"
#include "ledger/policy/approval_book.h"
#include "ledger/policy/deploy_policy.h"
#include "ledger/policy/evaluate.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace policy {

// The bounds of what a request names (checked by CheckGateRequest).
inline constexpr size_t kMaxNameBytes = 256;  // model, version, digest, environment
inline constexpr size_t kMaxGateLabels = 64;
inline constexpr size_t kMaxRequestIdBytes = 128;
inline constexpr size_t kMaxCommentBytes = 4096;  // approval comments, override reasons

// OK if `value` is printable ASCII without spaces, 1 to `max` bytes (or empty, when
// `optional`); InvalidArgument "<field>: ..." with got/want otherwise. The rule for the names a
// request carries, and for the configuration's names of them (gate.admission).
absl::Status CheckToken(absl::string_view field, absl::string_view value, size_t max,
                        bool optional = false);

// OK if `request` names a deploy or promote, a model, a version and an environment (a digest
// and labels optional), each within the bounds above: printable ASCII without spaces for the
// names, the digest and label keys. InvalidArgument naming the field with got/want otherwise.
// The requester is not looked at (the gate sets it).
absl::Status CheckGateRequest(const GateRequest& request);

class Gate {
 public:
  struct Options {
    // The IdentityKey the gate's events give `identity` when it is written at `path` of a server
    // event ("actor.subject" or "gate.on_behalf_of"): its pseudonym when the log seals that
    // field, IdentityKey("", identity) when it keeps it in clear, "" when it drops it. Unset:
    // IdentityKey("", identity), for a log that seals nothing.
    std::function<absl::StatusOr<std::string>(absl::string_view path,
                                              absl::string_view identity)>
        identity_key;
    std::function<absl::Time()> clock = absl::Now;
    // How long Attach waits for the event index to cover the log.
    absl::Duration index_wait = absl::Minutes(10);
  };

  // Who asks: the authenticated principal (empty: anonymous), how, and its groups.
  struct Caller {
    std::string principal;
    std::string authenticated_by;
    std::vector<std::string> groups;
  };

  // Observes `events` (which must outlive the gate; EventLog::SetObserver: one gate per log),
  // then reads the policies applied, the approval events and the other systems' records it
  // logged before, once its index covers the log. The policy in force is the last applied, or
  // none until Configure.
  static absl::StatusOr<std::unique_ptr<Gate>> Attach(EventLog* events, Options options);

  // Stops observing the event log (which must still exist).
  ~Gate();
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  struct PolicyInForce {
    std::shared_ptr<const DeployPolicy> policy;
    // Its ACTION_POLICY_APPLIED.
    uint64_t index = 0;
    // Whether this call appended it (false: it was in force already).
    bool applied = false;
  };

  // Puts `policy` in force: appends ACTION_POLICY_APPLIED with applied_by `via` ("start",
  // "reload", "api" or "default") and the caller as actor, waits until it is durable, then decides with it.
  // A policy with the SHA-256 of the one in force appends nothing.
  absl::StatusOr<PolicyInForce> Apply(DeployPolicy policy, absl::string_view via,
                                      const Caller& by);
  // At start: puts the configured policy in force (Apply with "start"); without one, keeps the
  // one on record. A log with none gets DenyAll on record (applied_by "default") before its
  // first decision, so that every decision names a policy applied before it, and a log that
  // never uses the gate has no gate events.
  absl::Status Configure(absl::optional<DeployPolicy> configured);
  // The policy in force; its policy is nullptr while none is on record.
  PolicyInForce Policy() const;

  // Appends an approval request (ACTION_REQUEST_APPROVAL) for `what` (CheckGateRequest; its
  // labels and requester are not used: the requester is the caller) with a new id, and returns it
  // as the book holds it.
  absl::StatusOr<ApprovalAsk> RequestApproval(const GateRequest& what, const Caller& by);
  // Appends a decision on request `id` (ACTION_APPROVE or ACTION_REJECT) with the caller's groups
  // that the policy in force names as approver groups, and `comment` (sealed). NotFound for an
  // unknown id. The caller's right to decide for the request's model and environment is checked
  // before (FindRequest gives them).
  absl::StatusOr<ApprovalVote> DecideApproval(absl::string_view id, bool approve,
                                              absl::string_view comment, const Caller& by);
  absl::optional<ApprovalAsk> FindRequest(absl::string_view id) const;

  enum class State { kPending, kApproved, kRejected };
  struct ApprovalStatus {
    ApprovalAsk request;
    State state = State::kPending;
    std::vector<ApprovalVote> votes;
  };
  // The requests in `state` (any, when unset), newest first, at most `limit`. A request is
  // rejected when a decision on it rejects it, approved when the policy in force would allow its
  // action, model, version, digest and environment for its requester now, pending otherwise.
  std::vector<ApprovalStatus> Approvals(absl::optional<State> state, size_t limit) const;

  // One check (POST /v1/gate/check, POST /v1/admission).
  struct Check {
    // CheckGateRequest; the requester is set by the gate: on_behalf_of when given, else the
    // caller.
    GateRequest request;
    std::string on_behalf_of;
    // The caller's id for the check, for retries; empty: none.
    std::string request_id;
    // "api" or "admission".
    std::string via = "api";
    // Break glass: allowed whatever the policy says, recorded as an override (the caller holds
    // gate.override: checked before).
    bool override = false;
    std::string override_reason;
    // Evaluated but not recorded (an admission review's dryRun).
    bool dry_run = false;
  };
  struct Checked {
    Decision decision;
    crypto::Sha256Digest policy_sha256{};
    uint64_t horizon = 0;
    absl::Time evaluated;
    bool override = false;
    // False for a dry run; otherwise the decision's index and the size of a checkpoint that
    // covers it, and whether it is an earlier check's, returned for a retry.
    bool recorded = false;
    uint64_t index = 0;
    uint64_t tree_size = 0;
    bool duplicate = false;
  };
  using CheckDone = std::function<void(absl::StatusOr<Checked>)>;
  // Decides `check` and calls `done` once the decision is durable (on this thread or the
  // sequencer's): InvalidArgument for a bad request, AlreadyExists for a request_id reused for
  // another check, FailedPrecondition for a request_id with no caller the log can name, Unavailable when the log cannot commit
  // (nothing is allowed then).
  void Decide(Check check, const Caller& by, CheckDone done);

 private:
  Gate(EventLog* events, Options options);

  // Puts DenyAll on record if no policy is.
  absl::Status EnsurePolicy();
  absl::StatusOr<std::string> KeyOf(absl::string_view path, absl::string_view identity) const;
  // The event log's observer: each event as logged.
  void Observe(uint64_t index, const AuditEvent& event);
  void TakeLocked(uint64_t index, const AuditEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The answer to a retry: the decision at `index`, if it is about `check`.
  absl::StatusOr<Checked> Recorded(const GateRequest& request, bool override, uint64_t index,
                                   uint64_t tree_size) const;

  EventLog* const events_;
  const Options options_;

  // Held exclusively by policy changes and approval events until they are durable, and shared
  // by checks from evaluation until their decision is with the sequencer; taken before mu_.
  absl::Mutex ops_mu_;
  mutable absl::Mutex mu_;
  PolicyInForce policy_ ABSL_GUARDED_BY(mu_);
  ApprovalBook book_ ABSL_GUARDED_BY(mu_);
  uint64_t horizon_ ABSL_GUARDED_BY(mu_) = 0;
  // Not OK once the book refused an event as logged: checks then fail closed.
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  // Until Attach's scan is done, what the observer gave.
  bool attached_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::pair<uint64_t, AuditEvent>> early_ ABSL_GUARDED_BY(mu_);
};

}  // namespace policy
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_POLICY_GATE_H_
