#ifndef VELLUM_LEDGER_METRICS_METRICS_H_
#define VELLUM_LEDGER_METRICS_METRICS_H_

// The Prometheus text format (version 0.0.4), written one way for every /metrics page of the
// project: vellumd's, the witness's and the monitor's.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace vellum {
namespace ledger {

// A cumulative histogram with fixed upper bounds, rendered in the Prometheus text format.
// Lock-free and thread-safe.
class Histogram {
 public:
  static constexpr size_t kBuckets = 12;
  // `bounds` are the upper bounds of the buckets, increasing; +Inf is implied.
  explicit Histogram(const std::array<double, kBuckets>& bounds) : bounds_(bounds) {}

  void Observe(double value);

  // Appends `# HELP`, `# TYPE` and the sample lines for metric `name`.
  void Render(absl::string_view name, absl::string_view help, std::string* out) const;

  // Upper bounds for latencies in seconds, 50 us to 10 s, and for counts, 1 to 16384.
  static std::array<double, kBuckets> LatencyBounds();
  static std::array<double, kBuckets> CountBounds();

 private:
  const std::array<double, kBuckets> bounds_;
  std::array<std::atomic<uint64_t>, kBuckets + 1> counts_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Appends the `# HELP` and `# TYPE` lines of metric `name`; `type` is "counter", "gauge" or
// "histogram".
void RenderMetricHeader(absl::string_view name, absl::string_view type, absl::string_view help,
                        std::string* out);

// Appends one sample of `name` with one label, `name{label="value"} sample`, escaping the value
// (backslash, double quote and newline, as the format requires).
void RenderLabeledSample(absl::string_view name, absl::string_view label,
                         absl::string_view value, uint64_t sample, std::string* out);

// Appends a counter or gauge sample with its HELP and TYPE lines. Counts are written in full:
// a double would print 1100000 as 1.1e+06 and round larger ones.
void RenderMetric(absl::string_view name, absl::string_view type, absl::string_view help,
                  double value, std::string* out);
void RenderMetric(absl::string_view name, absl::string_view type, absl::string_view help,
                  uint64_t value, std::string* out);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_METRICS_METRICS_H_
