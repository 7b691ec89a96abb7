#include "ledger/rate_limit.h"

#include <algorithm>
#include <utility>

namespace vellum {
namespace ledger {
namespace {

KeyedRateLimiter::Options WithBurst(KeyedRateLimiter::Options options) {
  if (options.burst < 1) options.burst = std::max(1.0, 2 * options.rate);
  return options;
}

}  // namespace

KeyedRateLimiter::KeyedRateLimiter(Options options) : options_(WithBurst(std::move(options))) {}

void KeyedRateLimiter::Refill(Bucket* bucket, absl::Time now) const {
  if (now > bucket->refilled) {
    bucket->tokens = std::min(options_.burst, bucket->tokens + absl::ToDoubleSeconds(
                                                                   now - bucket->refilled) *
                                                                   options_.rate);
    bucket->refilled = now;
  }
}

absl::optional<absl::Duration> KeyedRateLimiter::Take(absl::string_view key, absl::Time now,
                                                      double cost) {
  if (cost > options_.burst) return absl::InfiniteDuration();
  absl::MutexLock lock(&mu_);
  Bucket* bucket = nullptr;
  auto it = buckets_.find(key);
  if (it != buckets_.end()) {
    bucket = &it->second;
  } else {
    if (buckets_.size() >= options_.max_keys && now - last_sweep_ >= absl::Seconds(1)) {
      last_sweep_ = now;
      absl::erase_if(buckets_, [&](auto& entry) {
        Refill(&entry.second, now);
        return entry.second.tokens >= options_.burst;
      });
    }
    if (buckets_.size() < options_.max_keys) {
      bucket = &buckets_.emplace(std::string(key), Bucket{options_.burst, now}).first->second;
    } else {
      if (!overflow_.has_value()) overflow_ = Bucket{options_.burst, now};
      bucket = &*overflow_;
    }
  }
  Refill(bucket, now);
  if (bucket->tokens >= cost) {
    bucket->tokens -= cost;
    return absl::nullopt;
  }
  if (options_.rate <= 0) return absl::InfiniteDuration();
  return absl::Seconds((cost - bucket->tokens) / options_.rate);
}

size_t KeyedRateLimiter::keys() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace ledger
}  // namespace vellum
