#include "ledger/work_queue.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/refusal.h"

namespace vellum {
namespace ledger {

WorkQueue::WorkQueue(int threads, size_t max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Run(); });
}

WorkQueue::~WorkQueue() { Stop(); }

void WorkQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

absl::Status WorkQueue::Post(std::function<void()> work) {
  absl::MutexLock lock(&mu_);
  if (work_.size() >= max_queued_) {
    ++refused_;
    return WithRetryAfter(absl::UnavailableError(absl::StrCat(
                              "the work queue holds ", work_.size(), " requests, its bound; "
                              "retry later")),
                          absl::Seconds(1));
  }
  work_.push_back(std::move(work));
  return absl::OkStatus();
}

uint64_t WorkQueue::refused() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

size_t WorkQueue::queued() const {
  absl::MutexLock lock(&mu_);
  return work_.size();
}

void WorkQueue::Run() {
  for (;;) {
    std::function<void()> work;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !work_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (work_.empty()) return;
      work = std::move(work_.front());
      work_.pop_front();
    }
    work();
  }
}

}  // namespace ledger
}  // namespace vellum
