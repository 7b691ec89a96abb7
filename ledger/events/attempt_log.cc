#include "ledger/events/attempt_log.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ledger/events/server_event.h"
#include "ledger/metrics/metrics.h"
#include "proof/crypto.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Bound(const std::string& text, size_t max_bytes) {
  std::string clean = SanitizeUtf8(text, text.size());
  if (clean.size() <= max_bytes) return clean;
  const std::string marker = absl::StrCat(kTruncatedMarker, text.size(), " bytes]");
  return absl::StrCat(SanitizeUtf8(clean, max_bytes - marker.size()), marker);
}

void BoundStrings(Message* message) {
  const Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    const int count = field->is_repeated() ? reflection->FieldSize(*message, field) : 1;
    for (int i = 0; i < count; ++i) {
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        BoundStrings(field->is_repeated() ? reflection->MutableRepeatedMessage(message, field, i)
                                          : reflection->MutableMessage(message, field));
      } else if (field->type() == FieldDescriptor::TYPE_STRING) {
        const size_t limit = field->full_name() == "vellum.ledger.Outcome.reason"
                                 ? kMaxAttemptReasonBytes
                                 : kMaxAttemptTextBytes;
        if (field->is_repeated()) {
          reflection->SetRepeatedString(
              message, field, i, Bound(reflection->GetRepeatedString(*message, field, i), limit));
        } else {
          reflection->SetString(message, field,
                                Bound(reflection->GetString(*message, field), limit));
        }
      }
    }
  }
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

KeyedRateLimiter::Options LimiterOptions(const AttemptLog::Options& options) {
  KeyedRateLimiter::Options limiter;
  limiter.rate = options.per_second;
  limiter.burst = options.burst;
  limiter.max_keys = options.max_sources;
  return limiter;
}

}  // namespace

void BoundAttemptRecord(AuditEvent* event) {
  if (!event->context().user_agent().empty()) {
    event->mutable_context()->set_user_agent(absl::StrCat(
        "sha256:", crypto::Sha256Hex(crypto::Sha256({event->context().user_agent()}))));
  }
  BoundStrings(event);
}

AttemptLog::AttemptLog(EventLog* events, Options options)
    : events_(events),
      options_(std::move(options)),
      limiter_(LimiterOptions(options_)),
      timer_(options_.summary_interval, [this] { Summarize(); }) {
  const absl::Time now = options_.clock();
  absl::MutexLock lock(&mu_);
  since_ = now;
}

AttemptLog::~AttemptLog() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* appending) { return *appending == 0; }, &appending_));
  }
  timer_.Stop();
  Summarize();
}

uint64_t& AttemptLog::UncountedOf(const std::string& source) {
  auto it = uncounted_.find(source);
  if (it == uncounted_.end()) {
    if (uncounted_.size() >= options_.max_sources) return uncounted_other_;
    it = uncounted_.emplace(source, 0).first;
  }
  return it->second;
}

void AttemptLog::Count(const std::string& source) {
  UncountedOf(source)++;
  uncounted_total_++;
  not_recorded_++;
}

void AttemptLog::Record(absl::string_view source,
                        const std::function<AuditEvent(absl::Time now)>& make_event,
                        std::function<void()> done) {
  const absl::Time now = options_.clock();
  const std::string key(source);
  attempts_++;
  // KeyedRateLimiter gives a bucket below one token one anyway: a burst of 0 records none.
  if (options_.burst < 1 || limiter_.Take(key, now).has_value()) {
    {
      absl::MutexLock lock(&mu_);
      Count(key);
    }
    return done();
  }
  AuditEvent event = make_event(now);
  BoundAttemptRecord(&event);
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  {
    absl::MutexLock lock(&mu_);
    appending_++;
  }
  events_->Append(std::move(events), [this, key, done = std::move(done)](
                                         absl::StatusOr<std::vector<EventLog::Appended>> result) {
    if (result.ok()) {
      recorded_++;
    } else {
      absl::MutexLock lock(&mu_);
      Count(key);
    }
    done();
    // Last: the destructor waits for this.
    absl::MutexLock lock(&mu_);
    appending_--;
  });
}

void AttemptLog::Summarize() {
  const absl::Time now = options_.clock();
  uint64_t count, other;
  absl::Time since;
  std::vector<std::pair<std::string, uint64_t>> counts;
  {
    absl::MutexLock lock(&mu_);
    count = uncounted_total_;
    if (count == 0) return;
    counts.assign(uncounted_.begin(), uncounted_.end());
    other = uncounted_other_;
    since = since_;
    uncounted_.clear();
    uncounted_other_ = 0;
    uncounted_total_ = 0;
    since_ = now;
  }
  // The most counted sources by name (cut to fit a label key), the rest summed as "other".
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::map<std::string, uint64_t> named;
  uint64_t named_other = other;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i < options_.summary_sources) {
      const std::string& source = counts[i].first;
      named[SanitizeUtf8(options_.source_name ? options_.source_name(source) : source,
                         kMaxSummarySourceBytes)] += counts[i].second;
    } else {
      named_other += counts[i].second;
    }
  }
  AuditEvent event = NewServerEvent(options_.summary_action, now);
  event.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
  event.mutable_outcome()->set_reason(absl::StrCat(count, " ", options_.what, " since ",
                                                   Rfc3339(since),
                                                   " were counted, not recorded one by one "
                                                   "(rate limit per source address)"));
  auto& labels = *event.mutable_context()->mutable_labels();
  labels[options_.count_label] = absl::StrCat(count);
  for (const auto& [source, n] : named) {
    labels[absl::StrCat(kNotRecordedFromPrefix, source)] = absl::StrCat(n);
  }
  if (named_other != 0) {
    labels[std::string(kNotRecordedFromOtherLabel)] = absl::StrCat(named_other);
  }
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  const bool ok = events_->AppendServerEventsAndWait(std::move(events)).ok();
  if (ok) {
    summaries_++;
    return;
  }
  // Not on record: the counts go into the next summary.
  absl::MutexLock lock(&mu_);
  for (const auto& [source, n] : counts) UncountedOf(source) += n;
  uncounted_other_ += other;
  uncounted_total_ += count;
  since_ = std::min(since_, since);
}

void AttemptLog::RenderMetrics(std::string* out) const {
  const std::string& m = options_.metric;
  RenderMetric(absl::StrCat(m, "_total"), "counter",
               absl::StrCat("Refused attempts: ", options_.what, "."), attempts_.load(), out);
  RenderMetric(absl::StrCat(m, "_recorded_total"), "counter",
               "Of them, recorded one by one (durable).", recorded_.load(), out);
  RenderMetric(absl::StrCat(m, "_not_recorded_total"), "counter",
               "Of them, counted into a summary event instead (rate limit or failed append).",
               not_recorded_.load(), out);
  RenderMetric(absl::StrCat(m, "_summaries_total"), "counter", "Summary events written.",
               summaries_.load(), out);
  RenderMetric(absl::StrCat(m, "_sources"), "gauge", "Sources with a bucket of their own.",
               uint64_t{limiter_.keys()}, out);
}

}  // namespace ledger
}  // namespace vellum
