#include "ledger/policy/gate.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/events/event_codec.h"
#include "ledger/events/server_event.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max) {
  if (value.size() > max) {
    return Invalid(field, absl::StrCat("got ", value.size(), " bytes, want at most ", max));
  }
  return absl::OkStatus();
}

// The model, version, digest and environment of a request or of an approval request.
template <typename R>
void SetTarget(const R& request, AuditEvent* event) {
  Target* target = event->mutable_target();
  target->set_model_name(request.model);
  target->set_model_version(request.version);
  target->set_model_digest(request.digest);
  target->set_environment(request.environment);
}

// The evaluation time as a decision records it: whole microseconds, which a Timestamp holds
// exactly, so that a replay evaluates at the same instant.
absl::Time RecordableTime(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

std::string ShaKey(const crypto::Sha256Digest& sha) { return std::string(sha.begin(), sha.end()); }

bool SameRequest(const GateRequest& a, const GateRequest& b) {
  return a.action == b.action && a.model == b.model && a.version == b.version &&
         a.digest == b.digest && a.environment == b.environment && a.labels == b.labels &&
         a.requester == b.requester && a.caller == b.caller;
}

}  // namespace

absl::Status CheckToken(absl::string_view field, absl::string_view value, size_t max,
                        bool optional) {
  if (value.empty()) return optional ? absl::OkStatus() : Invalid(field, "got none, want one");
  if (value.size() > max) {
    return Invalid(field, absl::StrCat("got ", value.size(), " bytes, want at most ", max));
  }
  for (char c : value) {
    if (c <= 0x20 || c > 0x7e) return Invalid(field, "want printable ASCII without spaces");
  }
  return absl::OkStatus();
}

