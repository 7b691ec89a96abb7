#include "ledger/metrics/metrics.h"

#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < kBuckets && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
}

void RenderMetricHeader(absl::string_view name, absl::string_view type, absl::string_view help,
                        std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

void RenderLabeledSample(absl::string_view name, absl::string_view label,
                         absl::string_view value, uint64_t sample, std::string* out) {
  absl::StrAppend(out, name, "{", label, "=\"");
  for (char c : value) {
    if (c == '\\' || c == '"') out->push_back('\\');
    if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
  absl::StrAppend(out, "\"} ", sample, "\n");
}

void Histogram::Render(absl::string_view name, absl::string_view help, std::string* out) const {
  RenderMetricHeader(name, "histogram", help, out);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBuckets; ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    std::string le = i < kBuckets ? absl::StrCat(bounds_[i]) : "+Inf";
    absl::StrAppend(out, name, "_bucket{le=\"", le, "\"} ", cumulative, "\n");
  }
  absl::StrAppend(out, name, "_sum ", sum_.load(std::memory_order_relaxed), "\n", name,
                  "_count ", count_.load(std::memory_order_relaxed), "\n");
}

std::array<double, Histogram::kBuckets> Histogram::LatencyBounds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1, 10};
}

std::array<double, Histogram::kBuckets> Histogram::CountBounds() {
  return {1, 2, 4, 8, 16, 64, 256, 512, 1024, 2048, 4096, 16384};
}

namespace {

template <typename T>
void RenderSample(absl::string_view name, absl::string_view type, absl::string_view help, T value,
                  std::string* out) {
  RenderMetricHeader(name, type, help, out);
  absl::StrAppend(out, name, " ", value, "\n");
}

}  // namespace

void RenderMetric(absl::string_view name, absl::string_view type, absl::string_view help,
                  double value, std::string* out) {
  RenderSample(name, type, help, value, out);
}

void RenderMetric(absl::string_view name, absl::string_view type, absl::string_view help,
                  uint64_t value, std::string* out) {
  RenderSample(name, type, help, value, out);
}

}  // namespace ledger
}  // namespace vellum
