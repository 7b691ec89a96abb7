#include "ledger/metrics/metrics.h"

#include <string>

#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

TEST(RenderMetricTest, CountsAreWrittenInFull) {
  std::string out;
  RenderMetric("tree_size", "gauge", "Leaves.", uint64_t{1100000}, &out);
  EXPECT_EQ(out, "# HELP tree_size Leaves.\n# TYPE tree_size gauge\ntree_size 1100000\n");
  out.clear();
  RenderMetric("big", "counter", "Many.", uint64_t{9007199254740993}, &out);
  EXPECT_EQ(out.substr(out.rfind('\n', out.size() - 2) + 1), "big 9007199254740993\n");
  out.clear();
  RenderMetric("ratio", "gauge", "Half.", 0.5, &out);
  EXPECT_EQ(out.substr(out.rfind('\n', out.size() - 2) + 1), "ratio 0.5\n");
}

TEST(RenderLabeledSampleTest, EscapesTheLabelValue) {
  std::string out;
  RenderMetricHeader("up", "gauge", "Reachable.", &out);
  RenderLabeledSample("up", "witness", "a\\b\"c\nd", 1, &out);
  EXPECT_EQ(out, "# HELP up Reachable.\n# TYPE up gauge\nup{witness=\"a\\\\b\\\"c\\nd\"} 1\n");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
