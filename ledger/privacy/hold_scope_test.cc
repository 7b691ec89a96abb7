#include "ledger/privacy/hold_scope.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The example of the issue and docs/privacy.md, as written.
constexpr char kExample[] = R"({"matter": "case-2027-014", "reason": "...", "scope": {"models": ["fraud-*"], "subjects": ["alice@example.com"], "since": "2026-01-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"}})";

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << error;
  return t;
}

void ExpectRefused(const std::string& json, const std::string& want) {
  auto hold = ParseHoldRequest(json);
  ASSERT_EQ(hold.status().code(), absl::StatusCode::kInvalidArgument) << json;
  EXPECT_THAT(std::string(hold.status().message()), HasSubstr(want)) << json;
  EXPECT_THAT(std::string(hold.status().message()), Not(HasSubstr("alice")));
}

std::string Request(const std::string& scope) {
  return absl::StrCat(R"({"matter": "m", "reason": "r", "scope": )", scope, "}");
}

TEST(HoldScopeTest, TheExampleParsesAsWritten) {
  auto hold = ParseHoldRequest(kExample);
  ASSERT_TRUE(hold.ok()) << hold.status();
  EXPECT_EQ(hold->matter(), "case-2027-014");
  EXPECT_EQ(hold->reason(), "...");
  EXPECT_THAT(hold->scope().models(), ElementsAre("fraud-*"));
  EXPECT_THAT(hold->scope().subjects(), ElementsAre("alice@example.com"));
  EXPECT_EQ(hold->scope().since().seconds(), absl::ToUnixSeconds(At("2026-01-01T00:00:00Z")));
  EXPECT_TRUE(hold->id().empty());
  EXPECT_TRUE(ParseHoldRequest(R"({"matter": "m", "reason": "r"})").ok());
}

TEST(HoldScopeTest, BadRequestsAreRefusedNamingTheKey) {
  ExpectRefused(R"({"id": "h1", "matter": "m", "reason": "r"})", "id: given by the server");
  ExpectRefused(R"({"reason": "r"})", "matter: 0 bytes, want 1 to 128");
  ExpectRefused(R"({"matter": "m"})", "reason: 0 bytes, want 1 to 2048");
  ExpectRefused(R"({"matter": "m\n", "reason": "r"})", "matter: want printable ASCII");
  ExpectRefused(R"({"matter": "m", "reason": "r", "owner": "alice"})", "body: want a JSON object");
  ExpectRefused(R"({"matter": "m", "reason": "r", "scope": {"models": {"glob": "fraud-*"}}})",
                "body: want a JSON object");
  ExpectRefused(R"({"matter": 7, "reason": "r"})", "body: want a JSON object");
  // protobuf's JSON parser takes a lone string where a list is wanted as a list of one.
  auto lone = ParseHoldRequest(R"({"matter": "m", "reason": "r", "scope": {"models": "fraud-*"}})");
  ASSERT_TRUE(lone.ok()) << lone.status();
  EXPECT_THAT(lone->scope().models(), ElementsAre("fraud-*"));
  ExpectRefused(Request(R"({"subjects": ["alice@example.com", ""]})"),
                "scope.subjects[1]: 0 bytes");
  ExpectRefused(Request(R"({"since": "2027-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"})"),
                "scope: since is not before until");
  ExpectRefused(Request(R"({"since": "2027-01-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"})"),
                "scope: since is not before until");
  ExpectRefused(Request(R"({"since": "yesterday"})"), "body: want a JSON object");
  ExpectRefused("{\"matter\": \"m\", \"reason\": \"\xff\"}", "body: not valid UTF-8");
  ExpectRefused("[alice]", "body: want a JSON object");
}

