#include "api/source_limits.h"

#include <algorithm>

namespace vellum {
namespace api {

SourceLimiter::SourceLimiter(Options options) : options_(std::move(options)) {
  if (options_.requests_per_second > 0) {
    ledger::KeyedRateLimiter::Options rate;
    rate.rate = options_.requests_per_second;
    rate.burst = options_.request_burst;
    rate.max_keys = options_.max_rate_sources;
    requests_.emplace(rate);
  }
}

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

absl::optional<absl::Duration> SourceLimiter::TakeRequest(const std::string& source,
                                                          absl::Time now) {
  if (!requests_.has_value()) return absl::nullopt;
  return requests_->Take(source, now);
}

}  // namespace api
}  // namespace vellum
