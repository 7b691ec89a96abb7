#include "proof/decimal.h"

#include "gtest/gtest.h"

namespace vellum {
namespace {

TEST(ParseDecimalTest, AcceptsCanonical) {
  EXPECT_EQ(*ParseDecimal("0", "n"), 0u);
  EXPECT_EQ(*ParseDecimal("7", "n"), 7u);
  EXPECT_EQ(*ParseDecimal("18446744073709551615", "n"), 18446744073709551615u);
}

TEST(ParseDecimalTest, RejectsNonCanonical) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "size \"\" is empty, want a decimal number"},
      {"01", "size \"01\" has a leading zero"},
      {"+1", "size \"+1\" is not a decimal number"},
      {" 1", "size \" 1\" is not a decimal number"},
      {"1 ", "size \"1 \" is not a decimal number"},
      {"-1", "size \"-1\" is not a decimal number"},
      {"1e3", "size \"1e3\" is not a decimal number"},
      {"18446744073709551616", "size \"18446744073709551616\" overflows 64 bits"},
      {"99999999999999999999999999", "size \"999999999999999999999999...\" overflows 64 bits"},
      {"1\n", "size \"1\\n\" is not a decimal number"},
  };
  for (const Case& c : cases) {
    auto got = ParseDecimal(c.text, "size");
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(got.status().message(), c.message);
  }
}

}  // namespace
}  // namespace vellum
