#include "ledger/events/logged_clock.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1790000000);

class LoggedClockTest : public ::testing::Test {
 protected:
  LoggedClockTest() {
    options_.wall = [this] { return wall_; };
    options_.monotonic = [this] { return monotonic_; };
    options_.max_forward_jump = absl::Seconds(60);
    options_.log = [this](absl::string_view line) { lines_.emplace_back(line); };
  }

  // Both clocks move on by `d`.
  void Pass(absl::Duration d) {
    wall_ += d;
    monotonic_ += d;
  }

  std::string Metrics(const LoggedClock& clock) {
    std::string out;
    clock.RenderMetrics(&out);
    return out;
  }

  absl::Time wall_ = kStart;
  absl::Duration monotonic_ = absl::Hours(1);
  std::vector<std::string> lines_;
  LoggedClock::Options options_;
};

TEST_F(LoggedClockTest, StampsTheWallClock) {
  LoggedClock clock(options_, absl::InfinitePast());
  for (int i = 0; i < 3; ++i) {
    LoggedClock::Reading r = clock.Next();
    ASSERT_TRUE(r.stamp.ok()) << r.stamp.status();
    EXPECT_EQ(*r.stamp, wall_);
    EXPECT_TRUE(r.anomalies.empty());
    Pass(absl::Seconds(1));
  }
  EXPECT_TRUE(lines_.empty());
  EXPECT_THAT(Metrics(clock), HasSubstr("vellum_logged_time_clamped_total 0\n"));
}

TEST_F(LoggedClockTest, AClockThatGoesBackIsHeldAtTheLastStampOncePerEpisode) {
  LoggedClock clock(options_, absl::InfinitePast());
  ASSERT_EQ(*clock.Next().stamp, kStart);
  wall_ -= absl::Seconds(30);
  LoggedClock::Reading first = clock.Next();
  EXPECT_EQ(*first.stamp, kStart);
  ASSERT_EQ(first.anomalies.size(), 1u);
  EXPECT_EQ(first.anomalies[0].at, kStart);
  EXPECT_THAT(first.anomalies[0].description, HasSubstr("went back"));
  EXPECT_THAT(first.anomalies[0].description, HasSubstr("30s behind the last logged time"));
  Pass(absl::Seconds(10));
  LoggedClock::Reading second = clock.Next();
  EXPECT_EQ(*second.stamp, kStart);
  EXPECT_TRUE(second.anomalies.empty());  // The same episode.
  EXPECT_EQ(lines_.size(), 1u);
  const std::string metrics = Metrics(clock);
  EXPECT_THAT(metrics, HasSubstr("vellum_logged_time_clamped_total 2\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_logged_time_behind_seconds 20\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_clock_anomalies_total{direction=\"back\"} 1\n"));
  // Caught up: the wall clock again, and a later going back is a new episode.
  Pass(absl::Seconds(25));
  EXPECT_EQ(*clock.Next().stamp, kStart + absl::Seconds(5));
  EXPECT_THAT(Metrics(clock), HasSubstr("vellum_logged_time_behind_seconds 0\n"));
  wall_ -= absl::Seconds(1);
  EXPECT_EQ(clock.Next().anomalies.size(), 1u);
  EXPECT_EQ(lines_.size(), 2u);
}

TEST_F(LoggedClockTest, AtStartAWallClockBehindTheLastLoggedTimeIsHeldToIt) {
  // A long downtime is no jump; a clock behind what the log holds is going back.
  LoggedClock later(options_, kStart - absl::Hours(24 * 400));
  EXPECT_EQ(*later.Next().stamp, kStart);
  EXPECT_TRUE(lines_.empty());
  LoggedClock clock(options_, kStart + absl::Hours(2));
  LoggedClock::Reading r = clock.Next();
  EXPECT_EQ(*r.stamp, kStart + absl::Hours(2));
  EXPECT_EQ(r.anomalies.size(), 1u);
}

TEST_F(LoggedClockTest, AJumpAheadIsRefusedUntilTheClockComesBack) {
  LoggedClock clock(options_, absl::InfinitePast());
  ASSERT_EQ(*clock.Next().stamp, kStart);
  Pass(absl::Seconds(10));
  wall_ += absl::Hours(1);  // Set an hour ahead.
  LoggedClock::Reading refused = clock.Next();
  EXPECT_EQ(refused.stamp.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.stamp.status().message()),
              HasSubstr("3600s ahead of 2026-09-21T14:13:30+00:00 where the monotonic clock "
                        "puts it, want at most 60s (clock.max_forward_jump_seconds)"));
  ASSERT_EQ(refused.anomalies.size(), 1u);
  // Its record is stamped where the monotonic clock puts the wall clock.
  EXPECT_EQ(refused.anomalies[0].at, kStart + absl::Seconds(10));
  EXPECT_THAT(refused.anomalies[0].description, HasSubstr("jumped ahead"));
  Pass(absl::Seconds(5));
  LoggedClock::Reading again = clock.Next();
  EXPECT_EQ(again.stamp.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(again.anomalies.empty());
  EXPECT_EQ(lines_.size(), 1u);
  std::string metrics = Metrics(clock);
  EXPECT_THAT(metrics, HasSubstr("vellum_logged_time_refused_total 2\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_logged_time_ahead_seconds 3600\n"));
  EXPECT_THAT(metrics, HasSubstr("vellum_clock_anomalies_total{direction=\"ahead\"} 1\n"));

  // Set right again (within the bound): stamps resume and the episode's end is reported.
  wall_ -= absl::Hours(1) - absl::Seconds(30);
  LoggedClock::Reading back = clock.Next();
  ASSERT_TRUE(back.stamp.ok()) << back.stamp.status();
  EXPECT_EQ(*back.stamp, kStart + absl::Seconds(45));
  ASSERT_EQ(back.anomalies.size(), 1u);
  EXPECT_EQ(back.anomalies[0].at, *back.stamp);
  EXPECT_THAT(back.anomalies[0].description, HasSubstr("2 appends were refused"));
  EXPECT_THAT(Metrics(clock), HasSubstr("vellum_logged_time_ahead_seconds 0\n"));
}

TEST_F(LoggedClockTest, ARestartAcceptsAClockThatJumped) {
  LoggedClock clock(options_, absl::InfinitePast());
  ASSERT_EQ(*clock.Next().stamp, kStart);
  wall_ += absl::Hours(1);
  ASSERT_FALSE(clock.Next().stamp.ok());
  LoggedClock restarted(options_, kStart + absl::Seconds(1));
  EXPECT_EQ(*restarted.Next().stamp, wall_);
}

TEST_F(LoggedClockTest, ProgressWithinTheBoundAndWithoutTheCheckIsNoJump) {
  LoggedClock clock(options_, absl::InfinitePast());
  ASSERT_EQ(*clock.Next().stamp, kStart);
  wall_ += absl::Seconds(60);  // Exactly the bound.
  EXPECT_TRUE(clock.Next().stamp.ok());
  options_.max_forward_jump = absl::InfiniteDuration();
  LoggedClock unchecked(options_, absl::InfinitePast());
  ASSERT_TRUE(unchecked.Next().stamp.ok());
  wall_ += absl::Hours(24 * 365);
  EXPECT_EQ(*unchecked.Next().stamp, wall_);
}

TEST(BootTimeTest, NeverGoesBack) {
  const absl::Duration first = BootTime();
  EXPECT_GT(first, absl::ZeroDuration());
  EXPECT_GE(BootTime(), first);
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
