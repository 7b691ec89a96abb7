#ifndef VELLUM_LEDGER_TESTING_WAIT_UNTIL_H_
#define VELLUM_LEDGER_TESTING_WAIT_UNTIL_H_

#include <functional>

#include "absl/time/time.h"

namespace vellum {
namespace ledger {

// Calls `condition` until it returns true or `timeout` has passed, pausing `interval` between
// calls; returns whether it became true. Tests wait for a state with this instead of sleeping
// for it: on a loaded machine the wait is longer, never wrong. `condition` runs on the caller's
// thread.
bool WaitUntil(const std::function<bool()>& condition, absl::Duration timeout,
               absl::Duration interval = absl::Milliseconds(10));

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TESTING_WAIT_UNTIL_H_
