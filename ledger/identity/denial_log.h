#ifndef VELLUM_LEDGER_IDENTITY_DENIAL_LOG_H_
#define VELLUM_LEDGER_IDENTITY_DENIAL_LOG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/events/attempt_log.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_log.h"

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
// attempts"), so that the log holds every denial: an AttemptLog (ledger/events/attempt_log.h)
// records each in detail as a token bucket per source address allows, and counts the others
// (per source) into a summary event (kNotRecordedLabel) every summary interval and when the
// DenialLog is destroyed. Thread-safe.
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
    // How a summary names a source address (AttemptLog::Options::source_name).
    std::function<std::string(absl::string_view source)> source_name;
  };

  // `events` must outlive the DenialLog. Starts the summary thread.
  DenialLog(EventLog* events, Options options);

  DenialLog(const DenialLog&) = delete;
  DenialLog& operator=(const DenialLog&) = delete;

  // Records `denial` if its source's bucket allows (calling `done` once the event is durable or
  // its append failed), or counts it (calling `done` at once).
  void Record(const Denial& denial, std::function<void()> done);

  // Appends a summary of the denials counted since the previous one, if there are any, and
  // waits until it is durable. Called by the summary thread; tests call it directly.
  void Summarize() { attempts_.Summarize(); }

  // Denials counted and not (yet, or ever) recorded in detail, since start.
  uint64_t not_recorded() const { return attempts_.not_recorded(); }

  // vellum_denied_requests_total and the other AttemptLog metrics.
  void RenderMetrics(std::string* out) const { attempts_.RenderMetrics(out); }

 private:
  AttemptLog attempts_;
};

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_DENIAL_LOG_H_
