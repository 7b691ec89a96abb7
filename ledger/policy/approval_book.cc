#include "ledger/policy/approval_book.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/server_event.h"

namespace vellum {
namespace ledger {
namespace policy {

std::string IdentityKey(absl::string_view pseudonym, absl::string_view subject) {
  if (!pseudonym.empty()) return std::string(pseudonym);
  if (!subject.empty()) return absl::StrCat("subject:", subject);
  return "";
}

std::string ActorKey(const AuditEvent& event) {
  return IdentityKey(event.actor().pseudonym(), event.actor().subject());
}

namespace {

// The records the book takes.
enum class Kind { kNone, kReview, kState, kApproval };

// Whether `event` is a record HoldsState reads.
bool IsStateRecord(const AuditEvent& event) {
  const std::string& adapter = event.observer().adapter();
  if (event.target().model_name().empty()) return false;
  if (adapter == "sagemaker") {
    return event.action() == ACTION_APPROVE || event.action() == ACTION_REJECT ||
           event.action() == ACTION_REQUEST_APPROVAL;
  }
  if (adapter == "mlflow" || adapter == "databricks") {
    return (event.action() == ACTION_PROMOTE || event.action() == ACTION_DEMOTE) &&
           !event.target().stage().empty();
  }
  return false;
}

// The GitHub workflow run a review of a reviewer the configuration names is for; "" for any
// other event.
std::string ReviewedRun(const AuditEvent& event) {
  if (event.observer().adapter() != "github" || !event.has_approval() ||
      (event.action() != ACTION_APPROVE && event.action() != ACTION_REJECT)) {
    return "";
  }
  auto run = event.context().labels().find("github.workflow_run_id");
  return run == event.context().labels().end() ? "" : run->second;
}

Kind KindOf(const AuditEvent& event) {
  if (!ReviewedRun(event).empty()) return Kind::kReview;
  if (IsStateRecord(event)) return Kind::kState;
  if (event.observer().adapter() == kServerSource && IsApprovalAction(event.action()) &&
      event.has_approval()) {
    return Kind::kApproval;
  }
  return Kind::kNone;
}

const char* NameOf(Kind kind) {
  switch (kind) {
    case Kind::kReview: return "review";
    case Kind::kState: return "source record";
    case Kind::kApproval: return "approval event";
    case Kind::kNone: break;
  }
  return "event";
}

}  // namespace

bool ApprovalBook::HoldsState(absl::string_view source, absl::string_view state,
                              absl::string_view model, absl::string_view version,
                              uint64_t horizon) const {
  auto it = sources_.find(std::make_pair(std::string(source), std::string(model)));
  if (it == sources_.end()) return false;
  const std::vector<SourceRecord>& records = it->second;
  for (auto r = records.rbegin(); r != records.rend(); ++r) {
    if (r->index >= horizon) continue;
    if (source == "sagemaker") {
      if (r->version == version) return r->action == ACTION_APPROVE;
    } else if (source == "mlflow") {
      if (r->stage == state) return r->action == ACTION_PROMOTE && r->version == version;
    } else if (r->version == version) {  // databricks
      return r->action == ACTION_PROMOTE && r->stage == state;
    }
  }
  return false;
}

absl::StatusOr<bool> ApprovalBook::Add(uint64_t index, const AuditEvent& event) {
  const Kind kind = KindOf(event);
  if (kind == Kind::kNone) return false;
  if (index < next_index_) {
    return absl::InvalidArgumentError(absl::StrCat(NameOf(kind), " at index ", index,
                                                   ": want an index of at least ", next_index_));
  }
  next_index_ = index + 1;
  if (kind == Kind::kReview) {
    ReviewRecord review;
    review.index = index;
    review.approve = event.action() == ACTION_APPROVE;
    review.decider = ActorKey(event);
    review.groups.assign(event.approval().approver_groups().begin(),
                         event.approval().approver_groups().end());
    review.environment = event.target().environment();
    review.run = ReviewedRun(event);
    review.repository = event.target().namespace_();
    review.logged =
        std::min(FromProtoTime(event.logged_time()), FromProtoTime(event.event_time()));
    reviews_.push_back(std::move(review));
    return true;
  }
  if (kind == Kind::kState) {
    SourceRecord record;
    record.index = index;
    record.action = event.action();
    record.version = event.target().model_version();
    record.stage = event.target().stage();
    sources_[std::make_pair(event.observer().adapter(), event.target().model_name())].push_back(
        std::move(record));
    return true;
  }
  const Approval& approval = event.approval();
  if (event.action() == ACTION_REQUEST_APPROVAL) {
    if (by_id_.count(approval.id()) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("approval request at index ", index,
                                                     ": its id is given twice"));
    }
    ApprovalAsk ask;
    ask.index = index;
    ask.id = approval.id();
    ask.action = approval.action();
    ask.model = event.target().model_name();
    ask.version = event.target().model_version();
    ask.digest = event.target().model_digest();
    ask.environment = event.target().environment();
    ask.requester = ActorKey(event);
    ask.logged = FromProtoTime(event.logged_time());
    by_id_.emplace(ask.id, requests_.size());
    requests_.push_back(std::move(ask));
    return true;
  }
  if (by_id_.count(approval.id()) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("approval decision at index ", index,
                                                   ": no request with its id before it"));
  }
  ApprovalVote vote;
  vote.index = index;
  vote.request_id = approval.id();
  vote.approve = event.action() == ACTION_APPROVE;
  vote.decider = ActorKey(event);
  vote.groups.assign(approval.approver_groups().begin(), approval.approver_groups().end());
  vote.logged = FromProtoTime(event.logged_time());
  votes_[vote.request_id].push_back(std::move(vote));
  return true;
}

const ApprovalAsk* ApprovalBook::FindRequest(absl::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &requests_[it->second];
}

const std::vector<ApprovalVote>& ApprovalBook::VotesOn(absl::string_view id) const {
  static const std::vector<ApprovalVote>* const kNone = new std::vector<ApprovalVote>();
  auto it = votes_.find(id);
  return it == votes_.end() ? *kNone : it->second;
}

}  // namespace policy
}  // namespace ledger
}  // namespace vellum
