#include "ledger/privacy/erasure_request.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kPseudonym = "ps1_" + std::string(32, 'a');

TEST(ErasureRequestTest, TakesStringsOrLists) {
  auto one = ParseErasureRequest(R"({"subject": "alice@example.com"})");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_THAT(one->subject(), ElementsAre("alice@example.com"));
  auto both = ParseErasureRequest(
      absl::StrCat(R"({"subject": ["alice@example.com", "a.smith"], "pseudonym": ")", kPseudonym,
                   R"("})"));
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_THAT(both->subject(), ElementsAre("alice@example.com", "a.smith"));
  EXPECT_THAT(both->pseudonym(), ElementsAre(kPseudonym));
}

TEST(ErasureRequestTest, RefusesWithoutRepeatingTheSubject) {
  for (const std::string& body :
       {std::string("{}"), std::string(R"({"subject": []})"), std::string("not json"),
        std::string(R"({"subject": "alice@example.com", "extra": 1})"),
        std::string(R"({"subject": 7})"), std::string(R"({"pseudonym": "alice@example.com"})"),
        std::string(R"({"pseudonym": "ps1_ABCDEF"})"),
        absl::StrCat(R"({"subject": ")", std::string(1025, 'a'), R"("})"),
        std::string(R"({"subject": ""})"),
        std::string(kMaxErasureRequestBytes + 1, ' ')}) {
    auto parsed = ParseErasureRequest(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status()));
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("alice")));
  }
  std::string many = R"({"subject": [)";
  for (size_t i = 0; i <= kMaxErasureSubjects; ++i) {
    absl::StrAppend(&many, i == 0 ? "" : ",", "\"s", i, "\"");
  }
  many += "]}";
  auto parsed = ParseErasureRequest(many);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("want at most 16"));
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
