#ifndef VELLUM_LEDGER_IDENTITY_DENIAL_LOG_H_
#define VELLUM_LEDGER_IDENTITY_DENIAL_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_log.h"
#include "ledger/identity/server_events.h"

namespace vellum {
namespace ledger {
namespace identity {

// The label of a summary event: how many denials since the previous summary were counted and not
// recorded in detail.
inline constexpr char kNotRecordedLabel[] = "vellum.denied_not_recorded";

// One refused request (401 or 403). Never holds the credential.
struct Denial {
  // The principal, if the credential was valid; how it was authenticated.
  std::string principal;
  std::string authenticated_by;
  std::string permission;
  std::string method;
  // The request's path, without its query.
  std::string path;
  std::string source_address;
  std::string reason;
  int http_status = 403;
};

// Records denied requests as ACTION_ACCESS_DENIED_BY_LEDGER events (docs/security.md, "Denied
// attempts"), so that the log holds every denial: each in detail as a token bucket per source
// address allows, the others counted and, every summary interval (and when the DenialLog is
// destroyed), one summary event with the count since the previous summary. Appends that fail are
// counted in the summary too. Thread-safe.
class DenialLog {
 public:
  struct Options {
    double burst = 20;
    double per_second = 1;
    // Sources tracked at once; past it, the sources whose buckets are full are forgotten (they
    // are as good as new), and if none is, new sources share one bucket.
    size_t max_sources = 4096;
    absl::Duration summary_interval = absl::Seconds(60);
    std::function<absl::Time()> clock = absl::Now;
  };

  // `events` must outlive the DenialLog. Starts the summary thread.
  DenialLog(EventLog* events, Options options);
  // Stops the summary thread and appends the last summary, if any denial is uncounted.
  ~DenialLog();

  DenialLog(const DenialLog&) = delete;
  DenialLog& operator=(const DenialLog&) = delete;

  // Records `denial` if its source's bucket allows (calling `done` once the event is durable or
  // its append failed), or counts it (calling `done` at once).
  void Record(const Denial& denial, std::function<void()> done);

  // Appends a summary of the denials counted since the previous one, if there are any, and
  // waits until it is durable. Called by the summary thread; tests call it directly.
  void Summarize();

  // Denials counted and not (yet, or ever) recorded in detail, since start.
  uint64_t not_recorded() const { return not_recorded_total_.load(); }

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };
  bool Take(const std::string& source, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Count();

  EventLog* const events_;
  const Options options_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  Bucket shared_ ABSL_GUARDED_BY(mu_);
  uint64_t uncounted_ ABSL_GUARDED_BY(mu_) = 0;  // Since the previous summary.
  absl::Time since_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<uint64_t> not_recorded_total_{0};
  std::thread summarizer_;
};

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_DENIAL_LOG_H_
