#include "ledger/policy/deploy_link.h"

#include "ledger/events/server_event.h"

namespace vellum {
namespace ledger {
namespace policy {
namespace {

// Equal, or one of the two does not say.
bool Agree(const std::string& a, const std::string& b) { return a.empty() || b.empty() || a == b; }

}  // namespace

bool IsObservedDeploy(const AuditEvent& event) {
  if (event.action() != ACTION_DEPLOY && event.action() != ACTION_PROMOTE) return false;
  if (event.observer().adapter() == kServerSource) return false;
  const Outcome::Result result = event.outcome().result();
  if (result != Outcome::RESULT_SUCCESS && result != Outcome::RESULT_PENDING) return false;
  return !event.target().model_name().empty();
}

bool Allows(const AuditEvent& decision, const AuditEvent& deploy) {
  if (decision.action() != ACTION_GATE_DECISION || !decision.gate().allowed()) return false;
  if (decision.gate().action() != ACTION_DEPLOY && decision.gate().action() != ACTION_PROMOTE) {
    return false;
  }
  const Target& d = decision.target();
  const Target& o = deploy.target();
  return d.model_name() == o.model_name() && Agree(d.model_version(), o.model_version()) &&
         Agree(d.model_digest(), o.model_digest()) && Agree(d.environment(), o.environment());
}

absl::StatusOr<absl::optional<uint64_t>> FindAllowingDecision(const EventLog& log,
                                                              const AuditEvent& deploy,
                                                              uint64_t index,
                                                              size_t max_decisions) {
  EventSearchRequest request;
  request.query.model = deploy.target().model_name();
  if (!deploy.target().model_version().empty()) {
    request.query.version = deploy.target().model_version();
  }
  request.query.action = ACTION_GATE_DECISION;
  request.query.outcome = Outcome::RESULT_SUCCESS;
  request.query.newest_first = true;
  request.cursor = index;  // Newest first: the indices below it.
  request.query.limit = 100;
  size_t looked = 0;
  while (looked < max_decisions) {
    absl::StatusOr<EventLog::SearchResult> page = log.Search(request);
    if (!page.ok()) return page.status();
    for (const EventLog::Match& match : page->matches) {
      if (match.index >= index) continue;
      if (match.event.observer().adapter() == kServerSource && Allows(match.event, deploy)) {
        return match.index;
      }
      if (++looked >= max_decisions) break;
    }
    if (!page->next_cursor.has_value()) break;
    request.cursor = page->next_cursor;
  }
  return absl::optional<uint64_t>();
}

}  // namespace policy
}  // namespace ledger
}  // namespace vellum
