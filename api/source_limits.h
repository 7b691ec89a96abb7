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
#include "ledger/rate_limit.h"

namespace vellum {
namespace api {

// The limits the HTTP server keeps per source address (docs/operations.md, "Limits"): open
// connections, and a request rate as a token bucket. Both tables are bounded, so a caller with
// many addresses cannot grow memory without limit (ledger::KeyedRateLimiter). Thread-safe.
class SourceLimiter {
 public:
  struct Options {
    // Open connections one source may hold; 0 for no limit.
    size_t max_connections_per_source = 256;
    // Requests per second one source may send on average, and in a burst (below 1: two
    // seconds' worth); a rate of 0 for no limit.
    double requests_per_second = 0;
    double request_burst = 0;
    // Sources with a rate bucket of their own (ledger::KeyedRateLimiter).
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

 private:
  const Options options_;
  // Requests per source; nullopt without a rate limit.
  absl::optional<ledger::KeyedRateLimiter> requests_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint32_t> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SOURCE_LIMITS_H_
