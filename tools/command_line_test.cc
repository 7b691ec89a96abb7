#include "tools/command_line.h"

#include "gtest/gtest.h"

namespace vellum {
namespace cli {
namespace {

const FlagSpec kSpecs[] = {
    {"size"},
    {"witness-key", /*repeated=*/true},
    {"once", /*repeated=*/false, /*boolean=*/true},
};

TEST(CommandLineTest, ParsesBothFlagFormsAndPositionals) {
  std::vector<std::string> args = {"--size=5", "a", "--witness-key", "k1", "--witness-key=k2",
                                   "--once", "-", "--", "--size"};
  auto line = CommandLine::Parse(args, kSpecs);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->Get("size"), "5");
  EXPECT_EQ(line->GetAll("witness-key"), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_TRUE(line->Has("once"));
  EXPECT_EQ(line->positional(), (std::vector<std::string>{"a", "-", "--size"}));
  EXPECT_FALSE(line->help());
}

TEST(CommandLineTest, EmptyValueIsAValue) {
  std::vector<std::string> args = {"--size", ""};
  auto line = CommandLine::Parse(args, kSpecs);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->Get("size"), "");
}

TEST(CommandLineTest, Errors) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"--bogus=1"}, "unknown flag --bogus"},
      {{"--size"}, "flag --size needs a value"},
      {{"--size=1", "--size=2"}, "flag --size given more than once"},
      {{"--once=yes"}, "flag --once takes no value"},
  };
  for (const Case& c : cases) {
    auto line = CommandLine::Parse(c.args, kSpecs);
    EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(line.status().message(), c.message);
  }
  auto line = CommandLine::Parse({}, kSpecs);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->Require("size").status().message(), "missing required flag --size");
}

TEST(CommandLineTest, Help) {
  std::vector<std::string> args = {"--help"};
  auto line = CommandLine::Parse(args, kSpecs);
  ASSERT_TRUE(line.ok());
  EXPECT_TRUE(line->help());
}

}  // namespace
}  // namespace cli
}  // namespace vellum
