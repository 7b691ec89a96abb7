#include "ledger/privacy/hold_audit.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/events/event_codec.h"
#include "ledger/privacy/hold_scope.h"
#include "ledger/privacy/retention.h"

namespace vellum {
namespace ledger {
namespace {

// A record that takes values, with the holds and rules in force when it was written.
struct Taking {
  uint64_t index = 0;
  const AuditEvent* record = nullptr;
  std::vector<Hold> holds;
  RetentionRules rules;
};

std::string Describe(const Taking& t) {
  return absl::StrCat(Action_Name(t.record->action()), " at ", t.index);
}

}  // namespace

std::vector<HoldViolation> VerifyHolds(const std::vector<AuditedEvent>& events) {
  // Pass 1: the records that take values, each with the state in force at it.
  std::vector<Taking> takings;
  HoldSet holds;
  RetentionRules rules;
  for (const AuditedEvent& e : events) {
    switch (e.event.action()) {
      case ACTION_HOLD_PLACED:
        // A duplicate id is not this check's to find: the first placement stands.
        (void)holds.Place(e.event.hold());
        break;
      case ACTION_HOLD_RELEASED:
        (void)holds.Release(e.event.hold().id());
        break;
      case ACTION_RETENTION_CHANGED:
        rules = e.event.retention();
        break;
      case ACTION_ERASURE_COMPLETED:
      case ACTION_RETENTION_PURGED:
        takings.push_back(Taking{e.index, &e.event, holds.List(), rules});
        break;
      default:
        break;
    }
  }
  // Pass 2: each gone value must have a record that took it while nothing held it.
  std::vector<HoldViolation> violations;
  for (const AuditedEvent& e : events) {
    for (const SealedField& item : e.gone) {
      const HeldItem held{e.event.target().model_name(), item.pseudonym(),
                          FromProtoTime(e.event.logged_time())};
      bool accounted = false;
      std::string blocked;
      for (const Taking& t : takings) {
        if (t.index <= e.index) continue;
        const Erasure& r = t.record->erasure();
        bool took = false;
        if (t.record->action() == ACTION_ERASURE_COMPLETED) {
          took = std::find(r.pseudonyms().begin(), r.pseudonyms().end(), item.pseudonym()) !=
                 r.pseudonyms().end();
        } else {
          const RetentionRule* rule = GoverningRule(t.rules, e.event);
          took = r.first_index() <= e.index && e.index < r.end_index() && rule != nullptr &&
                 rule->name() == r.rule();
        }
        if (!took) continue;
        auto covering = std::find_if(t.holds.begin(), t.holds.end(), [&](const Hold& h) {
          return HoldCovers(h.scope(), held);
        });
        if (covering == t.holds.end()) {
          accounted = true;
          break;
        }
        if (blocked.empty()) {
          blocked = absl::StrCat("held by ", covering->id(), " when ", Describe(t), " took it");
        }
      }
      if (!accounted) {
        violations.push_back(HoldViolation{e.index, item.path(), item.pseudonym(),
                                           blocked.empty() ? "gone without a record" : blocked});
      }
    }
  }
  return violations;
}

}  // namespace ledger
}  // namespace vellum
