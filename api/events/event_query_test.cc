#include "api/events/event_query.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace {

TEST(ParseEventSearchTest, Defaults) {
  auto request = ParseEventSearch("");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->query.limit, kDefaultEventSearchLimit);
  EXPECT_TRUE(request->query.newest_first);
  EXPECT_FALSE(request->proof);
  EXPECT_FALSE(request->cursor.has_value());
  EXPECT_FALSE(request->query.actor.has_value());
}

TEST(ParseEventSearchTest, EveryParameter) {
  auto request = ParseEventSearch(
      "actor=alice%40example.com&model=fraud&version=7&action=ACTION_DEPLOY&outcome=RESULT_DENIED"
      "&since=2024-05-01T12:00:00Z&until=2024-05-01T12:00:01.5%2B00:00&limit=1000"
      "&page_token=42&order=oldest&proof=1");
  ASSERT_TRUE(request.ok()) << request.status();
  const ledger::EventQuery& q = request->query;
  EXPECT_EQ(q.actor, "alice@example.com");
  EXPECT_EQ(q.model, "fraud");
  EXPECT_EQ(q.version, "7");
  EXPECT_EQ(q.action, static_cast<uint32_t>(ledger::ACTION_DEPLOY));
  EXPECT_EQ(q.outcome, static_cast<uint32_t>(ledger::Outcome::RESULT_DENIED));
  EXPECT_EQ(q.since_micros, int64_t{1714564800} * 1000000);
  EXPECT_EQ(q.until_micros, int64_t{1714564801} * 1000000 + 500000);
  EXPECT_EQ(q.limit, 1000u);
  EXPECT_FALSE(q.newest_first);
  EXPECT_EQ(request->cursor, 42u);
  EXPECT_TRUE(request->proof);
}

TEST(ParseEventSearchTest, ActionsAndOutcomesAsPeopleTypeThem) {
  const std::pair<const char*, ledger::Action> actions[] = {
      {"deploy", ledger::ACTION_DEPLOY},
      {"Deploy", ledger::ACTION_DEPLOY},
      {"ACTION_DEPLOY", ledger::ACTION_DEPLOY},
      {"config.applied", ledger::ACTION_CONFIG_APPLIED},
      {"access-denied-by-ledger", ledger::ACTION_ACCESS_DENIED_BY_LEDGER},
  };
  for (const auto& [typed, want] : actions) {
    auto request = ParseEventSearch(absl::StrCat("action=", typed));
    ASSERT_TRUE(request.ok()) << typed << ": " << request.status();
    EXPECT_EQ(request->query.action, static_cast<uint32_t>(want)) << typed;
  }
  for (const char* typed : {"denied", "DENIED", "RESULT_DENIED", "result_denied"}) {
    auto request = ParseEventSearch(absl::StrCat("outcome=", typed));
    ASSERT_TRUE(request.ok()) << typed << ": " << request.status();
    EXPECT_EQ(request->query.outcome, static_cast<uint32_t>(ledger::Outcome::RESULT_DENIED));
  }
}

