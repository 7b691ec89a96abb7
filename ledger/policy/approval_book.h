#ifndef VELLUM_LEDGER_POLICY_APPROVAL_BOOK_H_
#define VELLUM_LEDGER_POLICY_APPROVAL_BOOK_H_

// The gate's approval requests and decisions on record (docs/gate.md, "Approvals"), read from
// their events in log order: what a gate decision is evaluated against, the same for the gate
// and for a replay of the log. Not thread-safe: its owner locks.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace ledger {
namespace policy {

// Who an identity is to the gate: the pseudonym its values are sealed under, or "subject:" and
// the identity as the entry holds it in clear; empty when the entry names nobody (which no rule
// about distinct people can count).
std::string IdentityKey(absl::string_view pseudonym, absl::string_view subject);
// The actor's (IdentityKey of actor.pseudonym and actor.subject).
std::string ActorKey(const AuditEvent& event);

// An approval request (ACTION_REQUEST_APPROVAL).
struct ApprovalAsk {
  uint64_t index = 0;
  std::string id;
  Action action = ACTION_UNSPECIFIED;
  std::string model;
  std::string version;
  std::string digest;
  std::string environment;
  std::string requester;  // IdentityKey.
  absl::Time logged;
};

// A decision on one (ACTION_APPROVE or ACTION_REJECT).
struct ApprovalVote {
  uint64_t index = 0;
  std::string request_id;
  bool approve = false;
  std::string decider;  // IdentityKey.
  std::vector<std::string> groups;
  absl::Time logged;
};

// What another system recorded about a model version: a SageMaker approval status, an MLflow
// alias set or removed, a Databricks stage transition (docs/gate.md, "Approvals from other
// systems").
struct SourceRecord {
  uint64_t index = 0;
  Action action = ACTION_UNSPECIFIED;
  std::string version;
  std::string stage;  // The alias (MLflow) or stage (Databricks).
};

// A review of another system that counts toward approvals: a GitHub deployment_review,
// approved or rejected, for an environment and a workflow run.
struct ReviewRecord {
  uint64_t index = 0;
  bool approve = false;
  std::string decider;  // IdentityKey.
  std::vector<std::string> groups;
  std::string environment;
  std::string run;  // Label github.workflow_run_id.
  std::string repository;  // owner/name (target.namespace).
  // The earlier of its event time and its logged time (a redelivered review is as old as it is).
  absl::Time logged;
};

// The sources whose records a policy's source_states may name.
inline constexpr absl::string_view kStateSources[] = {"sagemaker", "mlflow", "databricks"};

class ApprovalBook {
 public:
  // Takes the event at `index` if it is one of the gate's approval events (observer.adapter
  // "vellum", an approval action, `approval` set), a record of a kStateSources adapter that
  // HoldsState reads (SageMaker approve, reject and approval requests; MLflow and Databricks
  // promotions and demotions), or a GitHub review (ACTION_APPROVE or ACTION_REJECT of adapter
  // github with label github.workflow_run_id, by a reviewer the configuration names: `approval`
  // set): returns whether it was. Indices must increase. InvalidArgument
  // for a decision on a request the book does not hold, a request id given twice, or an index not
  // above the last.
  absl::StatusOr<bool> Add(uint64_t index, const AuditEvent& event);

  // Whether `source` shows `state` for `model` version `version` in its records below
  // `horizon`: sagemaker "approved": its latest approval status of the version is Approved;
  // mlflow: the latest setting or removal of alias `state` on the model set it on the version;
  // databricks: the version's latest stage transition is to stage `state`.
  bool HoldsState(absl::string_view source, absl::string_view state, absl::string_view model,
                  absl::string_view version, uint64_t horizon) const;

  const ApprovalAsk* FindRequest(absl::string_view id) const;
  // The GitHub reviews, in index order.
  const std::vector<ReviewRecord>& reviews() const { return reviews_; }
  // The requests, in index order.
  const std::vector<ApprovalAsk>& requests() const { return requests_; }
  // The decisions on request `id`, in index order.
  const std::vector<ApprovalVote>& VotesOn(absl::string_view id) const;

 private:
  std::vector<ApprovalAsk> requests_;
  std::map<std::string, size_t, std::less<>> by_id_;
  std::map<std::string, std::vector<ApprovalVote>, std::less<>> votes_;
  std::vector<ReviewRecord> reviews_;
  // By source and model, in index order.
  std::map<std::pair<std::string, std::string>, std::vector<SourceRecord>, std::less<>> sources_;
  uint64_t next_index_ = 0;
};

}  // namespace policy
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_POLICY_APPROVAL_BOOK_H_
