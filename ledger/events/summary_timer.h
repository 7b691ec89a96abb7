#ifndef VELLUM_LEDGER_EVENTS_SUMMARY_TIMER_H_
#define VELLUM_LEDGER_EVENTS_SUMMARY_TIMER_H_

#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace vellum {
namespace ledger {

// Runs `run` on its own thread every `interval` until stopped: the thread that writes the
// periodic summary events (AttemptLog, ShedLog). Thread-safe.
class SummaryTimer {
 public:
  SummaryTimer(absl::Duration interval, std::function<void()> run);
  // Stops, if not stopped yet.
  ~SummaryTimer();

  SummaryTimer(const SummaryTimer&) = delete;
  SummaryTimer& operator=(const SummaryTimer&) = delete;

  // Waits for a run in progress to finish and joins the thread; `run` is not called again.
  // Idempotent; call from one thread.
  void Stop();

 private:
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_SUMMARY_TIMER_H_