TEST(HoldScopeTest, EveryLimitHoldsAtItsEdgeAndNotPast) {
  auto quoted = [](size_t n, size_t each) {
    std::string list;
    for (size_t i = 0; i < n; ++i) {
      absl::StrAppend(&list, i == 0 ? "" : ",", "\"", std::string(each, 'a'), "\"");
    }
    return absl::StrCat("[", list, "]");
  };
  auto with = [](const std::string& matter, const std::string& reason) {
    return absl::StrCat(R"({"matter": ")", matter, R"(", "reason": ")", reason, "\"}");
  };
  EXPECT_TRUE(ParseHoldRequest(with(std::string(128, 'm'), "r")).ok());
  ExpectRefused(with(std::string(129, 'm'), "r"), "matter: 129 bytes, want 1 to 128");
  EXPECT_TRUE(ParseHoldRequest(with("m", std::string(2048, 'r'))).ok());
  ExpectRefused(with("m", std::string(2049, 'r')), "reason: 2049 bytes, want 1 to 2048");
  EXPECT_TRUE(ParseHoldRequest(Request(absl::StrCat("{\"models\": ", quoted(64, 256), "}"))).ok());
  ExpectRefused(Request(absl::StrCat("{\"models\": ", quoted(65, 1), "}")),
                "scope.models: 65 items, want at most 64");
  ExpectRefused(Request(absl::StrCat("{\"models\": ", quoted(1, 257), "}")),
                "scope.models[0]: 257 bytes, want 1 to 256");
  EXPECT_TRUE(
      ParseHoldRequest(Request(absl::StrCat("{\"subjects\": ", quoted(64, 320), "}"))).ok());
  ExpectRefused(Request(absl::StrCat("{\"subjects\": ", quoted(65, 1), "}")),
                "scope.subjects: 65 items, want at most 64");
  ExpectRefused(Request(absl::StrCat("{\"subjects\": ", quoted(1, 321), "}")),
                "scope.subjects[0]: 321 bytes, want 1 to 320");
  const std::string padded = with("m", "r") + std::string(kMaxHoldRequestBytes, ' ');
  ExpectRefused(padded, absl::StrCat("body: ", padded.size(), " bytes, want at most 65536"));
}

TEST(HoldScopeTest, AScopeCoversOnlyWhatEveryGivenPartMatches) {
  auto hold = ParseHoldRequest(kExample);
  ASSERT_TRUE(hold.ok());
  HoldScope scope = hold->scope();
  scope.set_subjects(0, "ps1_alice");
  const absl::Time in = At("2026-06-01T00:00:00Z");
  EXPECT_TRUE(HoldCovers(scope, {"fraud-detector", "ps1_alice", in}));
  EXPECT_FALSE(HoldCovers(scope, {"churn-model", "ps1_alice", in}));
  EXPECT_FALSE(HoldCovers(scope, {"fraud-detector", "ps1_bob", in}));
  EXPECT_TRUE(HoldCovers(scope, {"fraud-detector", "ps1_alice", At("2026-01-01T00:00:00Z")}));
  EXPECT_FALSE(HoldCovers(scope, {"fraud-detector", "ps1_alice", At("2027-01-01T00:00:00Z")}));
  EXPECT_FALSE(HoldCovers(scope, {"fraud-detector", "ps1_alice", At("2025-12-31T23:59:59Z")}));
  EXPECT_TRUE(HoldCovers(HoldScope(), {"anything", "", in}));
}

TEST(HoldScopeTest, DataStaysHeldWhileAnyHoldCoversIt) {
  HoldSet holds;
  Hold everything;
  everything.set_id("h2");
  Hold fraud;
  fraud.set_id("h1");
  fraud.mutable_scope()->add_models("fraud-*");
  ASSERT_TRUE(holds.Place(everything).ok());
  ASSERT_TRUE(holds.Place(fraud).ok());
  EXPECT_EQ(holds.Place(fraud).code(), absl::StatusCode::kAlreadyExists);
  const HeldItem item{"fraud-detector", "ps1_alice", absl::UnixEpoch()};
  EXPECT_THAT(holds.Covering(item), ElementsAre("h1", "h2"));
  EXPECT_THAT(holds.Covering({"churn", "", absl::UnixEpoch()}), ElementsAre("h2"));
  ASSERT_TRUE(holds.Release("h2").ok());
  EXPECT_THAT(holds.Covering(item), ElementsAre("h1"));
  EXPECT_TRUE(holds.Covering({"churn", "", absl::UnixEpoch()}).empty());
  EXPECT_EQ(holds.Release("h2").code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(holds.List().size(), 1u);
  EXPECT_EQ(holds.List()[0].id(), "h1");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
