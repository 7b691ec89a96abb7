#include "ledger/identity/quota.h"

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "ledger/refusal.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using ::testing::HasSubstr;

const absl::Time kNoon =
    absl::FromCivil(absl::CivilSecond(2026, 12, 2, 12, 0, 0), absl::UTCTimeZone());

Principal Named(std::string name, std::vector<std::string> groups = {}) {
  Principal p;
  p.name = std::move(name);
  p.groups = std::move(groups);
  p.authenticated_by = kByToken;
  return p;
}

std::unique_ptr<Quotas> Make(std::vector<QuotaRule> rules) {
  absl::StatusOr<std::unique_ptr<Quotas>> quotas = Quotas::Create(std::move(rules));
  EXPECT_TRUE(quotas.ok()) << quotas.status();
  return quotas.ok() ? *std::move(quotas) : nullptr;
}

TEST(QuotasTest, EntriesPerSecondPerPrincipal) {
  QuotaRule writers;
  writers.group = "ml-writers";
  writers.entries_per_second = 10;
  writers.entry_burst = 20;
  auto quotas = Make({writers});
  const Principal alice = Named("alice", {"ml-writers"});
  const Principal bob = Named("bob", {"ml-writers"});
  EXPECT_TRUE(quotas->Charge(&alice, 20, 100, kNoon).ok());
  absl::Status over = quotas->Charge(&alice, 1, 10, kNoon);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(over.message(), HasSubstr("quota of alice (the rule for group ml-writers): at most "
                                        "10 entries a second in bursts of 20, this append holds 1"));
  EXPECT_EQ(RetryAfter(over), absl::Milliseconds(100));
  // Each principal has its own budget under the same rule.
  EXPECT_TRUE(quotas->Charge(&bob, 20, 100, kNoon).ok());
  // A principal no rule covers has no quota.
  const Principal carol = Named("carol");
  EXPECT_TRUE(quotas->Charge(&carol, 1000000, 1, kNoon).ok());
  // A batch larger than the burst can never pass: the answer says so, and no wait is offered.
  absl::Status batch = quotas->Charge(&bob, 21, 1, kNoon + absl::Hours(1));
  EXPECT_EQ(batch.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(batch.message(), HasSubstr("this append holds 21: split it"));
  EXPECT_FALSE(RetryAfter(batch).has_value());
  std::string metrics;
  quotas->RenderMetrics(&metrics);
  EXPECT_NE(metrics.find("vellum_quota_refused_total{limit=\"entries\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("vellum_quota_refused_total{limit=\"bytes\"} 0\n"), std::string::npos)
      << metrics;
}

TEST(QuotasTest, BytesPerUtcDay) {
  QuotaRule everyone;
  everyone.principal = "*";
  everyone.bytes_per_day = 1000;
  auto quotas = Make({everyone});
  const Principal ci = Named("ci");
  EXPECT_TRUE(quotas->Charge(&ci, 1, 600, kNoon).ok());
  absl::Status over = quotas->Charge(&ci, 1, 401, kNoon);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(over.message(), HasSubstr("600 of 1000 bytes appended today (UTC), this append "
                                        "holds 401"));
  EXPECT_EQ(RetryAfter(over), absl::Hours(12));  // Until midnight UTC.
  // Nothing was charged by the refusal: exactly the rest fits.
  EXPECT_TRUE(quotas->Charge(&ci, 1, 400, kNoon).ok());
  EXPECT_FALSE(quotas->Charge(&ci, 1, 1, kNoon).ok());
  // More than a day allows can never pass.
  EXPECT_EQ(quotas->Charge(&ci, 1, 1001, kNoon).code(), absl::StatusCode::kInvalidArgument);
  // A new day, a new budget.
  EXPECT_TRUE(quotas->Charge(&ci, 1, 1000, kNoon + absl::Hours(12)).ok());
}

TEST(QuotasTest, TheFirstRuleThatCoversAPrincipalApplies) {
  QuotaRule deployer;
  deployer.principal = "ci-deployer";
  deployer.bytes_per_day = 10;
  QuotaRule rest;
  rest.principal = "*";
  rest.bytes_per_day = 1000000;
  auto quotas = Make({deployer, rest});
  const Principal ci = Named("ci-deployer");
  const Principal other = Named("other");
  EXPECT_FALSE(quotas->Charge(&ci, 1, 11, kNoon).ok());
  EXPECT_TRUE(quotas->Charge(&other, 1, 11, kNoon).ok());
  EXPECT_TRUE(quotas->Charge(nullptr, 1, 100000000, kNoon).ok());
}

TEST(QuotasTest, BadRulesAreRefusedByPosition) {
  QuotaRule neither;
  QuotaRule both;
  both.principal = "a";
  both.group = "g";
  QuotaRule negative;
  negative.principal = "a";
  negative.entries_per_second = -1;
  EXPECT_THAT(Quotas::Create({neither}).status().message(), HasSubstr("quotas[0]: want exactly"));
  EXPECT_THAT(Quotas::Create({negative, both}).status().message(),
              HasSubstr("quotas[0]: got entries_per_second -1"));
  EXPECT_THAT(Quotas::Create({QuotaRule{"*", "", 0, 0, 0}, both}).status().message(),
              HasSubstr("quotas[1]"));
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
