#include "api/http.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ledger/refusal.h"

namespace vellum {
namespace api {
namespace {

TEST(SplitTargetTest, PathAndQuery) {
  EXPECT_EQ(SplitTarget("/a?b=1&c"), std::make_pair(absl::string_view("/a"),
                                                     absl::string_view("b=1&c")));
  EXPECT_EQ(SplitTarget("/a"), std::make_pair(absl::string_view("/a"), absl::string_view()));
}

TEST(QueryParamsTest, ParsesAndDecodes) {
  auto params = QueryParams::Parse("index=5&leaf_hash=a%2Bb&flag");
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_EQ(params->Get("index"), "5");
  EXPECT_EQ(params->Get("leaf_hash"), "a+b");
  EXPECT_EQ(params->Get("flag"), "");
  EXPECT_EQ(params->Get("absent"), absl::nullopt);
  EXPECT_TRUE(params->CheckAllowed({"index", "leaf_hash", "flag"}).ok());
  absl::Status unknown = params->CheckAllowed({"index"});
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message(), "unknown query parameter \"flag\"");
}

TEST(QueryParamsTest, RejectsMalformed) {
  struct Case {
    std::string query;
    std::string message;
  };
  const Case cases[] = {
      {"a=1&a=2", "query parameter \"a\" given more than once"},
      {"=1", "query parameter with an empty name"},
      {"a=%zz", "bad %-escape at byte 0 of the query"},
      {"a=%4", "bad %-escape at byte 0 of the query"},
      {"a=" + std::string(1100, 'x'), "query parameter is 1102 bytes, want at most 1024"},
      {"a&b&c&d&e&f&g&h&i&j&k&l&m&n&o&p&q", "query has more than 16 parameters"},
  };
  for (const Case& c : cases) {
    auto params = QueryParams::Parse(c.query);
    EXPECT_EQ(params.status().code(), absl::StatusCode::kInvalidArgument) << c.query;
    EXPECT_EQ(params.status().message(), c.message);
  }
}

TEST(ErrorResponseTest, MapsStatusesInOnePlace) {
  EXPECT_EQ(HttpStatusFor(absl::InvalidArgumentError("")), 400);
  EXPECT_EQ(HttpStatusFor(absl::OutOfRangeError("")), 400);
  EXPECT_EQ(HttpStatusFor(absl::UnauthenticatedError("")), 401);
  EXPECT_EQ(HttpStatusFor(absl::NotFoundError("")), 404);
  EXPECT_EQ(HttpStatusFor(absl::UnavailableError("")), 503);
  EXPECT_EQ(HttpStatusFor(absl::DataLossError("")), 500);
  HttpResponse r = ErrorResponse(absl::InvalidArgumentError("bad \"x\"\n"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"error\":\"bad \\\"x\\\"\\n\"}\n");
  EXPECT_TRUE(r.headers.empty());
}

std::string RetryAfterOf(const HttpResponse& response) {
  std::string value;
  for (const auto& [name, v] : response.headers) {
    if (name == "Retry-After") value += v;
  }
  return value;
}

TEST(ErrorResponseTest, AFullDiskIs507BothWays) {
  const absl::Status full = ledger::InsufficientStorageError("No space left on device");
  EXPECT_EQ(HttpStatusFor(full), 507);
  EXPECT_EQ(HttpStatusFor(absl::ResourceExhaustedError("quota")), 429);
  HttpResponse r = ErrorResponse(full);
  EXPECT_EQ(r.status, 507);
  absl::Status back = StatusFromResponse(r);
  EXPECT_TRUE(ledger::IsInsufficientStorage(back)) << back;
  EXPECT_EQ(back.message(), "HTTP 507: {\"error\":\"No space left on device\"}");
  r.status = 429;
  EXPECT_FALSE(ledger::IsInsufficientStorage(StatusFromResponse(r)));
}

TEST(ErrorResponseTest, RetryableAnswersCarryRetryAfter) {
  // Whole seconds, rounded up, at least one; one second when the error names no delay.
  EXPECT_EQ(RetryAfterOf(ErrorResponse(absl::UnavailableError("busy"))), "1");
  EXPECT_EQ(RetryAfterOf(ErrorResponse(503, "busy")), "1");
  EXPECT_EQ(RetryAfterOf(ErrorResponse(429, "slow down")), "1");
  const absl::Duration delays[] = {absl::ZeroDuration(), absl::Milliseconds(1),
                                   absl::Milliseconds(2500), absl::Seconds(5)};
  const char* want[] = {"1", "1", "3", "5"};
  for (int i = 0; i < 4; ++i) {
    HttpResponse r = ErrorResponse(
        ledger::WithRetryAfter(ledger::InsufficientStorageError("full"), delays[i]));
    EXPECT_EQ(r.status, 507);
    EXPECT_EQ(RetryAfterOf(r), want[i]) << delays[i];
  }
  EXPECT_EQ(RetryAfterOf(ErrorResponse(
                ledger::WithRetryAfter(absl::ResourceExhaustedError("q"), absl::Seconds(7)))),
            "7");
  // Other answers never do, hint or not.
  EXPECT_EQ(RetryAfterOf(ErrorResponse(
                ledger::WithRetryAfter(absl::InvalidArgumentError("bad"), absl::Seconds(7)))),
            "");
  EXPECT_EQ(RetryAfterOf(ErrorResponse(500, "broken")), "");
}

}  // namespace
}  // namespace api
}  // namespace vellum
