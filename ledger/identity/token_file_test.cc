#include "ledger/identity/token_file.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/ascii.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(TokenSetTest, NamesPrincipalsAndGroups) {
  auto set = TokenSet::Parse("# tokens\n" + TokenSet::Line("secret-a", "ci-deployer") + "\n\n" +
                             TokenSet::Line("secret-b", "alice", "ml-writers,ml-auditors") +
                             "\n" + TokenSet::Line("secret-c") + "\n");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->size(), 3u);
  auto a = (*set)->Find("secret-a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->name, "ci-deployer");
  EXPECT_TRUE(a->groups.empty());
  EXPECT_EQ(a->authenticated_by, kByToken);
  auto b = (*set)->Find("secret-b");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->name, "alice");
  EXPECT_THAT(b->groups, ElementsAre("ml-writers", "ml-auditors"));
  // The older form: a generated name from the hash.
  auto c = (*set)->Find("secret-c");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->name, "token-" + TokenSet::Line("secret-c").substr(0, 12));
  EXPECT_FALSE((*set)->Find("secret-d").has_value());
  EXPECT_FALSE((*set)->Find("").has_value());
}

TEST(TokenSetTest, OnePrincipalMayHoldTwoTokens) {
  auto set = TokenSet::Parse(TokenSet::Line("old", "svc") + "\n" + TokenSet::Line("new", "svc"));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->Find("old")->name, "svc");
  EXPECT_EQ((*set)->Find("new")->name, "svc");
}

TEST(TokenSetTest, RefusesBadLinesByNumberWithoutTheirContents) {
  const std::string good = TokenSet::Line("secret-a", "ci");
  struct Case {
    std::string contents;
    std::string want;
  };
  const Case cases[] = {
      {"", "holds no token hash"},
      {"# only a comment\n", "holds no token hash"},
      {good + "\nsupersecretrawtoken\n", "line 2: want 64 lowercase hex digits"},
      {good + "\n" + TokenSet::Line("x").substr(0, 63) + "\n", "line 2: want 64"},
      {absl::AsciiStrToUpper(TokenSet::Line("x")), "line 1: want 64"},
      {TokenSet::Line("x", "a b", "c"), "line 1: got 4 fields"},
      {TokenSet::Line("x", "bad\"name"), "line 1: the principal's name"},
      {TokenSet::Line("x", "ok", "g1,,g2"), "line 1: each group's name"},
      {TokenSet::Line("x", "ok", "g1,bad;group"), "line 1: each group's name"},
      {TokenSet::Line("x", std::string(257, 'p')), "line 1: the principal's name"},
      {good + "\n" + TokenSet::Line("secret-a", "other"), "line 2: the same token hash"},
  };
  for (const Case& c : cases) {
    auto set = TokenSet::Parse(c.contents);
    ASSERT_FALSE(set.ok()) << c.contents;
    EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(set.status().message(), HasSubstr(c.want)) << c.contents;
    EXPECT_THAT(set.status().message(), Not(HasSubstr("supersecret")));
  }
  EXPECT_TRUE(TokenSet::Parse(TokenSet::Line("x", std::string(256, 'p'))).ok());
}

TEST(TokenSetTest, RefusesFilesPastTheLimit) {
  std::string big(TokenSet::kMaxFileBytes + 1, '\n');
  big.replace(0, 64, TokenSet::Line("x"));
  auto set = TokenSet::Parse(big);
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(set.status().message(), HasSubstr("want at most"));
}

TEST(IsValidNameTest, Edges) {
  EXPECT_TRUE(IsValidName("system:serviceaccount:ml:deployer"));
  EXPECT_TRUE(IsValidName("spiffe://example.org/ns/ml/sa/deployer"));
  EXPECT_TRUE(IsValidName("https://idp.example.com#alice@example.com"));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("caf\xc3\xa9"));
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum
