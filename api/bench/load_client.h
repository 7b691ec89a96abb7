#ifndef VELLUM_API_BENCH_LOAD_CLIENT_H_
#define VELLUM_API_BENCH_LOAD_CLIENT_H_

// The client side of the HTTP load generators (api/bench/bench.h, api/bench/events_bench.h): C
// keep-alive connections driven by a few I/O threads running Boost.Asio, each connection sending a
// request, reading its answer and sending the next (a closed loop, as wrk's connections do), with
// the latency of every answered request recorded. Asynchronous and with the requests encoded into
// reused buffers, so that the client spends little CPU per request and leaves the machine to the
// server it measures.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/tls/context.h"

namespace vellum {
namespace api {
namespace bench {

// Latency samples, in seconds. Thread-compatible: give each thread its own and Merge() them.
class LatencySamples {
 public:
  void Add(double seconds) { samples_.push_back(seconds); }
  void Merge(const LatencySamples& other);

  // The nearest-rank percentile p (0 < p <= 100) of the samples, 0 when there are none.
  // Sorts the samples.
  double Percentile(double p);
  double Max() const;
  size_t size() const { return samples_.size(); }

 private:
  std::vector<double> samples_;
  bool sorted_ = false;
};

// The throughput and latency figures every benchmark reports, whole or for one client.
struct BenchResult {
  uint64_t operations = 0;  // Appends calls, or HTTP requests, that succeeded.
  uint64_t entries = 0;     // Entries appended (appends only).
  uint64_t errors = 0;      // Failed operations.
  std::string first_error;  // The message of the first failure.
  double seconds = 0;       // Wall time from the first operation to the last answer.
  LatencySamples latency;   // One sample per successful operation.
  bool deadline_hit = false;

  // Counts a failed operation.
  void Error(absl::string_view message) {
    if (errors++ == 0) first_error = std::string(message);
  }
  // Adds `other`'s counts and samples (not its seconds); its first error comes after ours.
  void Merge(const BenchResult& other);
};

// One request, as a load generator fills it in before each send. Reused from request to request:
// assign to the strings rather than replace them, to keep their buffers.
struct LoadRequest {
  std::string target;  // Path and query, appended to the URL's path.
  std::string body;
};

struct LoadOptions {
  std::string url;  // http[s]://HOST:PORT with an optional path prefix.
  // For https://: the CAs and client certificate (api/client/http_client.h). Each connection
  // handshakes once, before the clock starts, and again only when it reconnects.
  tls::ClientOptions tls;
  int connections = 1;
  int threads = 1;        // I/O threads; connection i is served by thread i % threads.
  uint64_t requests = 0;  // In all, over every connection.
  std::string method = "GET";
  // Sent with every request, besides Host and Content-Length.
  std::vector<std::pair<std::string, std::string>> headers;
  // A request that is not answered within this (connecting included) fails, and its connection
  // is closed.
  absl::Duration timeout = absl::Seconds(30);
  // No request starts later than this after the clock starts.
  absl::Duration max_time = absl::Minutes(5);
  size_t max_response_bytes = 64 << 20;
};

// Fills in request `number` (0 to requests - 1) for connection `connection`, on that connection's
// I/O thread.
using FillRequest = std::function<void(int connection, uint64_t number, LoadRequest* request)>;
// Checks the body of the 200 answer to `request`, the last request of connection `connection`,
// on that connection's I/O thread; an error fails the request.
using CheckAnswer = std::function<absl::Status(int connection, const LoadRequest& request,
                                               const std::string& body)>;

// Opens options.connections connections and checks that each answers GET /healthz with a 200 (a
// connection that does not sits the run out, counted as one error), then starts the clock and
// sends options.requests requests in all: each connection fills in, sends and awaits one request
// at a time until none are left or max_time has passed. A request fails (is counted as an error,
// with no latency sample) on a connection error or timeout, after which its connection reconnects
// for its next request; on an answer other than 200; and when `check` rejects the answer. A
// connection the server closes is reopened for the next request. Returns the tallies of all
// connections and the wall time from the start of the clock to the last answer; `entries` is
// left 0. Fails with InvalidArgument on an unparseable URL, TLS files that cannot be loaded, or
// when connections or threads is below 1.
absl::StatusOr<BenchResult> RunLoad(const LoadOptions& options, const FillRequest& fill,
                                    const CheckAnswer& check);

}  // namespace bench
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_BENCH_LOAD_CLIENT_H_
