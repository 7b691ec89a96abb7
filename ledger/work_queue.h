#ifndef VELLUM_LEDGER_WORK_QUEUE_H_
#define VELLUM_LEDGER_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace vellum {
namespace ledger {

// A fixed set of threads that run posted work in the order it was posted, for work that must
// not hold the thread that asked for it: an HTTP I/O thread, which serves its connections alone
// (api/http_server.h), or the sequencer's writer. Proving receipts, searches and look-ups that
// may wait for an index run here. Thread-safe.
class WorkQueue {
 public:
  // Starts `threads` threads (at least one).
  explicit WorkQueue(int threads);
  // Stops, if not stopped yet.
  ~WorkQueue();

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `work` to run on one of the threads. Not after Stop().
  void Post(std::function<void()> work);

  // Runs the work already posted, then joins the threads. Idempotent; call from one thread.
  void Stop();

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> work_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WORK_QUEUE_H_
