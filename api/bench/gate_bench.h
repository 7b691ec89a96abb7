#ifndef VELLUM_API_BENCH_GATE_BENCH_H_
#define VELLUM_API_BENCH_GATE_BENCH_H_

// The load generator behind `vellum bench gate` (docs/cli.md, docs/benchmarks.md "The deployment
// gate"): gate checks (POST /v1/gate/check) from keep-alive clients, each answered once its
// decision is durable, with the decision's receipt.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/bench/load_client.h"
#include "api/tls/context.h"

namespace vellum {
namespace api {
namespace bench {

struct GateBenchOptions {
  std::string url;
  tls::ClientOptions tls;  // For an https:// url.
  int clients = 16;
  uint64_t requests = 100000;
  std::string token;  // Bearer token of a caller with gate.check; empty for none.
  // The environment checked: with the example policy of docs/gate.md, "staging" is allowed by a
  // rule and "production" denied for want of approvals (both are decisions on the log).
  std::string environment = "staging";
  absl::Duration max_time = absl::Minutes(5);
};

struct GateBenchResult {
  BenchResult bench;  // operations = decisions answered.
  uint64_t allowed = 0;
  uint64_t first_index = UINT64_MAX;  // The decisions' indices.
  uint64_t last_index = 0;
};

// Runs the checks: each for a model of kBenchModels (docs: "model-NN"), version 1, and a
// request_id of its own. Each answer must be a GateCheckResponse with an index and a receipt.
absl::StatusOr<GateBenchResult> RunGateBench(const GateBenchOptions& options);

// The result as one JSON object ("benchmark": "gate", decisions, decisions_per_second, ...).
std::string GateBenchJson(const GateBenchOptions& options, GateBenchResult& result);

}  // namespace bench
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_BENCH_GATE_BENCH_H_