TEST(ParseEventSearchTest, RefusesWhatIsNotExactlyRight) {
  const std::pair<const char*, const char*> cases[] = {
      {"actor=", "query parameter \"actor\" is 0 bytes, want 1 to 1024 of UTF-8"},
      {"actor=%FF", "query parameter \"actor\" is 1 bytes, want 1 to 1024 of UTF-8"},
      {"version=1", "query parameter \"version\" needs \"model\""},
      {"action=deploys",
       "query parameter \"action\" must be an action like deploy or ACTION_DEPLOY"},
      {"action=ACTION_UNSPECIFIED",
       "query parameter \"action\" must be an action like deploy or ACTION_DEPLOY"},
      {"action=unspecified",
       "query parameter \"action\" must be an action like deploy or ACTION_DEPLOY"},
      {"outcome=RESULT_UNSPECIFIED",
       "query parameter \"outcome\" must be an outcome like denied or RESULT_DENIED"},
      {"outcome=ACTION_DEPLOY",
       "query parameter \"outcome\" must be an outcome like denied or RESULT_DENIED"},
      {"since=yesterday", "query parameter \"since\" is not an RFC 3339 time in the years 1 to "
                          "9999 (like 2024-05-01T12:00:00Z)"},
      {"since=2024-05-01T12:00:00Z&until=2024-05-01T12:00:00Z",
       "query parameter \"since\" must be before \"until\""},
      {"limit=0", "query parameter \"limit\" is 0, want 1 to 1000"},
      {"limit=1001", "query parameter \"limit\" is 1001, want 1 to 1000"},
      {"order=latest", "query parameter \"order\" must be newest or oldest"},
      {"proof=yes", "query parameter \"proof\" must be 0 or 1"},
      {"size=3", "unknown query parameter \"size\""},
  };
  for (const auto& [query, message] : cases) {
    EXPECT_EQ(ParseEventSearch(query).status(), absl::InvalidArgumentError(message)) << query;
  }
  // Numbers and the query syntax follow the shared strict rules.
  for (const char* query : {"limit=010", "page_token=-1", "limit=1&limit=2", "actor=%zz"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseEventSearch(query).status())) << query;
  }
  // Longer strings are refused by QueryParams already (1 KiB per parameter as sent).
  EXPECT_TRUE(absl::IsInvalidArgument(
      ParseEventSearch(absl::StrCat("actor=", std::string(1025, 'a'))).status()));
}

TEST(PageQueryTest, CursorBoundsThePageInTheRequestedOrder) {
  auto newest = ParseEventSearch("page_token=40");
  ASSERT_TRUE(newest.ok());
  ledger::EventQuery q = ledger::PageQuery(*newest, 100);
  EXPECT_EQ(q.begin, 0u);
  EXPECT_EQ(q.end, 40u);
  EXPECT_EQ(ledger::NextCursor(*newest, 17), 17u);
  auto oldest = ParseEventSearch("page_token=40&order=oldest");
  ASSERT_TRUE(oldest.ok());
  q = ledger::PageQuery(*oldest, 100);
  EXPECT_EQ(q.begin, 40u);
  EXPECT_EQ(q.end, 100u);
  EXPECT_EQ(ledger::NextCursor(*oldest, 17), 18u);
  // A cursor past the tree searches nothing new.
  auto past = ParseEventSearch("page_token=400");
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(ledger::PageQuery(*past, 100).end, 100u);
}

TEST(EventMatchesQueryTest, ChecksEveryFilter) {
  ledger::AuditEvent event;
  event.mutable_actor()->set_subject("alice");
  event.mutable_target()->set_model_name("fraud");
  event.mutable_target()->set_model_version("7");
  event.set_action(ledger::ACTION_DEPLOY);
  event.mutable_outcome()->set_result(ledger::Outcome::RESULT_DENIED);
  event.mutable_logged_time()->set_seconds(100);
  auto q = [](const char* query) { return ParseEventSearch(query)->query; };
  EXPECT_TRUE(ledger::EventMatchesQuery(event, q("")));
  EXPECT_TRUE(ledger::EventMatchesQuery(
      event, q("actor=alice&model=fraud&version=7&action=ACTION_DEPLOY&outcome=RESULT_DENIED"
               "&since=1970-01-01T00:01:40Z&until=1970-01-01T00:01:40.000001Z")));
  for (const char* query :
       {"actor=bob", "model=churn", "model=fraud&version=8", "action=ACTION_UNDEPLOY",
        "outcome=RESULT_SUCCESS", "since=1970-01-01T00:01:41Z", "until=1970-01-01T00:01:40Z"}) {
    EXPECT_FALSE(ledger::EventMatchesQuery(event, q(query))) << query;
  }
  event.clear_logged_time();
  EXPECT_FALSE(ledger::EventMatchesQuery(event, q("since=1970-01-01T00:00:00Z")));
}

}  // namespace
}  // namespace api
}  // namespace vellum
