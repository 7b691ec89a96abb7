#ifndef VELLUM_API_BENCH_HOSTILE_SOAK_H_
#define VELLUM_API_BENCH_HOSTILE_SOAK_H_

// The bounded soak of issue 12 (docs/benchmarks.md, "Hostile traffic"): honest appending and
// searching clients from 127.0.0.1 against one in-process api::LogServer with the default limits,
// in rounds of a quiet phase and a phase with hostile clients from other loopback addresses
// running alongside (slow headers, idle connections past the per-source limit, garbage and
// refused requests). Reports the honest throughput of each phase, the process's resident memory,
// and checks afterwards that every acknowledged entry is in the log.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vellum {
namespace api {
namespace bench {

struct SoakOptions {
  std::string work_dir;  // Must not exist.
  int rounds = 3;
  absl::Duration phase = absl::Seconds(20);
  int appenders = 32;       // Keep-alive connections appending with receipts.
  int searchers = 4;        // Keep-alive connections searching events.
  uint64_t prefill_events = 20000;
  int slow_header_clients = 200;  // From 127.0.0.2, a byte every 100 ms.
  int idle_clients = 1500;        // From 127.0.0.3, never sending: past the per-source limit.
  int garbage_threads = 2;        // From 127.0.0.4: malformed, unauthenticated, oversized.
};

struct SoakPhase {
  int round = 0;
  bool hostile = false;
  double appends_per_second = 0;
  double searches_per_second = 0;
  double append_p99_ms = 0;
  uint64_t honest_errors = 0;
  std::string first_error;
  uint64_t hostile_attempts = 0;  // Connections opened and requests sent by the hostile clients.
  double max_rss_mib = 0;
  std::string server_refusals;  // The server's refusal counters after the phase.
};

struct SoakReport {
  std::vector<SoakPhase> phases;
  uint64_t acknowledged = 0;  // Appends answered 200 with a receipt.
  uint64_t missing = 0;       // Of those, not in the log (or with another leaf hash) afterwards.
  uint64_t tree_size = 0;
};

// Runs the soak; fails on set-up errors only (the figures say how it went).
absl::StatusOr<SoakReport> RunSoak(const SoakOptions& options);

// The report as text: one line per phase, the ratios of hostile to quiet throughput per round
// and their medians, memory, and the acknowledged-entries check.
std::string SoakSummary(const SoakReport& report);

}  // namespace bench
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_BENCH_HOSTILE_SOAK_H_
