#ifndef VELLUM_API_BENCH_BENCH_H_
#define VELLUM_API_BENCH_BENCH_H_

// Load generators behind `vellum bench`: durable in-process appends through the real sequencer
// and LevelDB store on client threads, and appends and inclusion proofs over HTTP through
// api/bench/load_client.h's keep-alive connections. Each runs a bounded number of operations, stops
// early at a deadline, and reports throughput and latency percentiles as one JSON object.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/bench/load_client.h"
#include "api/client/http_client.h"
#include "api/tls/context.h"

namespace vellum {
namespace api {
namespace bench {

// A flat JSON object built field by field, in order. Keys are plain identifiers.
class JsonObject {
 public:
  JsonObject& Add(absl::string_view key, uint64_t value);
  JsonObject& Add(absl::string_view key, double value);
  JsonObject& Add(absl::string_view key, absl::string_view value);
  JsonObject& Add(absl::string_view key, const char* value) {
    return Add(key, absl::string_view(value));
  }
  // `{"key": value, ...}` on one line.
  std::string ToString() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Returns `bytes` bytes of printable content: "vellum bench <nonce> <number> " (16 hex digits
// each) followed by letters, so unique for each (`nonce`, `number`) pair when bytes >= 47.
std::string BenchEntry(uint64_t nonce, uint64_t number, size_t bytes);

// The body of POST /v1/entries:batch (a binary AppendBatchRequest) holding `count` entries
// BenchEntry(nonce, first + k, bytes), built once and renumbered in place, so that a load
// generator spends its time sending rather than encoding. Thread-compatible.
class BatchPayload {
 public:
  BatchPayload(uint64_t nonce, size_t count, size_t bytes);

  // Renumbers the entries to first, first + 1, ...; returns the encoded request.
  const std::string& Renumber(uint64_t first);

 private:
  const uint64_t nonce_;
  const size_t bytes_;
  std::string encoded_;
  std::vector<size_t> offsets_;  // Where each entry starts in encoded_.
};

// --- Shared by the load generators (this file's and api/bench/events_bench.h) -----------

// InvalidArgument unless 1 <= clients <= 1024 and operations > 0.
absl::Status CheckClients(int clients, uint64_t operations);

// count / seconds, or 0 when no time passed.
double PerSecond(uint64_t count, double seconds);

// Adds the fields every benchmark reports: seconds, p50_ms, p99_ms, max_ms, errors, and
// stopped_at_deadline and first_error when they apply.
void AddCommonFields(BenchResult& result, JsonObject& json);

// A random nonce that keeps the entries of different runs apart.
uint64_t RunNonce();

// The LoadOptions of a closed-loop run: `requests` requests to `url` (with `tls` for https://)
// over `clients` keep-alive connections, stopping early after `max_time`.
LoadOptions ClosedLoop(absl::string_view url, const tls::ClientOptions& tls, int clients,
                       uint64_t requests, absl::Duration max_time);

// The options of the one HttpClient a benchmark uses to look at the server before its run.
HttpClient::Options ProbeOptions(const tls::ClientOptions& tls);

// The headers of a request that wants binary protobuf back, with `token` as its bearer token
// unless empty.
std::vector<std::pair<std::string, std::string>> ProtobufHeaders(const std::string& token);

// --- bench append ---------------------------------------------------------------------------

struct AppendBenchOptions {
  // A directory without a log in it (created if missing); the benchmark creates a new log there.
  std::string data_dir;
  uint64_t entries = 1000000;
  size_t entry_bytes = 300;
  // Client threads, each calling Sequencer::Append with `batch` entries at a time: by default
  // 32 producers of 128-entry batches, so that 4096 entries (one full group commit) are in
  // flight.
  int clients = 32;
  size_t batch = 128;
  // The sequencer's group-commit bounds (ledger::SequencerOptions).
  size_t max_batch_entries = 4096;
  absl::Duration max_batch_delay = absl::ZeroDuration();
  // Clients stop calling Append after this.
  absl::Duration max_time = absl::Minutes(5);
};

struct AppendBenchResult {
  BenchResult bench;         // operations = Append calls.
  uint64_t batches = 0;      // Group commits (distinct checkpoints the calls were acked with).
  uint64_t tree_size = 0;    // Size of the log at the end.
  // From the last acknowledgement until the leaf-hash index covered the whole log.
  double index_lag_seconds = 0;
  std::string metrics;       // The sequencer's metrics at the end, in the Prometheus format.
};

// Creates a log in options.data_dir with a fresh key and appends options.entries entries through
// ledger::Sequencer and ledger::LocalLog (LevelDB, with the leaf-hash index following the
// commits), every one durable before it is acknowledged, then waits for the index to catch up.
// Fails with FailedPrecondition if the directory already holds a log, InvalidArgument on bad
// options, and with the storage's errors. Append failures are counted in the result.
absl::StatusOr<AppendBenchResult> RunAppendBench(const AppendBenchOptions& options);

// The JSON line for `result`: entries, seconds, entries_per_second, batches, latencies in ms.
std::string AppendBenchJson(const AppendBenchOptions& options, AppendBenchResult& result);

// --- bench http -----------------------------------------------------------------------------

struct HttpAppendBenchOptions {
  std::string url;
  tls::ClientOptions tls;  // For an https:// url.
  int clients = 64;
  uint64_t requests = 100000;
  // Entries per request: 1 posts to /v1/entries, more to /v1/entries:batch (binary protobuf).
  size_t batch = 1;
  bool receipt = false;  // Single-entry requests ask for a tlog-proof receipt.
  size_t entry_bytes = 300;
  std::string token;  // Bearer token for appends (any string: a shared secret, a JWT); "" for none.
  absl::Duration max_time = absl::Minutes(5);
};

// Posts options.requests append requests over options.clients keep-alive connections (opened
// before the clock starts, driven by one I/O thread). A non-200 answer counts as an error.
// Fails only on bad options or an unparseable URL.
absl::StatusOr<BenchResult> RunHttpAppendBench(const HttpAppendBenchOptions& options);

std::string HttpAppendBenchJson(const HttpAppendBenchOptions& options, BenchResult& result);

// --- bench proofs ---------------------------------------------------------------------------

struct ProofBenchOptions {
  std::string url;
  tls::ClientOptions tls;  // For an https:// url.
  int clients = 16;
  uint64_t requests = 100000;
  uint64_t seed = 1;
  absl::Duration max_time = absl::Minutes(5);
};

struct ProofBenchResult {
  BenchResult bench;
  uint64_t tree_size = 0;  // The size the proofs are for.
};

// Reads the log's current size (/v1/log), then requests options.requests inclusion proofs
// (binary protobuf) for uniformly random indices at that size over options.clients keep-alive
// connections.
// Fails with FailedPrecondition on an empty log, and with the error of the size look-up.
absl::StatusOr<ProofBenchResult> RunProofBench(const ProofBenchOptions& options);

std::string ProofBenchJson(const ProofBenchOptions& options, ProofBenchResult& result);

}  // namespace bench
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_BENCH_BENCH_H_
