#include "ledger/rate_limit.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1000000);

KeyedRateLimiter::Options Rate(double rate, double burst, size_t max_keys = 65536) {
  KeyedRateLimiter::Options options;
  options.rate = rate;
  options.burst = burst;
  options.max_keys = max_keys;
  return options;
}

TEST(KeyedRateLimiterTest, EachKeyHasItsBucketWhichRefills) {
  KeyedRateLimiter limiter(Rate(10, 3));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take("a", kT0).has_value()) << i;
  absl::optional<absl::Duration> wait = limiter.Take("a", kT0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(100));
  EXPECT_FALSE(limiter.Take("b", kT0).has_value());
  EXPECT_FALSE(limiter.Take("a", kT0 + absl::Milliseconds(100)).has_value());
  EXPECT_TRUE(limiter.Take("a", kT0 + absl::Milliseconds(100)).has_value());
}

TEST(KeyedRateLimiterTest, ACostIsTakenWholeOrNotAtAll) {
  KeyedRateLimiter limiter(Rate(100, 100));
  EXPECT_FALSE(limiter.Take("p", kT0, 60).has_value());
  absl::optional<absl::Duration> wait = limiter.Take("p", kT0, 60);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(200));
  // Nothing was taken by the refusal: 40 are still there.
  EXPECT_FALSE(limiter.Take("p", kT0, 40).has_value());
  // More than the burst can never be taken.
  EXPECT_EQ(limiter.Take("q", kT0, 101), absl::InfiniteDuration());
}

TEST(KeyedRateLimiterTest, TheTableIsBoundedAndOverflowSharesOneBucket) {
  KeyedRateLimiter limiter(Rate(1, 2, /*max_keys=*/4));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(limiter.Take(absl::StrCat("k", i), kT0).has_value());
  EXPECT_EQ(limiter.keys(), 4u);
  // Full of buckets that are not full: new keys share the overflow bucket (a burst of 2 for
  // all of them).
  EXPECT_FALSE(limiter.Take("n1", kT0).has_value());
  EXPECT_FALSE(limiter.Take("n2", kT0).has_value());
  EXPECT_TRUE(limiter.Take("n3", kT0).has_value());
  EXPECT_EQ(limiter.keys(), 4u);
  // Once the old buckets have refilled, a sweep frees their places.
  EXPECT_FALSE(limiter.Take("later", kT0 + absl::Seconds(5)).has_value());
  EXPECT_EQ(limiter.keys(), 1u);
}

TEST(KeyedRateLimiterTest, ABurstBelowOneDefaultsToTwoSeconds) {
  EXPECT_EQ(KeyedRateLimiter(Rate(5, 0)).options().burst, 10);
  EXPECT_EQ(KeyedRateLimiter(Rate(0.1, 0)).options().burst, 1);
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
