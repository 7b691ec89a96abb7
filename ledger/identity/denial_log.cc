#include "ledger/identity/denial_log.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

// Event strings are at most kMaxEventStringBytes; what a caller sent is cut well below that.
constexpr size_t kMaxFieldBytes = 256;

std::string Clip(absl::string_view s) {
  return SanitizeUtf8(s, kMaxFieldBytes);
}

}  // namespace

DenialLog::DenialLog(EventLog* events, Options options)
    : events_(events), options_(std::move(options)) {
  const absl::Time now = options_.clock();
  shared_ = {options_.burst, now};
  since_ = now;
  summarizer_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.summary_interval);
      if (stopping_) break;
      mu_.Unlock();
      Summarize();
      mu_.Lock();
    }
  });
}

DenialLog::~DenialLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  summarizer_.join();
  Summarize();
}

bool DenialLog::Take(const std::string& source, absl::Time now) {
  auto refill = [&](Bucket& bucket) {
    bucket.tokens = std::min(options_.burst, bucket.tokens + absl::ToDoubleSeconds(
                                                                 now - bucket.refilled) *
                                                                 options_.per_second);
    bucket.refilled = now;
  };
  Bucket* bucket = nullptr;
  auto it = buckets_.find(source);
  if (it != buckets_.end()) {
    bucket = &it->second;
  } else {
    if (buckets_.size() >= options_.max_sources) {
      absl::erase_if(buckets_, [&](auto& entry) {
        refill(entry.second);
        return entry.second.tokens >= options_.burst;
      });
    }
    if (buckets_.size() < options_.max_sources) {
      bucket = &buckets_.emplace(source, Bucket{options_.burst, now}).first->second;
    } else {
      bucket = &shared_;
    }
  }
  refill(*bucket);
  if (bucket->tokens < 1) return false;
  bucket->tokens -= 1;
  return true;
}

void DenialLog::Count() {
  absl::MutexLock lock(&mu_);
  uncounted_++;
  not_recorded_total_++;
}

void DenialLog::Record(const Denial& denial, std::function<void()> done) {
  const absl::Time now = options_.clock();
  {
    absl::MutexLock lock(&mu_);
    if (!Take(denial.source_address, now)) {
      uncounted_++;
      not_recorded_total_++;
      return done();
    }
  }
  AuditEvent event = NewServerEvent(ACTION_ACCESS_DENIED_BY_LEDGER, now);
  event.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
  if (!denial.principal.empty()) {
    event.mutable_actor()->set_subject(Clip(denial.principal));
    event.mutable_context()->mutable_labels()->insert(
        {"vellum.authenticated_by", Clip(denial.authenticated_by)});
  }
  event.mutable_outcome()->set_reason(Clip(denial.reason));
  event.mutable_context()->set_source_ip(Clip(denial.source_address));
  auto& labels = *event.mutable_context()->mutable_labels();
  if (!denial.permission.empty()) labels["vellum.permission"] = Clip(denial.permission);
  labels["vellum.method"] = Clip(denial.method);
  labels["vellum.path"] = Clip(denial.path);
  labels["vellum.http_status"] = absl::StrCat(denial.http_status);
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  events_->AppendServerEvents(std::move(events), [this, done = std::move(done)](
                                         absl::StatusOr<std::vector<EventLog::Appended>> result) {
    if (!result.ok()) Count();
    done();
  });
}

void DenialLog::Summarize() {
  uint64_t count;
  absl::Time since;
  const absl::Time now = options_.clock();
  {
    absl::MutexLock lock(&mu_);
    count = uncounted_;
    since = since_;
    if (count == 0) return;
    uncounted_ = 0;
    since_ = now;
  }
  AuditEvent event = NewServerEvent(ACTION_ACCESS_DENIED_BY_LEDGER, now);
  event.mutable_outcome()->set_result(Outcome::RESULT_DENIED);
  event.mutable_outcome()->set_reason(absl::StrCat(
      count, " denied requests since ", absl::FormatTime(absl::RFC3339_full, since, absl::UTCTimeZone()),
      " were counted, not recorded one by one (rate limit)"));
  (*event.mutable_context()->mutable_labels())[kNotRecordedLabel] = absl::StrCat(count);
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
  if (!ok) {
    // Not recorded: the count goes into the next summary.
    absl::MutexLock lock(&mu_);
    uncounted_ += count;
    since_ = std::min(since_, since);
  }
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
