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
}

}  // namespace
}  // namespace api
}  // namespace vellum
