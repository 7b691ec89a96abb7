#ifndef VELLUM_API_SOURCE_LIMITS_H_
#define VELLUM_API_SOURCE_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace vellum {
namespace api {

// The limits the HTTP server keeps per source address (docs/operations.md, "Limits"): open
// connections, and a request rate as a token bucket. Both tables are bounded, so a caller with
// many addresses cannot grow memory without limit. Thread-safe.
class SourceLimiter {
 public:
  struct Options {
    // Open connections one source may hold; 0 for no limit.
    size_t max_connections_per_source = 256;
    // Requests per second one source may send on average, and in a burst (below 1: two
    // seconds' worth); a rate of 0 for no limit.
    double requests_per_second = 0;
    double request_burst = 0;
    // Sources with a rate bucket. When the table is full, buckets that have refilled are
    // dropped (they hold nothing); if none has, the new source shares one overflow bucket with
    // every other source that found the table full.
    size_t max_rate_sources = 65536;
  };

  explicit SourceLimiter(Options options);

  SourceLimiter(const SourceLimiter&) = delete;
  SourceLimiter& operator=(const SourceLimiter&) = delete;

  // Counts one more connection from `source`, or false (counting nothing) when it already holds
  // max_connections_per_source.
  bool OpenConnection(const std::string& source);
  // The end of a connection OpenConnection() counted.
  void CloseConnection(const std::string& source);

  // Takes one request from `source`'s bucket at `now`: nullopt when allowed, else how long until
  // the bucket holds a request again (for Retry-After).
  absl::optional<absl::Duration> TakeRequest(const std::string& source, absl::Time now);

  const Options& options() const { return options_; }
  // Sources now holding a rate bucket (the overflow bucket not counted).
  size_t rate_sources() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  // Refills `bucket` to `now`.
  void Refill(Bucket* bucket, absl::Time now) const;
  // Drops the buckets that are full at `now`.
  void DropFullBuckets(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint32_t> connections_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  Bucket overflow_ ABSL_GUARDED_BY(mu_);
  bool overflow_started_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SOURCE_LIMITS_H_
