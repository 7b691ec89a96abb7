#include "ledger/policy/evaluate.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/events/event_codec.h"
#include "ledger/identity/policy.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

bool AnyGlob(const std::vector<std::string>& globs, const std::string& value) {
  if (globs.empty()) return true;
  for (const std::string& glob : globs) {
    if (identity::GlobMatch(glob, value)) return true;
  }
  return false;
}

bool Covers(const CompiledRule& rule, const GateRequest& request) {
  if (!rule.actions.empty() &&
      std::find(rule.actions.begin(), rule.actions.end(), request.action) == rule.actions.end()) {
    return false;
  }
  if (!AnyGlob(rule.models, request.model) || !AnyGlob(rule.environments, request.environment)) {
    return false;
  }
  for (const auto& [key, value] : rule.labels) {
    auto it = request.labels.find(key);
    if (it == request.labels.end() || it->second != value) return false;
  }
  return true;
}

bool InWindow(const CompiledRule& rule, absl::Time at) {
  const absl::CivilMinute minute = absl::ToCivilMinute(at, absl::UTCTimeZone());
  // absl::Weekday counts from Monday.
  const int day = static_cast<int>(absl::GetWeekday(absl::CivilDay(minute)));
  if (!rule.days.empty() && std::find(rule.days.begin(), rule.days.end(), day) == rule.days.end()) {
    return false;
  }
  if (!rule.minutes.has_value()) return true;
  const int now = minute.hour() * 60 + minute.minute();
  const auto [start, end] = *rule.minutes;
  return start < end ? (now >= start && now < end) : (now >= start || now < end);
}

std::string Describe(const CompiledRule& rule, const GateRequest& request) {
  std::string text = absl::StrCat(rule.approvals, " approval", rule.approvals == 1 ? "" : "s",
                                  " of ", ActionName(request.action), " ", request.model, " ",
                                  request.version, " in ", request.environment);
  if (rule.same_digest) absl::StrAppend(&text, " for digest ", request.digest);
  if (!rule.approver_groups.empty()) {
    absl::StrAppend(&text, " from ", absl::StrJoin(rule.approver_groups, " or "));
  }
  if (!rule.review_sources.empty()) {
    absl::StrAppend(&text, " (GitHub reviews of the run the check names count)");
  }
  if (rule.distinct_from_requester) absl::StrAppend(&text, ", not by the requester");
  if (rule.max_age.has_value()) {
    absl::StrAppend(&text, ", at most ", absl::FormatDuration(*rule.max_age), " old");
  }
  return text;
}

// Whether `groups` meet the rule's approver_groups (any, when it names none).
bool InGroups(const CompiledRule& rule, const std::vector<std::string>& groups) {
  if (rule.approver_groups.empty()) return true;
  return std::any_of(groups.begin(), groups.end(), [&](const std::string& g) {
    return std::find(rule.approver_groups.begin(), rule.approver_groups.end(), g) !=
           rule.approver_groups.end();
  });
}

// Whether a decider's approval, logged at `logged`, may count for `rule` and `request`: it names
// someone, in the rule's groups, neither the requester, nor the caller, nor `asker` (whoever
// asked for it) under distinct_from_requester, and within max_age of `at`.
bool MayCount(const CompiledRule& rule, const GateRequest& request, const std::string& decider,
              const std::vector<std::string>& groups, absl::Time logged, absl::Time at,
              const std::string& asker) {
  if (decider.empty() || !InGroups(rule, groups)) return false;
  if (rule.distinct_from_requester &&
      (decider == request.requester || decider == request.caller || decider == asker)) {
    return false;
  }
  return !rule.max_age.has_value() || (logged >= at - *rule.max_age && logged <= at);
}

// The approvals that count for `rule`, one per approver at their earliest, in index order, and
// whether a rejection voided a request that would otherwise have counted.
struct Counted {
  std::vector<uint64_t> indices;
  size_t voided = 0;
};

