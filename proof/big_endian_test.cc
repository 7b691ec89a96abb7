#include "proof/big_endian.h"

#include <string>

#include "gtest/gtest.h"

namespace vellum {
namespace {

TEST(BigEndianTest, MostSignificantByteFirst) {
  std::string out;
  AppendBigEndian(0x0102, 2, &out);
  AppendBigEndian(0x0a0b0c0d, 4, &out);
  AppendBigEndian(0xfedcba9876543210, 8, &out);
  EXPECT_EQ(out, std::string("\x01\x02\x0a\x0b\x0c\x0d\xfe\xdc\xba\x98\x76\x54\x32\x10", 14));
  EXPECT_EQ(ReadBigEndian(absl::string_view(out).substr(0, 2)), 0x0102u);
  EXPECT_EQ(ReadBigEndian(absl::string_view(out).substr(2, 4)), 0x0a0b0c0du);
  EXPECT_EQ(ReadBigEndian(absl::string_view(out).substr(6)), 0xfedcba9876543210u);
  EXPECT_EQ(ReadBigEndian(""), 0u);
}

TEST(BigEndianTest, KeepsOnlyTheLowBytesAndSortsNumerically) {
  std::string low;
  AppendBigEndian(0x123456, 2, &low);
  EXPECT_EQ(low, "\x34\x56");
  std::string a, b;
  AppendBigEndian(255, 8, &a);
  AppendBigEndian(256, 8, &b);
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace vellum
