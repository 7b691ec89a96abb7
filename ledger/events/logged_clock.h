#ifndef VELLUM_LEDGER_EVENTS_LOGGED_CLOCK_H_
#define VELLUM_LEDGER_EVENTS_LOGGED_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vellum {
namespace ledger {

// The time since boot, suspended time included (CLOCK_BOOTTIME): a clock that is never set, so
// that a suspended or paused machine is not taken for a wall clock that jumped.
absl::Duration BootTime();

// Writes `line` and a newline to stderr.
void LogToStderr(absl::string_view line);

// The logged time of the events of one log (docs/operations.md, "Time"): the wall clock, held so
// that it never goes backwards along the log, and refused when the wall clock jumps ahead.
//
// Each Next() reads the wall clock and the monotonic clock:
//  - Back: a wall clock behind the last stamp (it was set back, or is behind the last logged
//    time at start) gives the last stamp again, a "clamped" stamp, until it catches up. The
//    first clamped stamp of an episode reports an anomaly.
//  - Ahead: when the wall clock has moved further than the monotonic clock since the last
//    accepted reading, by more than Options::max_forward_jump, Next() fails with Unavailable,
//    and keeps failing until the wall clock comes back within the bound of where the monotonic
//    clock expects it. The first refusal of an episode reports an anomaly, with a time to stamp
//    its record with (the monotonic expectation, and never before the last stamp), which becomes
//    the last stamp; the first accepted reading after it reports the end of the episode.
// A new LoggedClock (a restart) has no previous reading: it compares the wall clock with the last
// logged time for going back only, so a long downtime is not a jump, and a restart is how an
// operator accepts a wall clock that jumped.
//
// Thread-compatible (EventLog calls Next() under its append mutex); RenderMetrics is thread-safe.
class LoggedClock {
 public:
  struct Options {
    std::function<absl::Time()> wall = absl::Now;
    std::function<absl::Duration()> monotonic = BootTime;
    // How much further than the monotonic clock the wall clock may move between two readings;
    // absl::InfiniteDuration() turns the check off.
    absl::Duration max_forward_jump = absl::Minutes(10);
    // Where an anomaly's line goes (once per episode).
    std::function<void(absl::string_view)> log = LogToStderr;
  };

  // A misbehaving clock, to put on record (ACTION_CLOCK_ANOMALY).
  struct Anomaly {
    // What happened, with the times and the durations.
    std::string description;
    // The logged time of its record: the reading's stamp or, for a refusal, the time the
    // monotonic clock expects (never before the last stamp).
    absl::Time at;
  };

  struct Reading {
    // The stamp, or Unavailable while the wall clock is ahead of its bound.
    absl::StatusOr<absl::Time> stamp;
    // The episodes this reading starts or ends, in order.
    std::vector<Anomaly> anomalies;
  };

  // `last_logged` is the latest logged time in the log (absl::InfinitePast() for none).
  LoggedClock(Options options, absl::Time last_logged);

  LoggedClock(const LoggedClock&) = delete;
  LoggedClock& operator=(const LoggedClock&) = delete;

  // The next stamp; an anomaly's description also goes to Options::log.
  Reading Next();

  // vellum_logged_time_clamped_total, vellum_logged_time_behind_seconds,
  // vellum_logged_time_refused_total, vellum_logged_time_ahead_seconds and
  // vellum_clock_anomalies_total{direction="back"|"ahead"}, in the Prometheus text format.
  void RenderMetrics(std::string* out) const;

 private:
  absl::Status Refusal(absl::Time wall, absl::Time expected) const;
  void Report(std::string description, absl::Time at, Reading* reading) const;

  const Options options_;
  absl::Time last_stamp_;
  // The last accepted reading of both clocks; none before the first.
  bool have_reading_ = false;
  absl::Time reading_wall_;
  absl::Duration reading_monotonic_;
  bool behind_ = false;  // In a back episode.
  bool ahead_ = false;   // In an ahead episode.
  uint64_t refused_in_episode_ = 0;

  std::atomic<uint64_t> clamped_{0};
  std::atomic<double> behind_seconds_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<double> ahead_seconds_{0};
  std::atomic<uint64_t> back_episodes_{0};
  std::atomic<uint64_t> ahead_episodes_{0};
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_LOGGED_CLOCK_H_
