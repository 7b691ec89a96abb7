#include "ledger/work_queue.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "ledger/refusal.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

TEST(WorkQueueTest, OneThreadRunsWorkInOrder) {
  std::vector<int> order;
  {
    WorkQueue queue(1);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue.Post([&order, i] { order.push_back(i); }).ok());
  }  // The destructor runs what was posted before joining.
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(WorkQueueTest, BlockedWorkDoesNotHoldTheOtherThreads) {
  WorkQueue queue(2);
  absl::Notification release, ran;
  ASSERT_TRUE(queue.Post([&release] { release.WaitForNotification(); }).ok());
  ASSERT_TRUE(queue.Post([&ran] { ran.Notify(); }).ok());
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  release.Notify();
}

TEST(WorkQueueTest, EveryPostFromManyThreadsRunsOnce) {
  std::atomic<int> runs{0};
  {
    WorkQueue queue(3, /*max_queued=*/4000);
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
      posters.emplace_back([&queue, &runs] {
        for (int i = 0; i < 1000; ++i) EXPECT_TRUE(queue.Post([&runs] { runs++; }).ok());
      });
    }
    for (std::thread& t : posters) t.join();
  }
  EXPECT_EQ(runs.load(), 4000);
}

TEST(WorkQueueTest, StopRunsWhatIsQueuedAndIsIdempotent) {
  std::atomic<int> runs{0};
  WorkQueue queue(2);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(queue.Post([&runs] { runs++; }).ok());
  queue.Stop();
  EXPECT_EQ(runs.load(), 50);
  queue.Stop();
}

TEST(WorkQueueTest, AtLeastOneThread) {
  absl::Notification ran;
  WorkQueue queue(0);
  ASSERT_TRUE(queue.Post([&ran] { ran.Notify(); }).ok());
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST(WorkQueueTest, AFullQueueRefusesPostsUntilItDrains) {
  WorkQueue queue(1, /*max_queued=*/2);
  absl::Notification started, release;
  std::atomic<int> runs{0};
  ASSERT_TRUE(queue.Post([&] {
    started.Notify();
    release.WaitForNotification();
  }).ok());
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(30)));
  // The thread is busy: two posts wait, the third is refused and never runs.
  ASSERT_TRUE(queue.Post([&runs] { runs++; }).ok());
  ASSERT_TRUE(queue.Post([&runs] { runs++; }).ok());
  EXPECT_EQ(queue.queued(), 2u);
  absl::Status refused = queue.Post([&runs] { runs += 100; });
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(refused.message(), "the work queue holds 2 requests, its bound; retry later");
  EXPECT_EQ(RetryAfter(refused), absl::Seconds(1));
  EXPECT_EQ(queue.refused(), 1u);
  release.Notify();
  queue.Stop();
  EXPECT_EQ(runs.load(), 2);
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
