// Single appends with receipts, plaintext HTTP with a token-file token against HTTPS with an
// OIDC JWT, alternating over rounds (api/bench/identity_tls_bench.h; docs/benchmarks.md,
// "Identity and TLS (issue 11)").
//
//   identity_tls_compare WORK_DIR CLIENTS REQUESTS ROUNDS MAX_SECONDS
//
// WORK_DIR must not exist; REQUESTS and MAX_SECONDS bound each run.

#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/bench/identity_tls_bench.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

int Run(int argc, char** argv) {
  IdentityTlsBenchOptions options;
  int seconds = 0;
  if (argc != 6 || !absl::SimpleAtoi(argv[2], &options.clients) ||
      !absl::SimpleAtoi(argv[3], &options.requests) ||
      !absl::SimpleAtoi(argv[4], &options.rounds) || !absl::SimpleAtoi(argv[5], &seconds)) {
    std::cerr << "usage: identity_tls_compare WORK_DIR CLIENTS REQUESTS ROUNDS MAX_SECONDS\n";
    return 2;
  }
  options.work_dir = argv[1];
  options.max_time = absl::Seconds(seconds);
  absl::StatusOr<std::vector<ModeRun>> runs =
      RunIdentityTlsBench(options, [](const ModeRun& run) {
        std::cout << absl::StrFormat(
                         "%s %s: %.0f appends/s, p50 %.2f ms, p99 %.2f ms, CPU %.0f us/append, "
                         "errors %d\n",
                         run.round == 0 ? "warm-up" : absl::StrCat("round ", run.round),
                         AppendModeName(run.mode), run.per_second, run.p50_ms, run.p99_ms,
                         run.cpu_us_per_append, run.errors)
                  << run.json << std::endl;
      });
  if (!runs.ok()) return std::cerr << runs.status() << "\n", 1;
  std::cout << IdentityTlsSummary(*runs);
  return 0;
}

}  // namespace
}  // namespace bench
}  // namespace api
}  // namespace vellum

int main(int argc, char** argv) { return vellum::api::bench::Run(argc, argv); }
