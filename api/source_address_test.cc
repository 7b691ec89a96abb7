#include "api/source_address.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;

TrustedProxies Proxies(const std::vector<std::string>& entries) {
  absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse(entries);
  EXPECT_TRUE(proxies.ok()) << proxies.status();
  return proxies.ok() ? *std::move(proxies) : TrustedProxies();
}

TEST(TrustedProxiesTest, WithoutProxiesTheSourceIsThePeer) {
  TrustedProxies none;
  EXPECT_EQ(*none.Source("10.0.0.1", "192.0.2.7"), "10.0.0.1");
  EXPECT_EQ(*none.Source("::ffff:10.0.0.1", ""), "10.0.0.1");
}

TEST(TrustedProxiesTest, AnUntrustedPeerCannotNameAnotherSource) {
  TrustedProxies proxies = Proxies({"10.0.0.0/8"});
  EXPECT_EQ(*proxies.Source("192.0.2.9", "127.0.0.1"), "192.0.2.9");
}

TEST(TrustedProxiesTest, TheFirstUntrustedHopFromTheRightIsTheSource) {
  TrustedProxies proxies = Proxies({"10.0.0.0/8", "fd00::/8"});
  // The client put a forged hop first; the proxies appended the real client and themselves.
  EXPECT_EQ(*proxies.Source("10.0.0.2", "127.0.0.1, 203.0.113.5, 10.1.2.3"), "203.0.113.5");
  EXPECT_EQ(*proxies.Source("fd00::1", "2001:db8::7"), "2001:db8::7");
  // Every hop trusted: the leftmost.
  EXPECT_EQ(*proxies.Source("10.0.0.2", "10.9.9.9,10.8.8.8"), "10.9.9.9");
  // No header: the proxy itself.
  EXPECT_EQ(*proxies.Source("10.0.0.2", ""), "10.0.0.2");
}

TEST(TrustedProxiesTest, PrefixesMatchBitByBit) {
  TrustedProxies proxies = Proxies({"192.168.4.0/22", "198.51.100.7"});
  EXPECT_TRUE(proxies.Trusts("192.168.7.255"));
  EXPECT_FALSE(proxies.Trusts("192.168.8.0"));
  EXPECT_FALSE(proxies.Trusts("192.168.3.255"));
  EXPECT_TRUE(proxies.Trusts("198.51.100.7"));
  EXPECT_FALSE(proxies.Trusts("198.51.100.8"));
  EXPECT_TRUE(proxies.Trusts("::ffff:198.51.100.7"));
  EXPECT_FALSE(proxies.Trusts("not an address"));
  EXPECT_TRUE(Proxies({"0.0.0.0/0"}).Trusts("8.8.8.8"));
  EXPECT_FALSE(Proxies({"0.0.0.0/0"}).Trusts("::1"));
}

TEST(TrustedProxiesTest, BadEntriesAreRefusedByName) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "proxy.example", "::/129",
                          "10.0.0.0/8/8", ""}) {
    absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse({bad});
    ASSERT_FALSE(proxies.ok()) << bad;
    EXPECT_THAT(proxies.status().message(), HasSubstr(absl::StrCat("\"", bad, "\""))) << bad;
  }
}

TEST(TrustedProxiesTest, ZonesAreRefusedInListsAndDroppedFromThePeer) {
  TrustedProxies proxies = Proxies({"fd00::/8"});
  EXPECT_THAT(proxies.Source("fd00::1", "fe80::1%222222222").status().message(),
              HasSubstr("a zone is not allowed"));
  EXPECT_EQ(*proxies.Source("fe80::1%eth0", "203.0.113.5"), "fe80::1");
  EXPECT_FALSE(TrustedProxies::Parse({"fe80::1%eth0"}).ok());
}

TEST(TrustedProxiesTest, AForwardedListFromATrustedProxyMustBeAddresses) {
  TrustedProxies proxies = Proxies({"10.0.0.0/8"});
  absl::StatusOr<std::string> source = proxies.Source("10.0.0.2", "203.0.113.5, evil");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("\"evil\" is not an IP address"));
  std::string many;
  for (size_t i = 0; i <= TrustedProxies::kMaxHops; ++i) absl::StrAppend(&many, "10.0.0.1,");
  many += "10.0.0.1";
  EXPECT_THAT(proxies.Source("10.0.0.2", many).status().message(), HasSubstr("want at most 32"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