Counted CountApprovals(const CompiledRule& rule, const GateRequest& request,
                       const ApprovalBook& book, uint64_t horizon, absl::Time at) {
  struct Candidate {
    uint64_t index;
    std::string decider;
  };
  std::vector<Candidate> candidates;
  Counted counted;
  for (const ApprovalAsk& ask : book.requests()) {
    if (ask.index >= horizon) break;
    if (ask.action != request.action || ask.model != request.model ||
        ask.version != request.version || ask.environment != request.environment) {
      continue;
    }
    if (rule.same_digest && (request.digest.empty() || ask.digest != request.digest)) continue;
    const std::vector<ApprovalVote>& votes = book.VotesOn(ask.id);
    const bool rejected = std::any_of(votes.begin(), votes.end(), [&](const ApprovalVote& v) {
      return !v.approve && v.index < horizon;
    });
    if (rejected) {
      ++counted.voided;
      continue;
    }
    for (const ApprovalVote& vote : votes) {
      if (vote.index >= horizon || !vote.approve) continue;
      if (!MayCount(rule, request, vote.decider, vote.groups, vote.logged, at, ask.requester)) {
        continue;
      }
      candidates.push_back({vote.index, vote.decider});
    }
  }
  // Reviews of other systems (review_sources): GitHub's, for this environment and the run the
  // request names; a rejection of the run voids its reviews.
  const bool github = std::find(rule.review_sources.begin(), rule.review_sources.end(),
                                "github") != rule.review_sources.end();
  auto run = request.labels.find("github.workflow_run_id");
  if (github && run != request.labels.end() && !run->second.empty()) {
    std::vector<const ReviewRecord*> reviews;
    bool rejected = false;
    for (const ReviewRecord& review : book.reviews()) {
      if (review.index >= horizon) break;
      if (review.environment != request.environment || review.run != run->second ||
          std::find(rule.review_repositories.begin(), rule.review_repositories.end(),
                    review.repository) == rule.review_repositories.end()) {
        continue;
      }
      if (!review.approve) rejected = true;
      reviews.push_back(&review);
    }
    if (rejected) {
      ++counted.voided;
    } else {
      // A review has no asker on record: the adapter does not record who started the run.
      for (const ReviewRecord* review : reviews) {
        if (MayCount(rule, request, review->decider, review->groups, review->logged, at, "")) {
          candidates.push_back({review->index, review->decider});
        }
      }
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
  std::set<std::string> seen;
  for (const Candidate& c : candidates) {
    if (seen.insert(c.decider).second) counted.indices.push_back(c.index);
  }
  return counted;
}

Decision Decide(const DeployPolicy& policy, const GateRequest& request, const ApprovalBook& book,
               uint64_t horizon, absl::Time at) {
  Decision decision;
  for (const CompiledRule& rule : policy.rules()) {
    if (!Covers(rule, request)) continue;
    decision.rule = rule.id;
    if (rule.allow.has_value()) {
      decision.allowed = *rule.allow;
      decision.reasons.push_back(absl::StrCat("rule ", rule.id,
                                              *rule.allow ? " allows it" : " denies it"));
      return decision;
    }
    bool ok = true;
    if (rule.has_window && !InWindow(rule, at)) {
      ok = false;
      decision.reasons.push_back(
          absl::StrCat("rule ", rule.id, ": outside its time window (UTC)"));
    }
    for (const auto& [source, state] : rule.source_states) {
      if (!book.HoldsState(source, state, request.model, request.version, horizon)) {
        ok = false;
        decision.reasons.push_back(absl::StrCat(
            "rule ", rule.id, ": needs ", source, " to show ", request.model, " ",
            request.version, source == "sagemaker" ? " " : " in ", state,
            source == "sagemaker" ? "" : (source == "mlflow" ? " (alias)" : " (stage)")));
      }
    }
    if (rule.approvals > 0) {
      if (rule.same_digest && request.digest.empty()) {
        ok = false;
        decision.reasons.push_back(
            absl::StrCat("rule ", rule.id, ": needs the artifact digest, got none"));
      } else {
        Counted counted = CountApprovals(rule, request, book, horizon, at);
        if (counted.indices.size() < rule.approvals) {
          ok = false;
          std::string reason = absl::StrCat("rule ", rule.id, ": needs ", Describe(rule, request),
                                            "; has ", counted.indices.size());
          if (counted.voided > 0) {
            absl::StrAppend(&reason, " (", counted.voided, " request",
                            counted.voided == 1 ? "" : "s", " rejected)");
          }
          decision.reasons.push_back(std::move(reason));
        } else {
          decision.approvals = std::move(counted.indices);
        }
      }
    }
    decision.allowed = ok;
    if (ok) {
      decision.reasons.push_back(absl::StrCat("rule ", rule.id, ": requirements met"));
    } else {
      decision.approvals.clear();
    }
    return decision;
  }
  decision.reasons.push_back("no rule matches: denied by default");
  return decision;
}

}  // namespace

Decision Evaluate(const DeployPolicy& policy, const GateRequest& request,
                  const ApprovalBook& book, uint64_t horizon, absl::Time at) {
  Decision decision = Decide(policy, request, book, horizon, at);
  // Each reason fits a string of an event (the names in it are ASCII, so a cut at a byte is a
  // cut at a character).
  for (std::string& reason : decision.reasons) {
    if (reason.size() > kMaxEventStringBytes) reason.resize(kMaxEventStringBytes);
  }
  return decision;
}

GateRequest RequestOfDecision(const AuditEvent& event) {
  GateRequest request;
  const GateDecision& gate = event.gate();
  request.action = gate.action();
  request.model = event.target().model_name();
  request.version = event.target().model_version();
  request.digest = event.target().model_digest();
  request.environment = event.target().environment();
  request.labels.insert(gate.labels().begin(), gate.labels().end());
  for (const SealedField& item : event.sealed()) {
    if (item.path() == "gate.on_behalf_of") request.requester = item.pseudonym();
  }
  if (request.requester.empty()) request.requester = IdentityKey("", gate.on_behalf_of());
  request.caller = ActorKey(event);
  if (request.requester.empty()) request.requester = request.caller;
  return request;
}

void RecordDecision(const Decision& decision, AuditEvent* event) {
  GateDecision* gate = event->mutable_gate();
  gate->set_allowed(decision.allowed);
  gate->set_rule(decision.rule);
  gate->clear_reasons();
  for (const std::string& reason : decision.reasons) gate->add_reasons(reason);
  gate->clear_approvals();
  for (uint64_t index : decision.approvals) gate->add_approvals(index);
  event->mutable_outcome()->set_result(decision.allowed ? Outcome::RESULT_SUCCESS
                                                        : Outcome::RESULT_DENIED);
}

}  // namespace policy
}  // namespace ledger
}  // namespace vellum
