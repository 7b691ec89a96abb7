#include "ledger/work_queue.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

TEST(WorkQueueTest, OneThreadRunsWorkInOrder) {
  std::vector<int> order;
  {
    WorkQueue queue(1);
    for (int i = 0; i < 100; ++i) queue.Post([&order, i] { order.push_back(i); });
  }  // The destructor runs what was posted before joining.
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(WorkQueueTest, BlockedWorkDoesNotHoldTheOtherThreads) {
  WorkQueue queue(2);
  absl::Notification release, ran;
  queue.Post([&release] { release.WaitForNotification(); });
  queue.Post([&ran] { ran.Notify(); });
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  release.Notify();
}

TEST(WorkQueueTest, EveryPostFromManyThreadsRunsOnce) {
  std::atomic<int> runs{0};
  {
    WorkQueue queue(3);
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
      posters.emplace_back([&queue, &runs] {
        for (int i = 0; i < 1000; ++i) queue.Post([&runs] { runs++; });
      });
    }
    for (std::thread& t : posters) t.join();
  }
  EXPECT_EQ(runs.load(), 4000);
}

TEST(WorkQueueTest, StopRunsWhatIsQueuedAndIsIdempotent) {
  std::atomic<int> runs{0};
  WorkQueue queue(2);
  for (int i = 0; i < 50; ++i) queue.Post([&runs] { runs++; });
  queue.Stop();
  EXPECT_EQ(runs.load(), 50);
  queue.Stop();
}

TEST(WorkQueueTest, AtLeastOneThread) {
  absl::Notification ran;
  WorkQueue queue(0);
  queue.Post([&ran] { ran.Notify(); });
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
