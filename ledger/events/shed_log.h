#ifndef VELLUM_LEDGER_EVENTS_SHED_LOG_H_
#define VELLUM_LEDGER_EVENTS_SHED_LOG_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "ledger/events/event_log.h"
#include "ledger/events/summary_timer.h"

namespace vellum {
namespace ledger {

// Why a delivery was refused at the server's limits, before any adapter saw it: the HTTP
// server's refusals of a request it has read the header of (api::HttpServer::Refused), and the
// event service's full queue. A connection refused at a connection limit names no adapter.
enum class ShedReason { kRateLimit, kBodyTooLarge, kHeaderTooLarge, kBadForwardedFor, kQueueFull };
inline constexpr size_t kShedReasons = 5;

// "rate_limit", "body_too_large", "header_too_large", "bad_forwarded_for", "queue_full".
absl::string_view ShedReasonName(ShedReason reason);
// The reason named `name` (ShedReasonName's inverse), if any.
absl::optional<ShedReason> ShedReasonNamed(absl::string_view name);

// The label prefix of a shed summary's count for one reason ("vellum.shed.rate_limit"), and the
// labels of its adapter and window.
inline constexpr absl::string_view kShedLabelPrefix = "vellum.shed.";
inline constexpr absl::string_view kShedAdapterLabel = "vellum.adapter";
inline constexpr absl::string_view kShedWindowStartLabel = "vellum.window_start";
inline constexpr absl::string_view kShedWindowEndLabel = "vellum.window_end";
// The adapter that a summary counts deliveries under once Options::max_adapters names are
// counted in one window (the name comes from the request's path).
inline constexpr absl::string_view kShedOtherAdapter = "(other)";
inline constexpr size_t kMaxShedAdapterBytes = 64;

// Deliveries to the ingestion endpoints (/v1/ingest/<adapter>) refused at the server's limits,
// on record (docs/events.md, "Load shedding"): some sources never redeliver a refused delivery,
// so the log says what it missed. RecordShed counts them per adapter and reason; every summary
// interval, and when the ShedLog is destroyed, it appends one ACTION_INGEST_SHED server event
// per adapter that shed any (labels kShedAdapterLabel, kShedLabelPrefix<reason> for each reason
// counted, the window), and nothing when nothing was shed. A summary whose append fails is
// counted into the next. Thread-safe; RecordShed is cheap enough for an I/O thread.
class ShedLog {
 public:
  struct Options {
    absl::Duration summary_interval = absl::Seconds(60);
    // Adapter names counted apart in one window; later names count as kShedOtherAdapter.
    size_t max_adapters = 32;
    std::function<absl::Time()> clock = absl::Now;
  };

  // `events` must outlive the ShedLog. Starts the summary thread.
  ShedLog(EventLog* events, Options options);
  // Stops the summary thread and appends the last summaries, if anything was shed.
  ~ShedLog();

  ShedLog(const ShedLog&) = delete;
  ShedLog& operator=(const ShedLog&) = delete;

  // Counts one delivery to `adapter` refused for `reason`. `adapter` is cut to
  // kMaxShedAdapterBytes (invalid UTF-8 replaced by '?').
  void RecordShed(absl::string_view adapter, ShedReason reason);

  // Appends the summaries of what was shed since the previous ones, if anything was, and waits
  // until they are durable. Called by the summary thread; tests call it directly.
  void Summarize();

  // vellum_ingest_shed_total{reason="..."} and vellum_ingest_shed_summaries_total.
  void RenderMetrics(std::string* out) const;

 private:
  using Counts = std::array<uint64_t, kShedReasons>;

  EventLog* const events_;
  const Options options_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Counts> counts_ ABSL_GUARDED_BY(mu_);  // Since since_.
  absl::Time since_ ABSL_GUARDED_BY(mu_);

  std::array<std::atomic<uint64_t>, kShedReasons> shed_{};
  std::atomic<uint64_t> summaries_{0};

  SummaryTimer timer_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_EVENTS_SHED_LOG_H_
