#ifndef VELLUM_LEDGER_EVENTS_ATTEMPT_LOG_H_
#define VELLUM_LEDGER_EVENTS_ATTEMPT_LOG_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_log.h"
#include "ledger/events/summary_timer.h"
#include "ledger/rate_limit.h"

namespace vellum {
namespace ledger {

// The bounds on the text of a refused attempt's record, which the attacker chooses: every string
// at most kMaxAttemptTextBytes, outcome.reason at most kMaxAttemptReasonBytes, each cut on a
// character boundary and ended with kTruncatedMarker and the original length.
inline constexpr size_t kMaxAttemptTextBytes = 256;
inline constexpr size_t kMaxAttemptReasonBytes = 1024;
inline constexpr absl::string_view kTruncatedMarker = "...[truncated from ";

// The label of a summary that names how many attempts of one source it counted (the source
// follows the prefix, cut to kMaxSummarySourceBytes), and of the count of all the others.
inline constexpr absl::string_view kNotRecordedFromPrefix = "vellum.not_recorded_from.";
inline constexpr absl::string_view kNotRecordedFromOtherLabel = "vellum.not_recorded_from_other";
inline constexpr size_t kMaxSummarySourceBytes = 100;

// Makes `event`, the record of a refused attempt, safe to keep: every string is bounded as above
// (invalid UTF-8 replaced by '?') and context.user_agent becomes "sha256:" and the hex SHA-256
// of what it held, so the record keeps no client text in clear that it does not need.
void BoundAttemptRecord(AuditEvent* event);

// Refused attempts of one kind (denied requests, rejected ingestion deliveries) on record
// through an EventLog, so that the log's count of them is always complete: each in detail
// (bounded, BoundAttemptRecord) as a token bucket per source address allows (a KeyedRateLimiter,
// ledger/rate_limit.h, whose bounded table puts the sources past it in one overflow bucket), the
// others counted per source and, every summary interval and when the AttemptLog is destroyed,
// written as one summary server event with the count since the previous one
// (Options::count_label) and the counts of the most counted sources (kNotRecordedFromPrefix, the
// rest summed in kNotRecordedFromOtherLabel). A record or summary whose append fails is counted
// into the next summary. So the records in detail plus the summaries' counts are all the
// attempts. The per-source counts are bounded too (Options::max_sources sources a window; the
// later ones count as other). An attacker with many addresses can then take the overflow
// bucket's records, never those of a source with its own bucket, nor the count. Thread-safe.
class AttemptLog {
 public:
  struct Options {
    // Each source's bucket: this many at once (0 records none in detail), refilled at this rate.
    double burst = 20;
    double per_second = 1;
    // Sources with a bucket of their own, and sources counted apart in one summary window.
    size_t max_sources = 4096;
    // Sources a summary names with their counts, the most counted first.
    size_t summary_sources = 16;
    absl::Duration summary_interval = absl::Seconds(60);
    std::function<absl::Time()> clock = absl::Now;
    // The summary event: its action and result, the label of its count, and what it counts in
    // its reason ("<n> <what> since <time> were counted, not recorded one by one").
    Action summary_action = ACTION_ACCESS_DENIED_BY_LEDGER;
    std::string count_label;
    std::string what;
    // The metrics' name prefix: <metric>_total, _recorded_total, _not_recorded_total,
    // _summaries_total and _sources.
    std::string metric;
    // How a summary names a source (a source address is personal data: the server names it by
    // its pseudonym, docs/privacy.md); empty: as it is.
    std::function<std::string(absl::string_view source)> source_name;
  };

  // `events` must outlive the AttemptLog. Starts the summary thread.
  AttemptLog(EventLog* events, Options options);
  // Waits for the records being appended, stops the summary thread and appends the last
  // summary, if anything is uncounted.
  ~AttemptLog();

  AttemptLog(const AttemptLog&) = delete;
  AttemptLog& operator=(const AttemptLog&) = delete;

  // Records an attempt from `source` if its bucket allows: appends `make_event(now)` (called
  // before this returns) after BoundAttemptRecord, and calls `done` once it is durable or its
  // append failed. Otherwise counts it and calls `done` at once.
  void Record(absl::string_view source, const std::function<AuditEvent(absl::Time now)>& make_event,
              std::function<void()> done);

  // Appends a summary of the attempts counted since the previous one, if there are any, and
  // waits until it is durable. Called by the summary thread; tests call it directly.
  void Summarize();

  // Attempts counted and not (yet, or ever) recorded in detail, since start.
  uint64_t not_recorded() const { return not_recorded_.load(); }

  void RenderMetrics(std::string* out) const;

 private:
  // The count of `source`'s attempts since the previous summary, or the others' once
  // max_sources are counted.
  uint64_t& UncountedOf(const std::string& source) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Counts an attempt of `source` into the next summary.
  void Count(const std::string& source) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventLog* const events_;
  const Options options_;
  KeyedRateLimiter limiter_;

  absl::Mutex mu_;
  // Since the previous summary: per source (at most max_sources), the others, and all.
  absl::flat_hash_map<std::string, uint64_t> uncounted_ ABSL_GUARDED_BY(mu_);
  uint64_t uncounted_other_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t uncounted_total_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time since_ ABSL_GUARDED_BY(mu_);
  int appending_ ABSL_GUARDED_BY(mu_) = 0;  // Records whose append has not called back.

  std::atomic<uint64_t> attempts_{0};
  std::atomic<uint64_t> recorded_{0};
  std::atomic<uint64_t> not_recorded_{0};
  std::atomic<uint64_t> summaries_{0};

  SummaryTimer timer_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_ATTEMPT_LOG_H_
