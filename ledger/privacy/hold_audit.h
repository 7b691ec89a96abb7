#ifndef VELLUM_LEDGER_PRIVACY_HOLD_AUDIT_H_
#define VELLUM_LEDGER_PRIVACY_HOLD_AUDIT_H_

// The check behind `vellum holds verify` (docs/privacy.md, "Legal holds"): from the log alone
// (with the sealed values a reader is told are gone), that no value went while a hold covered
// it, and that none went without a record that took it.

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace ledger {

// One event as an auditor reads it: where it is, the event as its entry holds it, and its
// sealed items whose values are gone (erased or purged).
struct AuditedEvent {
  uint64_t index = 0;
  AuditEvent event;
  std::vector<SealedField> gone;
};

struct HoldViolation {
  uint64_t index = 0;  // The event whose value went.
  std::string path;
  std::string pseudonym;
  // Why: "held by <id> when <record> took it", or "gone without a record".
  std::string what;
};

// Replays the log's events in index order (`events` holds every event, in order): the holds in
// force at each index (ACTION_HOLD_PLACED less ACTION_HOLD_RELEASED), the retention rules
// (ACTION_RETENTION_CHANGED), and the records that take values: an ACTION_ERASURE_COMPLETED
// after the event, naming its pseudonym, or an ACTION_RETENTION_PURGED whose range holds the
// event and whose rule governed it then. A gone value is accounted for when some such record
// took it while no hold in force covered it (HoldCovers); every other gone value is a violation.
std::vector<HoldViolation> VerifyHolds(const std::vector<AuditedEvent>& events);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_HOLD_AUDIT_H_
