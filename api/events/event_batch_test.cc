#include "api/events/event_batch.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "api/events/events_api.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace api {
namespace {

ledger::AuditEvent Event(int n) {
  ledger::AuditEvent event;
  event.mutable_id()->set_source("registry");
  event.mutable_id()->set_source_id(absl::StrCat("e-", n));
  event.mutable_event_time()->set_seconds(1790000000 + n);
  event.mutable_observer()->set_adapter("native");
  event.set_action(ledger::ACTION_DEPLOY);
  event.mutable_target()->set_model_name("fraud");
  event.mutable_outcome()->set_result(ledger::Outcome::RESULT_SUCCESS);
  return event;
}

std::string Json(const EventBatchRequest& batch) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(batch, &json).ok());
  return json;
}

TEST(ParseEventBatchTest, TakesProtobufAndJson) {
  EventBatchRequest batch;
  for (int i = 0; i < 3; ++i) *batch.add_events() = Event(i);
  for (bool json : {false, true}) {
    auto events = ParseEventBatch(json ? Json(batch) : batch.SerializeAsString(), json);
    ASSERT_TRUE(events.ok()) << events.status();
    ASSERT_EQ(events->size(), 3u);
    EXPECT_EQ((*events)[2].id().source_id(), "e-2");
  }
  auto literal = ParseEventBatch(
      R"({"events": [{"id": {"source": "registry", "sourceId": "e-9"},)"
      R"( "eventTime": "2026-10-14T09:16:02Z", "observer": {"adapter": "native"},)"
      R"( "action": "ACTION_DEPLOY", "target": {"modelName": "fraud"},)"
      R"( "outcome": {"result": "RESULT_SUCCESS"}}]})",
      true);
  ASSERT_TRUE(literal.ok()) << literal.status();
  EXPECT_EQ(literal->size(), 1u);
}

TEST(ParseEventBatchTest, RefusesTheWholeBatchForOneBadEventAndAtItsLimits) {
  EventBatchRequest batch;
  for (int i = 0; i < 3; ++i) *batch.add_events() = Event(i);
  batch.mutable_events(1)->clear_action();
  for (bool json : {false, true}) {
    auto events = ParseEventBatch(json ? Json(batch) : batch.SerializeAsString(), json);
    ASSERT_FALSE(events.ok());
    EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(events.status().message().substr(0, 11), "events[1]: ") << events.status();
  }
  EventBatchRequest full;
  for (size_t i = 0; i < kMaxEventBatchEvents; ++i) *full.add_events() = Event(i);
  EXPECT_TRUE(ParseEventBatch(full.SerializeAsString(), false).ok());
  *full.add_events() = Event(-1);
  EXPECT_EQ(ParseEventBatch(full.SerializeAsString(), false).status().message(),
            "event batch: got 1001 events, want 1 to 1000");
  EXPECT_EQ(ParseEventBatch("", false).status().message(),
            "event batch: got 0 events, want 1 to 1000");
  EXPECT_EQ(ParseEventBatch(R"({"events": []})", true).status().message(),
            "event batch: got 0 events, want 1 to 1000");
  EXPECT_FALSE(ParseEventBatch("\xff\xff", false).ok());
  EXPECT_FALSE(ParseEventBatch(R"({"events": [], "extra": 1})", true).ok());
  EXPECT_FALSE(ParseEventBatch("[]", true).ok());
  // An unknown field of the batch itself (field 2) is refused as in one event.
  EventBatchRequest good;
  *good.add_events() = Event(0);
  std::string unknown = good.SerializeAsString();
  ASSERT_TRUE(ParseEventBatch(unknown, false).ok());
  unknown += std::string("\x10\x01", 2);
  EXPECT_EQ(ParseEventBatch(unknown, false).status().message(),
            "event batch: has unknown fields, want none");
}

}  // namespace
}  // namespace api
}  // namespace vellum
