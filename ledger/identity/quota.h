#ifndef VELLUM_LEDGER_IDENTITY_QUOTA_H_
#define VELLUM_LEDGER_IDENTITY_QUOTA_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/identity/principal.h"
#include "ledger/rate_limit.h"

namespace vellum {
namespace ledger {
namespace identity {

// One quota rule of the configuration (docs/security.md, "Quotas"): whom it covers, and what
// each principal it covers may append.
struct QuotaRule {
  // An exact principal name, or "*" for every authenticated principal; or, instead, a group.
  std::string principal;
  std::string group;
  // Entries (raw entries and events) per second on average and in a burst (below 1: two
  // seconds' worth); 0 for no limit.
  double entries_per_second = 0;
  double entry_burst = 0;
  // Bytes of appended bodies per UTC day; 0 for no limit.
  uint64_t bytes_per_day = 0;
};

// Quotas per principal on appends: the first rule that covers a principal applies, to that
// principal alone (each has its own budget). A principal no rule covers has none. The counts
// live in memory: a restart gives every principal a fresh budget. Thread-safe.
class Quotas {
 public:
  // InvalidArgument for a rule that names no one, or both a principal and a group, or a
  // negative rate.
  static absl::StatusOr<std::unique_ptr<Quotas>> Create(std::vector<QuotaRule> rules);

  // Charges an append of `entries` entries holding `bytes` bytes by `caller` at `now`: OK (and
  // charged), or ResourceExhausted saying which limit, carrying when to retry
  // (ledger::RetryAfter), with nothing charged; InvalidArgument for a batch that can never pass
  // (more entries than the burst, more bytes than a day's). An anonymous caller (nullptr) is
  // never limited here: it cannot append.
  absl::Status Charge(const Principal* caller, uint64_t entries, uint64_t bytes, absl::Time now);

  // The appends refused so far, for /metrics: vellum_quota_refused_total{limit="entries"} and
  // {limit="bytes"}.
  void RenderMetrics(std::string* out) const;

  // Principals counted today, at most this many (older days' counts are dropped first).
  static constexpr size_t kMaxPrincipals = 65536;

 private:
  struct Rule {
    QuotaRule rule;
    std::unique_ptr<KeyedRateLimiter> entries;  // nullptr without a rate.
  };
  struct Day {
    int64_t day = 0;  // Days since the epoch, UTC.
    uint64_t bytes = 0;
  };
  explicit Quotas(std::vector<Rule> rules) : rules_(std::move(rules)) {}
  const Rule* RuleFor(const Principal& caller) const;

  const std::vector<Rule> rules_;
  std::atomic<uint64_t> refused_entries_{0};
  std::atomic<uint64_t> refused_bytes_{0};
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Day> bytes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_QUOTA_H_
