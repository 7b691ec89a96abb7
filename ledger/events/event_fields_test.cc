#include "ledger/events/event_fields.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace ledger {
namespace {

AuditEvent Event() {
  AuditEvent event;
  event.mutable_id()->set_source("svc");
  event.mutable_id()->set_source_id("1");
  event.mutable_event_time()->set_seconds(1790000000);
  event.mutable_observer()->set_adapter("native");
  event.set_action(ACTION_DEPLOY);
  event.mutable_target()->set_model_name("fraud");
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  return event;
}

// The fields the index records of `event`, read back from its entry.
EventFields IndexedFields(const AuditEvent& event, PseudonymFn pseudonym_of) {
  auto entry = EncodeEntry(event);
  EXPECT_TRUE(entry.ok()) << entry.status();
  auto fields = EventFieldsOn(std::move(pseudonym_of))(0, 0, *entry);
  EXPECT_TRUE(fields.ok()) << fields.status();
  EXPECT_TRUE(fields->has_value());
  return fields.ok() && fields->has_value() ? **fields : EventFields();
}

TEST(EventFieldsTest, ClearIdentitiesAreIndexedAsTheyAreWithoutAPseudonymFunction) {
  AuditEvent event = Event();
  event.mutable_actor()->set_subject("alice");
  event.mutable_provenance()->set_principal("ci");
  const EventFields fields = IndexedFields(event, {});
  EXPECT_EQ(fields.actor, "alice");
  EXPECT_EQ(fields.principal, "ci");
  EXPECT_EQ(fields.model, "fraud");
  EXPECT_EQ(fields.action, static_cast<uint32_t>(ACTION_DEPLOY));
}

TEST(EventFieldsTest, ClearIdentitiesAreIndexedByTheirPseudonymsWithOne) {
  AuditEvent event = Event();
  event.mutable_actor()->set_subject("alice");
  event.mutable_provenance()->set_principal("ci");
  std::vector<std::string> asked;
  auto pseudonym_of = [&asked](absl::string_view identity) -> absl::StatusOr<std::string> {
    asked.emplace_back(identity);
    return absl::StrCat("ps1_of_", identity);
  };
  const EventFields fields = IndexedFields(event, pseudonym_of);
  EXPECT_EQ(fields.actor, "ps1_of_alice");
  EXPECT_EQ(fields.principal, "ps1_of_ci");
  EXPECT_EQ(asked, (std::vector<std::string>{"alice", "ci"}));

  // A failing store stops the indexing rather than record the identity in clear.
  auto entry = EncodeEntry(event);
  ASSERT_TRUE(entry.ok());
  auto failed = EventFieldsOn([](absl::string_view) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("store closed");
  })(0, 0, *entry);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);

  // Not an event: nothing to index, and nothing asked.
  asked.clear();
  auto raw = EventFieldsOn(pseudonym_of)(0, 0, "raw bytes");
  ASSERT_TRUE(raw.ok());
  EXPECT_FALSE(raw->has_value());
  EXPECT_TRUE(asked.empty());
}

TEST(EventFieldsTest, SealedIdentitiesAreIndexedByPseudonym) {
  AuditEvent event = Event();
  const std::string actor = "ps1_00000000000000000000000000000001";
  const std::string principal = "ps1_00000000000000000000000000000002";
  event.mutable_actor()->set_pseudonym(actor);
  for (const auto& [path, pseudonym] : {std::pair<const char*, std::string>{"actor.subject", actor},
                                        {"provenance.principal", principal}}) {
    SealedField* item = event.add_sealed();
    item->set_path(path);
    item->set_pseudonym(pseudonym);
    item->set_commitment(std::string(32, 'c'));
  }
  // The pseudonyms in the entry are used as they are, whatever the function would say.
  const EventFields fields = IndexedFields(event, [](absl::string_view) {
    return absl::StatusOr<std::string>(absl::InternalError("not asked"));
  });
  EXPECT_EQ(fields.actor, actor);
  EXPECT_EQ(fields.principal, principal);
  EXPECT_EQ(IndexedFields(Event(), {}).principal, "");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
