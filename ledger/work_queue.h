#ifndef VELLUM_LEDGER_WORK_QUEUE_H_
#define VELLUM_LEDGER_WORK_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace vellum {
namespace ledger {

// A fixed set of threads that run posted work in the order it was posted, for work that must
// not hold the thread that asked for it: an HTTP I/O thread, which serves its connections alone
// (api/http_server.h), or the sequencer's writer. Proving receipts, searches and look-ups that
// may wait for an index run here. The work waiting is bounded: past the bound, Post() refuses.
// Thread-safe.
class WorkQueue {
 public:
  static constexpr size_t kDefaultMaxQueued = 1024;

  // Starts `threads` threads (at least one); at most `max_queued` posts wait for a thread.
  explicit WorkQueue(int threads, size_t max_queued = kDefaultMaxQueued);
  // Stops, if not stopped yet.
  ~WorkQueue();

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `work` to run on one of the threads, or, when max_queued posts already wait, fails
  // with Unavailable and a one-second retry hint (ledger/refusal.h; HTTP 503 with Retry-After)
  // without queuing it: the caller answers its request with that error. Not after Stop().
  ABSL_MUST_USE_RESULT absl::Status Post(std::function<void()> work);

  // Posts refused so far, and posts waiting now.
  uint64_t refused() const;
  size_t queued() const;

  // Runs the work already posted, then joins the threads. Idempotent; call from one thread.
  void Stop();

 private:
  void Run();

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> work_ ABSL_GUARDED_BY(mu_);
  uint64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WORK_QUEUE_H_
