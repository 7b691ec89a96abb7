#include "ledger/events/shed_log.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ledger/events/server_event.h"
#include "ledger/metrics/metrics.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace {

constexpr ShedReason kAllReasons[kShedReasons] = {
    ShedReason::kRateLimit, ShedReason::kBodyTooLarge, ShedReason::kHeaderTooLarge,
    ShedReason::kBadForwardedFor, ShedReason::kQueueFull};

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

}  // namespace

absl::string_view ShedReasonName(ShedReason reason) {
  switch (reason) {
    case ShedReason::kRateLimit:
      return "rate_limit";
    case ShedReason::kBodyTooLarge:
      return "body_too_large";
    case ShedReason::kHeaderTooLarge:
      return "header_too_large";
    case ShedReason::kBadForwardedFor:
      return "bad_forwarded_for";
    case ShedReason::kQueueFull:
      return "queue_full";
  }
  return "unknown";
}

absl::optional<ShedReason> ShedReasonNamed(absl::string_view name) {
  for (ShedReason reason : kAllReasons) {
    if (ShedReasonName(reason) == name) return reason;
  }
  return absl::nullopt;
}

ShedLog::ShedLog(EventLog* events, Options options)
    : events_(events),
      options_(std::move(options)),
      timer_(options_.summary_interval, [this] { Summarize(); }) {
  const absl::Time now = options_.clock();
  absl::MutexLock lock(&mu_);
  since_ = now;
}

ShedLog::~ShedLog() {
  timer_.Stop();
  Summarize();
}

void ShedLog::RecordShed(absl::string_view adapter, ShedReason reason) {
  const size_t r = static_cast<size_t>(reason);
  shed_[r]++;
  absl::MutexLock lock(&mu_);
  auto it = counts_.find(adapter);
  if (it == counts_.end()) {
    std::string name = SanitizeUtf8(adapter, kMaxShedAdapterBytes);
    if (counts_.size() >= options_.max_adapters) name = std::string(kShedOtherAdapter);
    it = counts_.try_emplace(std::move(name), Counts{}).first;
  }
  it->second[r]++;
}

void ShedLog::Summarize() {
  const absl::Time now = options_.clock();
  absl::flat_hash_map<std::string, Counts> counts;
  absl::Time since;
  {
    absl::MutexLock lock(&mu_);
    if (counts_.empty()) return;
    counts.swap(counts_);
    since = since_;
    since_ = now;
  }
  std::vector<AuditEvent> events;
  for (const auto& [adapter, n] : counts) {
    AuditEvent event = NewServerEvent(ACTION_INGEST_SHED, now);
    event.mutable_outcome()->set_result(Outcome::RESULT_FAILURE);
    auto& labels = *event.mutable_context()->mutable_labels();
    labels[std::string(kShedAdapterLabel)] = adapter;
    labels[std::string(kShedWindowStartLabel)] = Rfc3339(since);
    labels[std::string(kShedWindowEndLabel)] = Rfc3339(now);
    uint64_t total = 0;
    std::vector<std::string> parts;
    for (ShedReason reason : kAllReasons) {
      const uint64_t count = n[static_cast<size_t>(reason)];
      if (count == 0) continue;
      total += count;
      labels[absl::StrCat(kShedLabelPrefix, ShedReasonName(reason))] = absl::StrCat(count);
      parts.push_back(absl::StrCat(ShedReasonName(reason), " ", count));
    }
    event.mutable_outcome()->set_reason(absl::StrCat(
        total, " deliveries to /v1/ingest/", adapter, " were refused at the server's limits from ",
        Rfc3339(since), " to ", Rfc3339(now), " (", absl::StrJoin(parts, ", "), ")"));
    events.push_back(std::move(event));
  }
  // In adapter order, so that a window's summaries read the same way every time.
  std::sort(events.begin(), events.end(), [](const AuditEvent& a, const AuditEvent& b) {
    return a.context().labels().at(std::string(kShedAdapterLabel)) <
           b.context().labels().at(std::string(kShedAdapterLabel));
  });
  const bool ok = events_->AppendServerEventsAndWait(std::move(events)).ok();
  if (ok) {
    summaries_ += counts.size();
    return;
  }
  // Not on record: the counts go into the next summaries.
  absl::MutexLock lock(&mu_);
  for (const auto& [adapter, n] : counts) {
    Counts& into = counts_[adapter];
    for (size_t r = 0; r < kShedReasons; ++r) into[r] += n[r];
  }
  since_ = std::min(since_, since);
}

void ShedLog::RenderMetrics(std::string* out) const {
  RenderMetricHeader("vellum_ingest_shed_total", "counter",
                     "Ingestion deliveries refused at the server's limits, by reason.", out);
  for (ShedReason reason : kAllReasons) {
    RenderLabeledSample("vellum_ingest_shed_total", "reason", ShedReasonName(reason),
                        shed_[static_cast<size_t>(reason)].load(), out);
  }
  RenderMetric("vellum_ingest_shed_summaries_total", "counter",
               "ingest.shed summary events written (one per adapter and window).",
               summaries_.load(), out);
}

}  // namespace ledger
}  // namespace vellum
