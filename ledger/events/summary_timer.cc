#include "ledger/events/summary_timer.h"

#include <utility>

namespace vellum {
namespace ledger {

SummaryTimer::SummaryTimer(absl::Duration interval, std::function<void()> run) {
  thread_ = std::thread([this, interval, run = std::move(run)] {
    absl::MutexLock lock(&mu_);
    while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval)) {
      mu_.Unlock();
      run();
      mu_.Lock();
    }
  });
}

SummaryTimer::~SummaryTimer() { Stop(); }

void SummaryTimer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace ledger
}  // namespace vellum
