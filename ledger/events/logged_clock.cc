#include "ledger/events/logged_clock.h"

#include <time.h>

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/metrics/metrics.h"

namespace vellum {
namespace ledger {
namespace {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToDoubleSeconds(d), "s"); }

}  // namespace

absl::Duration BootTime() {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return absl::DurationFromTimespec(ts);
}

void LogToStderr(absl::string_view line) { std::cerr << line << "\n"; }

LoggedClock::LoggedClock(Options options, absl::Time last_logged)
    : options_(std::move(options)), last_stamp_(last_logged) {}

absl::Status LoggedClock::Refusal(absl::Time wall, absl::Time expected) const {
  return absl::UnavailableError(absl::StrCat(
      "logged time: the wall clock reads ", Rfc3339(wall), ", ", Seconds(wall - expected),
      " ahead of ", Rfc3339(expected), " where the monotonic clock puts it, want at most ",
      Seconds(options_.max_forward_jump), " (clock.max_forward_jump_seconds): events are refused "
      "until the clock is set right or vellumd restarts (docs/operations.md, \"Time\")"));
}

void LoggedClock::Report(std::string description, absl::Time at, Reading* reading) const {
  options_.log(description);
  reading->anomalies.push_back(Anomaly{std::move(description), at});
}

LoggedClock::Reading LoggedClock::Next() {
  const absl::Time wall = options_.wall();
  const absl::Duration monotonic = options_.monotonic();
  Reading reading;
  if (have_reading_) {
    const absl::Time expected = reading_wall_ + (monotonic - reading_monotonic_);
    if (wall - expected > options_.max_forward_jump) {
      refused_++;
      refused_in_episode_++;
      ahead_seconds_ = absl::ToDoubleSeconds(wall - expected);
      reading.stamp = Refusal(wall, expected);
      if (!ahead_) {
        ahead_ = true;
        ahead_episodes_++;
        last_stamp_ = std::max(last_stamp_, expected);
        Report(absl::StrCat("clock anomaly: the wall clock jumped ahead: it reads ", Rfc3339(wall),
                            ", ", Seconds(wall - expected), " ahead of ", Rfc3339(expected),
                            " where the monotonic clock puts it (bound ",
                            Seconds(options_.max_forward_jump),
                            "); events are refused until the clock is set right or vellumd "
                            "restarts"),
               last_stamp_, &reading);
      }
      return reading;
    }
  }
  have_reading_ = true;
  reading_wall_ = wall;
  reading_monotonic_ = monotonic;
  const absl::Time stamp = std::max(last_stamp_, wall);
  if (ahead_) {
    ahead_ = false;
    ahead_seconds_ = 0;
    Report(absl::StrCat("clock anomaly over: the wall clock reads ", Rfc3339(wall),
                        ", back within ", Seconds(options_.max_forward_jump),
                        " of the monotonic clock; ", refused_in_episode_,
                        " appends were refused"),
           stamp, &reading);
    refused_in_episode_ = 0;
  }
  if (wall < last_stamp_) {
    clamped_++;
    behind_seconds_ = absl::ToDoubleSeconds(last_stamp_ - wall);
    if (!behind_) {
      behind_ = true;
      back_episodes_++;
      Report(absl::StrCat("clock anomaly: the wall clock went back: it reads ", Rfc3339(wall),
                          ", ", Seconds(last_stamp_ - wall), " behind the last logged time ",
                          Rfc3339(last_stamp_),
                          ", which events are stamped with until it catches up"),
             stamp, &reading);
    }
  } else {
    behind_ = false;
    behind_seconds_ = 0;
  }
  last_stamp_ = stamp;
  reading.stamp = stamp;
  return reading;
}

void LoggedClock::RenderMetrics(std::string* out) const {
  RenderMetric("vellum_logged_time_clamped_total", "counter",
               "Events stamped with the last logged time because the wall clock was behind it.",
               clamped_.load(), out);
  RenderMetric("vellum_logged_time_behind_seconds", "gauge",
               "How far the wall clock was behind the last logged time at the latest stamp.",
               behind_seconds_.load(), out);
  RenderMetric("vellum_logged_time_refused_total", "counter",
               "Appends refused because the wall clock had jumped ahead of the monotonic clock.",
               refused_.load(), out);
  RenderMetric("vellum_logged_time_ahead_seconds", "gauge",
               "While appends are refused: how far the wall clock is ahead of the monotonic one.",
               ahead_seconds_.load(), out);
  RenderMetricHeader("vellum_clock_anomalies_total", "counter",
                     "Episodes of a wall clock that went back or jumped ahead.", out);
  RenderLabeledSample("vellum_clock_anomalies_total", "direction", "back", back_episodes_.load(),
                      out);
  RenderLabeledSample("vellum_clock_anomalies_total", "direction", "ahead",
                      ahead_episodes_.load(), out);
}

}  // namespace ledger
}  // namespace vellum
