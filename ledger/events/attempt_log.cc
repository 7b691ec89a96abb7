#include "ledger/events/attempt_log.h"

#include <algorithm>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
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

}  // namespace

void BoundAttemptRecord(AuditEvent* event) {
  if (!event->context().user_agent().empty()) {
    const crypto::Sha256Digest digest = crypto::Sha256({event->context().user_agent()});
    event->mutable_context()->set_user_agent(absl::StrCat(
        "sha256:", absl::BytesToHexString(absl::string_view(
                       reinterpret_cast<const char*>(digest.data()), digest.size()))));
  }
  BoundStrings(event);
}

AttemptLog::AttemptLog(EventLog* events, Options options)
    : events_(events),
      options_(std::move(options)),
      timer_(options_.summary_interval, [this] { Summarize(); }) {
  const absl::Time now = options_.clock();
  absl::MutexLock lock(&mu_);
  shared_ = {options_.burst, now, 0};
  since_ = now;
}

AttemptLog::~AttemptLog() {
  timer_.Stop();
  Summarize();
}

void AttemptLog::Refill(Bucket* bucket, absl::Time now) const {
  bucket->tokens =
      std::min(options_.burst, bucket->tokens + absl::ToDoubleSeconds(now - bucket->refilled) *
                                                    options_.per_second);
  bucket->refilled = now;
}

AttemptLog::Bucket* AttemptLog::Find(const std::string& source, absl::Time now) {
  if (auto it = buckets_.find(source); it != buckets_.end()) return &it->second;
  if (buckets_.size() >= options_.max_sources) {
    absl::erase_if(buckets_, [&](auto& entry) {
      Refill(&entry.second, now);
      return entry.second.tokens >= options_.burst && entry.second.uncounted == 0;
    });
  }
  Bucket* bucket = &shared_;
  if (buckets_.size() < options_.max_sources) {
    bucket = &buckets_.emplace(source, Bucket{options_.burst, now, 0}).first->second;
  } else {
    overflow_++;
  }
  sources_ = buckets_.size();
  return bucket;
}

void AttemptLog::Count(const std::string& source) {
  auto it = buckets_.find(source);
  (it != buckets_.end() ? it->second : shared_).uncounted++;
  uncounted_++;
  not_recorded_++;
}

void AttemptLog::Record(absl::string_view source,
                        const std::function<AuditEvent(absl::Time now)>& make_event,
                        std::function<void()> done) {
  const absl::Time now = options_.clock();
  const std::string key(source);
  attempts_++;
  {
    absl::MutexLock lock(&mu_);
    Bucket* bucket = Find(key, now);
    Refill(bucket, now);
    if (bucket->tokens < 1) {
      Count(key);
      return done();
    }
    bucket->tokens -= 1;
  }
  AuditEvent event = make_event(now);
  BoundAttemptRecord(&event);
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  events_->Append(std::move(events), [this, key, done = std::move(done)](
                                         absl::StatusOr<std::vector<EventLog::Appended>> result) {
    if (result.ok()) {
      recorded_++;
    } else {
      absl::MutexLock lock(&mu_);
      Count(key);
    }
    done();
  });
}

void AttemptLog::Summarize() {
  const absl::Time now = options_.clock();
  uint64_t count;
  absl::Time since;
  std::vector<std::pair<std::string, uint64_t>> counts;  // Per source, then "other" last.
  {
    absl::MutexLock lock(&mu_);
    count = uncounted_;
    if (count == 0) return;
    since = since_;
    for (auto& [source, bucket] : buckets_) {
      if (bucket.uncounted != 0) counts.emplace_back(source, bucket.uncounted);
      bucket.uncounted = 0;
    }
    counts.emplace_back("", shared_.uncounted);
    shared_.uncounted = 0;
    uncounted_ = 0;
    since_ = now;
  }
  // The most counted sources by name (cut to fit a label key), the rest summed as "other".
  std::sort(counts.begin(), counts.end() - 1, [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::map<std::string, uint64_t> named;
  uint64_t other = counts.back().second;
  for (size_t i = 0; i + 1 < counts.size(); ++i) {
    if (i < options_.summary_sources) {
      named[SanitizeUtf8(counts[i].first, kMaxSummarySourceBytes)] += counts[i].second;
    } else {
      other += counts[i].second;
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
  if (other != 0) labels[std::string(kNotRecordedFromOtherLabel)] = absl::StrCat(other);
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  absl::Notification appended;
  bool ok = false;
  events_->AppendServerEvents(std::move(events),
                              [&](absl::StatusOr<std::vector<EventLog::Appended>> result) {
                                ok = result.ok();
                                appended.Notify();
                              });
  appended.WaitForNotification();
  if (ok) {
    summaries_++;
    return;
  }
  // Not on record: the counts go into the next summary.
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i + 1 < counts.size(); ++i) {
    auto it = buckets_.find(counts[i].first);
    (it != buckets_.end() ? it->second : shared_).uncounted += counts[i].second;
  }
  shared_.uncounted += counts.back().second;
  uncounted_ += count;
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
  RenderMetric(absl::StrCat(m, "_overflow_total"), "counter",
               "Attempts from sources past the table's bound, which share one bucket.",
               overflow_.load(), out);
  RenderMetric(absl::StrCat(m, "_sources"), "gauge", "Sources with a bucket of their own.",
               sources_.load(), out);
}

}  // namespace ledger
}  // namespace vellum
