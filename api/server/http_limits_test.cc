#include "api/server/http_limits.h"

#include "api/config/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;

TEST(HttpLimitsTest, TheDefaultsStandWithoutAnHttpSection) {
  HttpServer::Options options;
  BodyLimits limits;
  ASSERT_TRUE(ApplyHttpLimits(config::Http(), &options, &limits).ok());
  EXPECT_EQ(options.max_connections, 4096u);
  EXPECT_EQ(options.source_limits.max_connections_per_source, 256u);
  EXPECT_EQ(options.source_limits.requests_per_second, 0);
  EXPECT_EQ(options.header_timeout, absl::Seconds(5));
  EXPECT_TRUE(options.trusted_proxies.empty());
  EXPECT_EQ(limits.entry, 65535u);
  EXPECT_EQ(options.max_body_bytes, size_t{8} << 20);
}

TEST(HttpLimitsTest, EveryKeyReachesTheServer) {
  absl::StatusOr<config::Config> config = config::ParseConfig(R"(
data_dir: /var/lib/vellum
http:
  max_connections: 1000
  max_connections_per_source: 16
  requests_per_second_per_source: 50.5
  request_burst_per_source: 100
  header_timeout_ms: 2000
  request_timeout_ms: 10000
  idle_timeout_ms: 15000
  trusted_proxies: [10.0.0.0/8, 192.0.2.1]
  body_limits: {entry: 4096, batch: 1048576, event: 65536, event_batch: 524288,
                ingest: 2097152, signed_ingest: 131072, other: 0}
)",
                                                                "/etc/vellum");
  ASSERT_TRUE(config.ok()) << config.status();
  HttpServer::Options options;
  BodyLimits limits;
  ASSERT_TRUE(ApplyHttpLimits(config->http(), &options, &limits).ok());
  EXPECT_EQ(options.max_connections, 1000u);
  EXPECT_EQ(options.source_limits.max_connections_per_source, 16u);
  EXPECT_EQ(options.source_limits.requests_per_second, 50.5);
  EXPECT_EQ(options.source_limits.request_burst, 100);
  EXPECT_EQ(options.header_timeout, absl::Seconds(2));
  EXPECT_EQ(options.request_timeout, absl::Seconds(10));
  EXPECT_EQ(options.idle_timeout, absl::Seconds(15));
  EXPECT_TRUE(options.trusted_proxies.Trusts("10.200.0.1"));
  EXPECT_TRUE(options.trusted_proxies.Trusts("192.0.2.1"));
  EXPECT_FALSE(options.trusted_proxies.Trusts("192.0.2.2"));
  EXPECT_EQ(limits.entry, 4096u);
  EXPECT_EQ(limits.batch, 1048576u);
  EXPECT_EQ(limits.event, 65536u);
  EXPECT_EQ(limits.event_batch, 524288u);
  EXPECT_EQ(limits.ingest, 2097152u);
  EXPECT_EQ(limits.signed_ingest, 131072u);
  EXPECT_EQ(limits.other, 0u);
  // The server's own cap is the largest endpoint's: here the admission webhook's (fixed) one.
  EXPECT_EQ(options.max_body_bytes, limits.admission);
  EXPECT_EQ(limits.admission, size_t{3} << 20);
}

TEST(HttpLimitsTest, ValuesPastTheirRangeAreRefusedWithTheKey) {
  const struct {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"http: {header_timeout_ms: 50}", "http.header_timeout_ms (line 2): got 50, want 100 to"},
      {"http: {max_connections: 0}", "http.max_connections (line 2): got 0, want 1 to"},
      {"http: {body_limits: {entry: 65536}}", "http.body_limits.entry (line 2): got 65536"},
      {"http: {requests_per_second_per_source: -1}", "got -1, want 0 to"},
      {"http: {trusted_proxies: [10.0.0.0/40]}",
       "http.trusted_proxies[0] (line 2): trusted proxy \"10.0.0.0/40\""},
  };
  for (const auto& c : cases) {
    absl::StatusOr<config::Config> config =
        config::ParseConfig(absl::StrCat("data_dir: /d\n", c.yaml, "\n"), "/etc");
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_THAT(config.status().message(), HasSubstr(c.error)) << c.yaml;
  }
}

}  // namespace
}  // namespace api
}  // namespace vellum
