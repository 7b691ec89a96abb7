#include "api/bench/identity_tls_bench.h"

#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/authorizer.h"
#include "api/server/access_rules.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

using ::testing::HasSubstr;

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

TEST(IdentityTlsBenchTest, EachModeAcceptsOnlyItsOwnCredential) {
  const std::string dir = TempDir() + "/credentials";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  absl::StatusOr<BenchCredentials> credentials = MakeBenchCredentials(dir);
  ASSERT_TRUE(credentials.ok()) << credentials.status();

  auto token_rules = BuildAccessRules(AccessConfig(AppendMode::kPlaintextToken, *credentials));
  ASSERT_TRUE(token_rules.ok()) << token_rules.status();
  EXPECT_EQ((*token_rules)->oidc, nullptr);
  ASSERT_NE((*token_rules)->tokens, nullptr);
  EXPECT_TRUE((*token_rules)->tokens->Find(credentials->token).has_value());
  EXPECT_FALSE((*token_rules)->tokens->Find(credentials->jwt).has_value());

  auto jwt_rules = BuildAccessRules(AccessConfig(AppendMode::kTlsJwt, *credentials));
  ASSERT_TRUE(jwt_rules.ok()) << jwt_rules.status();
  EXPECT_EQ((*jwt_rules)->tokens, nullptr);
  ASSERT_NE((*jwt_rules)->oidc, nullptr);
  absl::StatusOr<ledger::identity::Principal> principal =
      (*jwt_rules)->oidc->Authenticate(credentials->jwt);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, absl::StrCat(kBenchIssuer, "#", kBenchSubject));
  EXPECT_TRUE(absl::IsUnauthenticated(
      (*jwt_rules)->oidc->Authenticate(credentials->jwt + "x").status()));
}

TEST(IdentityTlsBenchTest, AlternatesModesWithoutErrors) {
  IdentityTlsBenchOptions options;
  options.work_dir = TempDir() + "/alternating";
  options.clients = 4;
  options.requests = 40;
  options.rounds = 2;
  std::vector<std::string> order;
  absl::StatusOr<std::vector<ModeRun>> runs =
      RunIdentityTlsBench(options, [&](const ModeRun& run) {
        order.push_back(absl::StrCat(run.round, " ", AppendModeName(run.mode)));
      });
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_THAT(order, ::testing::ElementsAre("0 https+jwt", "0 plaintext+token",
                                            "1 plaintext+token", "1 https+jwt", "2 https+jwt",
                                            "2 plaintext+token"));
  ASSERT_EQ(runs->size(), 4u);
  for (const ModeRun& run : *runs) {
    EXPECT_EQ(run.errors, 0u) << run.json;
    EXPECT_GT(run.per_second, 0) << run.json;
    EXPECT_GT(run.cpu_us_per_append, 0) << run.json;
    EXPECT_THAT(run.json, HasSubstr(R"("requests": 40, )"));
    EXPECT_THAT(run.json, HasSubstr(R"("receipt": "true")"));
  }

  EXPECT_TRUE(absl::IsFailedPrecondition(RunIdentityTlsBench(options, [](const ModeRun&) {})
                                             .status()));
  options.work_dir = TempDir() + "/no-rounds";
  options.rounds = 0;
  EXPECT_TRUE(
      absl::IsInvalidArgument(RunIdentityTlsBench(options, [](const ModeRun&) {}).status()));
}

TEST(IdentityTlsBenchTest, SummaryTakesMediansAndRatios) {
  auto run = [](AppendMode mode, int round, double per_second, double p99_ms) {
    ModeRun out;
    out.mode = mode;
    out.round = round;
    out.per_second = per_second;
    out.p99_ms = p99_ms;
    out.cpu_us_per_append = per_second / 10;
    return out;
  };
  const AppendMode a = AppendMode::kPlaintextToken;
  const AppendMode b = AppendMode::kTlsJwt;
  EXPECT_EQ(IdentityTlsSummary({run(a, 1, 100, 9), run(b, 1, 90, 12), run(b, 2, 150, 30),
                                run(a, 2, 300, 20), run(a, 3, 200, 10), run(b, 3, 170, 11)}),
            "plaintext+token: 3 runs, median 200 appends/s (100 to 300), median p99 10.00 ms "
            "(9.00 to 20.00), median CPU 20 us/append, errors 0\n"
            "https+jwt: 3 runs, median 150 appends/s (90 to 170), median p99 12.00 ms "
            "(11.00 to 30.00), median CPU 15 us/append, errors 0\n"
            "https+jwt / plaintext+token: 0.750 (medians); by round: 1: 0.900 2: 0.500 3: 0.850\n");
}

}  // namespace
}  // namespace bench
}  // namespace api
}  // namespace vellum
