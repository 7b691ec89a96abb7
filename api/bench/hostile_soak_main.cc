// The bounded soak of issue 12: honest clients alongside hostile ones (api/bench/hostile_soak.h;
// docs/benchmarks.md, "Hostile traffic").
//
//   hostile_soak WORK_DIR [ROUNDS [PHASE_SECONDS]]
//
// WORK_DIR must not exist. Exits 1 if an acknowledged entry is missing from the log.

#include <iostream>

#include "absl/strings/numbers.h"
#include "api/bench/hostile_soak.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

int Run(int argc, char** argv) {
  SoakOptions options;
  int seconds = 20;
  if (argc < 2 || argc > 4 || (argc > 2 && !absl::SimpleAtoi(argv[2], &options.rounds)) ||
      (argc > 3 && !absl::SimpleAtoi(argv[3], &seconds)) || options.rounds < 1 ||
      seconds < 1 || options.rounds * seconds * 2 > 540) {
    std::cerr << "usage: hostile_soak WORK_DIR [ROUNDS [PHASE_SECONDS]] (at most 9 minutes of "
                 "phases)\n";
    return 2;
  }
  options.work_dir = argv[1];
  options.phase = absl::Seconds(seconds);
  absl::StatusOr<SoakReport> report = RunSoak(options);
  if (!report.ok()) return std::cerr << report.status() << "\n", 1;
  std::cout << SoakSummary(*report);
  return report->missing == 0 && report->acknowledged > 0 ? 0 : 1;
}

}  // namespace
}  // namespace bench
}  // namespace api
}  // namespace vellum

int main(int argc, char** argv) { return vellum::api::bench::Run(argc, argv); }