absl::Status CheckGateRequest(const GateRequest& request) {
  if (request.action != ACTION_DEPLOY && request.action != ACTION_PROMOTE) {
    return Invalid("action", absl::StrCat("got ", ActionName(request.action),
                                          ", want deploy or promote"));
  }
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"model", &request.model},
                                     {"version", &request.version},
                                     {"environment", &request.environment}}) {
    if (absl::Status s = CheckToken(field, *value, kMaxNameBytes); !s.ok()) return s;
  }
  if (absl::Status s = CheckToken("digest", request.digest, kMaxNameBytes, true); !s.ok()) {
    return s;
  }
  if (request.labels.size() > kMaxGateLabels) {
    return Invalid("labels", absl::StrCat("got ", request.labels.size(), ", want at most ",
                                          kMaxGateLabels));
  }
  for (const auto& [key, value] : request.labels) {
    if (absl::Status s = CheckToken("labels (a key)", key, kMaxEventLabelKeyBytes); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckText(absl::StrCat("labels.", key), value, kMaxNameBytes); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

Gate::Gate(EventLog* events, Options options) : events_(events), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Gate>> Gate::Attach(EventLog* events, Options options) {
  std::unique_ptr<Gate> gate(new Gate(events, std::move(options)));
  // From now on every event logged reaches the gate; those logged before, the scan below finds.
  Gate* self = gate.get();
  events->SetObserver(
      [self](uint64_t index, const AuditEvent& event) { self->Observe(index, event); });
  absl::StatusOr<uint64_t> size = events->WaitIndexed(gate->options_.index_wait);
  if (!size.ok()) return size.status();
  // The events the book reads, by index: policies applied, approval events, other systems'
  // records.
  std::map<uint64_t, AuditEvent> found;
  for (Action action : {ACTION_POLICY_APPLIED, ACTION_REQUEST_APPROVAL, ACTION_APPROVE,
                        ACTION_REJECT, ACTION_PROMOTE, ACTION_DEMOTE}) {
    EventQuery query;
    query.action = action;
    absl::Status s = ForEachEvent(*events, query, 0, *size, [&](const EventLog::Match& match) {
      found[match.index] = match.event;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  absl::MutexLock lock(&gate->mu_);
  for (const auto& [index, event] : found) {
    if (event.action() == ACTION_POLICY_APPLIED) {
      if (event.observer().adapter() != kServerSource) continue;
      absl::StatusOr<DeployPolicy> policy =
          DeployPolicy::FromCanonicalText(event.policy_applied().canonical_text());
      if (!policy.ok()) {
        return absl::DataLossError(absl::StrCat("the policy applied at index ", index,
                                                " does not compile: ", policy.status().message()));
      }
      gate->policy_.policy = std::make_shared<const DeployPolicy>(*std::move(policy));
      gate->policy_.index = index;
      continue;
    }
    absl::StatusOr<bool> added = gate->book_.Add(index, event);
    if (!added.ok()) return absl::DataLossError(added.status().message());
  }
  // Every event below the scanned size is in; those logged since, the observer gave.
  gate->horizon_ = *size;
  gate->attached_ = true;
  for (const auto& [index, event] : gate->early_) gate->TakeLocked(index, event);
  gate->early_.clear();
  return gate;
}

Gate::~Gate() { events_->SetObserver(nullptr); }

void Gate::Observe(uint64_t index, const AuditEvent& event) {
  absl::MutexLock lock(&mu_);
  if (!attached_) {
    early_.emplace_back(index, event);
    return;
  }
  TakeLocked(index, event);
}

void Gate::TakeLocked(uint64_t index, const AuditEvent& event) {
  if (index < horizon_) return;  // Found by Attach's scan already.
  // Policies are put in force by Apply, once on record. A book that refuses an event (which
  // this gate never writes: a decision on an unknown request) would decide without it, so the
  // gate stops deciding instead (fail closed).
  if (event.action() != ACTION_POLICY_APPLIED) {
    if (absl::StatusOr<bool> added = book_.Add(index, event); !added.ok() && broken_.ok()) {
      broken_ = added.status();
    }
  }
  horizon_ = index + 1;
}

absl::StatusOr<std::string> Gate::KeyOf(absl::string_view path,
                                        absl::string_view identity) const {
  if (identity.empty()) return std::string();
  if (!options_.identity_key) return IdentityKey("", identity);
  return options_.identity_key(path, identity);
}

Gate::PolicyInForce Gate::Policy() const {
  absl::MutexLock lock(&mu_);
  return policy_;
}

absl::StatusOr<Gate::PolicyInForce> Gate::Apply(DeployPolicy policy, absl::string_view via,
                                                const Caller& by) {
  absl::MutexLock ops(&ops_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (policy_.policy != nullptr && policy_.policy->sha256() == policy.sha256()) {
      PolicyInForce same = policy_;
      same.applied = false;
      return same;
    }
  }
  AuditEvent event = NewServerEventBy(ACTION_POLICY_APPLIED, by.principal, by.authenticated_by,
                                      options_.clock());
  PolicyApplied* applied = event.mutable_policy_applied();
  applied->set_sha256(ShaKey(policy.sha256()));
  applied->set_canonical_text(policy.canonical_text());
  applied->set_applied_by(std::string(via));
  absl::StatusOr<EventLog::Appended> appended = events_->AppendServerEventAndWait(std::move(event));
  if (!appended.ok()) return appended.status();
  absl::MutexLock lock(&mu_);
  policy_.policy = std::make_shared<const DeployPolicy>(std::move(policy));
  policy_.index = appended->index;
  policy_.applied = true;
  return policy_;
}

absl::Status Gate::Configure(absl::optional<DeployPolicy> configured) {
  if (!configured.has_value()) return absl::OkStatus();
  return Apply(*std::move(configured), "start", Caller()).status();
}

absl::Status Gate::EnsurePolicy() {
  if (Policy().policy != nullptr) return absl::OkStatus();
  return Apply(DeployPolicy::DenyAll(), "default", Caller()).status();
}

absl::StatusOr<ApprovalAsk> Gate::RequestApproval(const GateRequest& what, const Caller& by) {
  if (absl::Status s = CheckGateRequest(what); !s.ok()) return s;
  absl::StatusOr<std::string> random = NewRandomId();
  if (!random.ok()) return random.status();
  const std::string id = absl::StrCat("apr_", *random);
  AuditEvent event = NewServerEventBy(ACTION_REQUEST_APPROVAL, by.principal, by.authenticated_by,
                                      options_.clock());
  SetTarget(what, &event);
  event.mutable_approval()->set_id(id);
  event.mutable_approval()->set_action(what.action);
  absl::MutexLock ops(&ops_mu_);
  // The observer takes it into the book, as the log holds it, before the append is answered.
  absl::StatusOr<EventLog::Appended> appended = events_->AppendServerEventAndWait(std::move(event));
  if (!appended.ok()) return appended.status();
  absl::MutexLock lock(&mu_);
  const ApprovalAsk* ask = book_.FindRequest(id);
  if (ask == nullptr || ask->index != appended->index) {
    return absl::InternalError(absl::StrCat("the approval request at index ", appended->index,
                                            " did not reach the gate's book"));
  }
  return *ask;
}

absl::optional<ApprovalAsk> Gate::FindRequest(absl::string_view id) const {
  absl::MutexLock lock(&mu_);
  const ApprovalAsk* ask = book_.FindRequest(id);
  if (ask == nullptr) return absl::nullopt;
  return *ask;
}

absl::StatusOr<ApprovalVote> Gate::DecideApproval(absl::string_view id, bool approve,
                                                  absl::string_view comment, const Caller& by) {
  if (absl::Status s = CheckText("comment", comment, kMaxCommentBytes); !s.ok()) return s;
  absl::MutexLock ops(&ops_mu_);
  AuditEvent event = NewServerEventBy(approve ? ACTION_APPROVE : ACTION_REJECT, by.principal,
                                      by.authenticated_by, options_.clock());
  {
    absl::MutexLock lock(&mu_);
    const ApprovalAsk* ask = book_.FindRequest(id);
    if (ask == nullptr) return absl::NotFoundError("no approval request has this id");
    SetTarget(*ask, &event);
    event.mutable_approval()->set_action(ask->action);
    if (policy_.policy != nullptr) {
      const std::vector<std::string> named = policy_.policy->ApproverGroups();
      std::set<std::string> held(by.groups.begin(), by.groups.end());
      for (const std::string& group : named) {
        if (held.count(group) != 0) event.mutable_approval()->add_approver_groups(group);
      }
    }
  }
  event.mutable_approval()->set_id(std::string(id));
  event.mutable_approval()->set_comment(std::string(comment));
  absl::StatusOr<EventLog::Appended> appended = events_->AppendServerEventAndWait(std::move(event));
  if (!appended.ok()) return appended.status();
  absl::MutexLock lock(&mu_);
  const std::vector<ApprovalVote>& votes = book_.VotesOn(id);
  if (votes.empty() || votes.back().index != appended->index) {
    return absl::InternalError(absl::StrCat("the approval decision at index ", appended->index,
                                            " did not reach the gate's book"));
  }
  return votes.back();
}

std::vector<Gate::ApprovalStatus> Gate::Approvals(absl::optional<State> state,
                                                  size_t limit) const {
  const absl::Time now = options_.clock();
  // Evaluated on a copy, so that the lock the log's observer takes is held only to copy.
  ApprovalBook book;
  std::shared_ptr<const DeployPolicy> policy;
  uint64_t horizon;
  {
    absl::MutexLock lock(&mu_);
    book = book_;
    policy = policy_.policy;
    horizon = horizon_;
  }
  std::vector<ApprovalStatus> out;
  const std::vector<ApprovalAsk>& requests = book.requests();
  for (auto it = requests.rbegin(); it != requests.rend() && out.size() < limit; ++it) {
    ApprovalStatus status;
    status.request = *it;
    status.votes = book.VotesOn(it->id);
    if (std::any_of(status.votes.begin(), status.votes.end(),
                    [](const ApprovalVote& v) { return !v.approve; })) {
      status.state = State::kRejected;
    } else if (policy != nullptr) {
      GateRequest request;
      request.action = it->action;
      request.model = it->model;
      request.version = it->version;
      request.digest = it->digest;
      request.environment = it->environment;
      request.requester = it->requester;
      if (Evaluate(*policy, request, book, horizon, now).allowed) {
        status.state = State::kApproved;
      }
    }
    if (state.has_value() && status.state != *state) continue;
    out.push_back(std::move(status));
  }
  return out;
}

absl::StatusOr<Gate::Checked> Gate::Recorded(const GateRequest& request, bool override,
                                             uint64_t index, uint64_t tree_size) const {
  absl::StatusOr<AuditEvent> event = events_->Read(index, tree_size);
  if (!event.ok()) return event.status();
  if (event->action() != ACTION_GATE_DECISION || !event->has_gate()) {
    return absl::DataLossError(absl::StrCat("the check's source id names entry ", index,
                                            ", which is not a gate decision"));
  }
  const GateDecision& gate = event->gate();
  if (!SameRequest(RequestOfDecision(*event), request) || gate.override() != override) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id was used for another check (decision at index ", index,
        "): a retry must ask about the same action, model, version, digest, environment, "
        "labels, requester and override"));
  }
  Checked checked;
  checked.decision.allowed = gate.allowed();
  checked.decision.rule = gate.rule();
  checked.decision.reasons.assign(gate.reasons().begin(), gate.reasons().end());
  checked.decision.approvals.assign(gate.approvals().begin(), gate.approvals().end());
  std::copy_n(gate.policy_sha256().begin(),
              std::min(gate.policy_sha256().size(), checked.policy_sha256.size()),
              checked.policy_sha256.begin());
  checked.horizon = gate.horizon();
  checked.evaluated = FromProtoTime(gate.evaluated_time());
  checked.override = gate.override();
  checked.recorded = true;
  checked.index = index;
  checked.tree_size = tree_size;
  checked.duplicate = true;
  return checked;
}

void Gate::Decide(Check check, const Caller& by, CheckDone done) {
  if (absl::Status s = CheckGateRequest(check.request); !s.ok()) return done(s);
  if (absl::Status s = CheckToken("request_id", check.request_id, kMaxRequestIdBytes, true);
      !s.ok()) {
    return done(s);
  }
  if (absl::Status s = CheckToken("on_behalf_of", check.on_behalf_of, kMaxNameBytes, true);
      !s.ok()) {
    return done(s);
  }
  if (absl::Status s = CheckText("override_reason", check.override_reason, kMaxCommentBytes);
      !s.ok()) {
    return done(s);
  }
  if (check.override && check.override_reason.empty()) {
    return done(Invalid("override_reason", "got none, want the reason for the override"));
  }
  absl::StatusOr<std::string> caller = KeyOf("actor.subject", by.principal);
  if (!caller.ok()) return done(caller.status());
  absl::StatusOr<std::string> requester =
      check.on_behalf_of.empty() ? caller : KeyOf("gate.on_behalf_of", check.on_behalf_of);
  if (!requester.ok()) return done(requester.status());
  // A log that drops gate.on_behalf_of names the caller as requester (RequestOfDecision).
  check.request.requester = requester->empty() ? *caller : *std::move(requester);
  check.request.caller = *caller;

  const absl::Time now = RecordableTime(options_.clock());
  AuditEvent event =
      NewServerEventBy(ACTION_GATE_DECISION, by.principal, by.authenticated_by, now);
  if (!check.request_id.empty()) {
    if (caller->empty()) {
      return done(absl::FailedPreconditionError(
          "request_id needs a caller the log names (an authenticated principal whose identity "
          "the log keeps, sealed or in clear)"));
    }
    // The caller's key hashed, so that no caller's key and id run into another's.
    event.mutable_id()->set_source_id(absl::StrCat(
        "gate/", crypto::Sha256Hex(crypto::Sha256({*caller})).substr(0, 32), "/",
        check.request_id));
  }
  SetTarget(check.request, &event);
  GateDecision* gate = event.mutable_gate();
  gate->set_action(check.request.action);
  gate->set_request_id(check.request_id);
  gate->set_on_behalf_of(check.on_behalf_of);
  gate->mutable_labels()->insert(check.request.labels.begin(), check.request.labels.end());
  gate->set_via(check.via);

  // A dry run changes nothing, not even by putting the empty policy on record.
  if (!check.dry_run) {
    if (absl::Status s = EnsurePolicy(); !s.ok()) {
      return done(absl::UnavailableError(
          absl::StrCat("the empty policy could not be put on record, so nothing is allowed: ",
                       s.message())));
    }
  }
  // Shared with other checks, exclusive of policy changes and approval events, from evaluation
  // until the decision is with the sequencer: so no policy or approval event of the gate lands
  // between a decision's horizon and the decision itself (the replay checks it).
  absl::ReaderMutexLock ordered(&ops_mu_);
  Checked checked;
  {
    absl::MutexLock lock(&mu_);
    if (!broken_.ok()) {
      return done(absl::UnavailableError(absl::StrCat(
          "the gate's book missed an event, so nothing is allowed until vellumd restarts: ",
          broken_.message())));
    }
    static const DeployPolicy* const kDenyAll = new DeployPolicy(DeployPolicy::DenyAll());
    const DeployPolicy& policy = policy_.policy != nullptr ? *policy_.policy : *kDenyAll;
    checked.decision = Evaluate(policy, check.request, book_, horizon_, now);
    checked.policy_sha256 = policy.sha256();
    checked.horizon = horizon_;
  }
  checked.evaluated = now;
  if (check.override) {
    checked.override = true;
    if (!checked.decision.allowed) {
      checked.decision.allowed = true;
      checked.decision.reasons.push_back("allowed by override (break glass, gate.override)");
    }
    gate->set_override(true);
    gate->set_override_reason(check.override_reason);
  }
  RecordDecision(checked.decision, &event);
  gate->set_policy_sha256(ShaKey(checked.policy_sha256));
  gate->set_horizon(checked.horizon);
  *gate->mutable_evaluated_time() = ToProtoTime(now);
  if (check.dry_run) return done(checked);

  std::vector<AuditEvent> batch;
  batch.push_back(std::move(event));
  events_->AppendServerEvents(
      std::move(batch),
      [this, checked, request = std::move(check.request), override = check.override,
       done = std::move(done)](absl::StatusOr<std::vector<EventLog::Appended>> appended) mutable {
        if (!appended.ok()) {
          return done(absl::UnavailableError(
              absl::StrCat("the decision could not be made durable, so nothing is allowed: ",
                           appended.status().message())));
        }
        const EventLog::Appended& where = appended->front();
        if (where.duplicate) return done(Recorded(request, override, where.index, where.tree_size));
        checked.recorded = true;
        checked.index = where.index;
        checked.tree_size = where.tree_size;
        done(std::move(checked));
      });
}

}  // namespace policy
}  // namespace ledger
}  // namespace vellum
