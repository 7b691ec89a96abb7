#include "api/source_limits.h"

#include <algorithm>

namespace vellum {
namespace api {

namespace {

// A burst below one request would refuse every request: it defaults to two seconds' worth.
SourceLimiter::Options WithBurst(SourceLimiter::Options options) {
  if (options.requests_per_second > 0 && options.request_burst < 1) {
    options.request_burst = std::max(1.0, 2 * options.requests_per_second);
  }
  return options;
}

}  // namespace

SourceLimiter::SourceLimiter(Options options) : options_(WithBurst(std::move(options))) {}

bool SourceLimiter::OpenConnection(const std::string& source) {
  absl::MutexLock lock(&mu_);
  uint32_t& count = connections_[source];
  if (options_.max_connections_per_source != 0 && count >= options_.max_connections_per_source) {
    if (count == 0) connections_.erase(source);
    return false;
  }
  ++count;
  return true;
}

void SourceLimiter::CloseConnection(const std::string& source) {
  absl::MutexLock lock(&mu_);
  auto it = connections_.find(source);
  if (it == connections_.end()) return;
  if (--it->second == 0) connections_.erase(it);
}

void SourceLimiter::Refill(Bucket* bucket, absl::Time now) const {
  if (now > bucket->updated) {
    bucket->tokens = std::min(
        options_.request_burst,
        bucket->tokens + absl::ToDoubleSeconds(now - bucket->updated) * options_.requests_per_second);
    bucket->updated = now;
  }
}

void SourceLimiter::DropFullBuckets(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(&it->second, now);
    if (it->second.tokens >= options_.request_burst) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

absl::optional<absl::Duration> SourceLimiter::TakeRequest(const std::string& source,
                                                          absl::Time now) {
  if (options_.requests_per_second <= 0) return absl::nullopt;
  absl::MutexLock lock(&mu_);
  Bucket* bucket = nullptr;
  auto it = buckets_.find(source);
  if (it != buckets_.end()) {
    bucket = &it->second;
  } else {
    // A sweep is linear in the table, so it runs at most once a second: a caller with many
    // addresses cannot make every request pay for one.
    if (buckets_.size() >= options_.max_rate_sources && now - last_sweep_ >= absl::Seconds(1)) {
      last_sweep_ = now;
      DropFullBuckets(now);
    }
    if (buckets_.size() < options_.max_rate_sources) {
      bucket = &buckets_[source];
      bucket->tokens = options_.request_burst;
      bucket->updated = now;
    } else {
      bucket = &overflow_;
      if (!overflow_started_) {
        overflow_started_ = true;
        overflow_.tokens = options_.request_burst;
        overflow_.updated = now;
      }
    }
  }
  Refill(bucket, now);
  if (bucket->tokens >= 1) {
    bucket->tokens -= 1;
    return absl::nullopt;
  }
  return absl::Seconds((1 - bucket->tokens) / options_.requests_per_second);
}

size_t SourceLimiter::rate_sources() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace api
}  // namespace vellum
