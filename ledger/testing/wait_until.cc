#include "ledger/testing/wait_until.h"

#include "absl/time/clock.h"

namespace vellum {
namespace ledger {

bool WaitUntil(const std::function<bool()>& condition, absl::Duration timeout,
               absl::Duration interval) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(interval);
  }
}

}  // namespace ledger
}  // namespace vellum
