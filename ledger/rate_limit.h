#ifndef VELLUM_LEDGER_RATE_LIMIT_H_
#define VELLUM_LEDGER_RATE_LIMIT_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace vellum {
namespace ledger {

// Token buckets by key (a source address, a principal), in a table of bounded size, so that a
// caller with many keys cannot grow memory without limit: when the table is full, the buckets
// that have refilled are forgotten (they are as good as new), at most once a second since that
// is linear in the table; if none has, the new key shares one overflow bucket with every key
// that found the table full. Thread-safe.
class KeyedRateLimiter {
 public:
  struct Options {
    // Tokens per second each bucket gains, and the most it holds (below 1: two seconds' worth).
    double rate = 1;
    double burst = 0;
    size_t max_keys = 65536;
  };

  explicit KeyedRateLimiter(Options options);

  KeyedRateLimiter(const KeyedRateLimiter&) = delete;
  KeyedRateLimiter& operator=(const KeyedRateLimiter&) = delete;

  // Takes `cost` tokens from `key`'s bucket at `now`: nullopt when taken, else (taking nothing)
  // how long until the bucket will hold them, absl::InfiniteDuration() if `cost` is more than
  // the burst.
  absl::optional<absl::Duration> Take(absl::string_view key, absl::Time now, double cost = 1);

  const Options& options() const { return options_; }
  // Keys now holding a bucket of their own.
  size_t keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };
  void Refill(Bucket* bucket, absl::Time now) const;

  const Options options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::optional<Bucket> overflow_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_RATE_LIMIT_H_
