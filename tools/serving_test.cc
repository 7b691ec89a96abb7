#include "tools/serving.h"

#include "gtest/gtest.h"

namespace vellum {
namespace cli {
namespace {

TEST(IsLoopbackTest, JudgesTheResolvedAddresses) {
  for (const char* host : {"127.0.0.1", "127.9.8.7", "::1", "localhost", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopback(host)) << host;
  }
  // A name that merely starts like a loopback address is not one.
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0.1.example.invalid",
                           "127.evil.invalid", "", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(IsLoopback(host)) << host;
  }
}

TEST(ParseListenTest, ResolvesHostNames) {
  auto localhost = ParseListen("localhost:8080");
  ASSERT_TRUE(localhost.ok()) << localhost.status();
  EXPECT_EQ(localhost->first, "127.0.0.1");
  EXPECT_EQ(localhost->second, 8080);
  auto v6 = ParseListen("[::1]:0");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->first, "::1");
  EXPECT_EQ(ParseListen("0.0.0.0:65535")->first, "0.0.0.0");
  EXPECT_TRUE(absl::IsInvalidArgument(ParseListen("nowhere.invalid:80").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseListen("127.0.0.1:65536").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseListen("127.0.0.1").status()));
}

}  // namespace
}  // namespace cli
}  // namespace vellum
