#include "ledger/events/event_fields.h"

#include <string>

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

TEST(EventFieldsTest, ClearIdentitiesAreIndexedAsTheyAre) {
  AuditEvent event = Event();
  event.mutable_actor()->set_subject("alice");
  event.mutable_provenance()->set_principal("ci");
  EXPECT_EQ(IndexedActor(event), "alice");
  EXPECT_EQ(IndexedPrincipal(event), "ci");
  auto entry = EncodeEntry(event);
  ASSERT_TRUE(entry.ok()) << entry.status();
  auto fields = EventFieldsOf(0, 0, *entry);
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->actor, "alice");
  EXPECT_EQ(fields->principal, "ci");
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
  EXPECT_EQ(IndexedActor(event), actor);
  EXPECT_EQ(IndexedPrincipal(event), principal);
  auto entry = EncodeEntry(event);
  ASSERT_TRUE(entry.ok()) << entry.status();
  auto fields = EventFieldsOf(0, 0, *entry);
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->actor, actor);
  EXPECT_EQ(fields->principal, principal);
  EXPECT_EQ(IndexedPrincipal(Event()), "");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
