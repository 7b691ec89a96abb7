#include "api/source_limits.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace {

TEST(SourceLimiterTest, ConnectionsAreCountedPerSource) {
  SourceLimiter::Options options;
  options.max_connections_per_source = 2;
  SourceLimiter limiter(options);
  EXPECT_TRUE(limiter.OpenConnection("127.0.0.2"));
  EXPECT_TRUE(limiter.OpenConnection("127.0.0.2"));
  EXPECT_FALSE(limiter.OpenConnection("127.0.0.2"));
  // Another source is not held back by the first.
  EXPECT_TRUE(limiter.OpenConnection("127.0.0.1"));
  limiter.CloseConnection("127.0.0.2");
  EXPECT_TRUE(limiter.OpenConnection("127.0.0.2"));
  EXPECT_FALSE(limiter.OpenConnection("127.0.0.2"));
}

TEST(SourceLimiterTest, ARefusedFirstConnectionLeavesNoEntry) {
  SourceLimiter::Options options;
  options.max_connections_per_source = 0;  // No limit.
  SourceLimiter unlimited(options);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(unlimited.OpenConnection("10.0.0.1"));
}

TEST(SourceLimiterTest, RequestsAreLimitedPerSourceAndRefill) {
  SourceLimiter::Options options;
  options.requests_per_second = 10;
  options.request_burst = 3;
  SourceLimiter limiter(options);
  const absl::Time t0 = absl::FromUnixSeconds(1000000);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.TakeRequest("a", t0).has_value()) << i;
  absl::optional<absl::Duration> wait = limiter.TakeRequest("a", t0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(100));
  // Another source has its own bucket.
  EXPECT_FALSE(limiter.TakeRequest("b", t0).has_value());
  // A tenth of a second later one request is allowed again, and only one.
  EXPECT_FALSE(limiter.TakeRequest("a", t0 + absl::Milliseconds(100)).has_value());
  EXPECT_TRUE(limiter.TakeRequest("a", t0 + absl::Milliseconds(100)).has_value());
}

TEST(SourceLimiterTest, NoRateMeansNoLimit) {
  SourceLimiter limiter(SourceLimiter::Options{});
  for (int i = 0; i < 10000; ++i) {
    EXPECT_FALSE(limiter.TakeRequest("a", absl::UnixEpoch()).has_value());
  }
  EXPECT_EQ(limiter.rate_sources(), 0u);
}

TEST(SourceLimiterTest, TheBucketTableIsBoundedAndOverflowSharesOneBucket) {
  SourceLimiter::Options options;
  options.requests_per_second = 1;
  options.request_burst = 2;
  options.max_rate_sources = 4;
  SourceLimiter limiter(options);
  const absl::Time t0 = absl::FromUnixSeconds(1000000);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(limiter.TakeRequest(absl::StrCat("10.0.0.", i), t0).has_value());
  }
  EXPECT_EQ(limiter.rate_sources(), 4u);
  // The table is full of buckets that are not full: new sources share the overflow bucket,
  // which holds a burst of 2 for all of them together.
  EXPECT_FALSE(limiter.TakeRequest("10.0.1.1", t0).has_value());
  EXPECT_FALSE(limiter.TakeRequest("10.0.1.2", t0).has_value());
  EXPECT_TRUE(limiter.TakeRequest("10.0.1.3", t0).has_value());
  EXPECT_EQ(limiter.rate_sources(), 4u);
  // Once the old buckets have refilled (they hold nothing), a sweep frees their places.
  const absl::Time later = t0 + absl::Seconds(5);
  EXPECT_FALSE(limiter.TakeRequest("10.0.2.1", later).has_value());
  EXPECT_EQ(limiter.rate_sources(), 1u);
}

TEST(SourceLimiterTest, ABurstBelowOneDefaultsToTwoSeconds) {
  SourceLimiter::Options options;
  options.requests_per_second = 5;
  SourceLimiter limiter(options);
  EXPECT_EQ(limiter.options().request_burst, 10);
}

}  // namespace
}  // namespace api
}  // namespace vellum
