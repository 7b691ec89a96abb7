#include "ledger/privacy/event_sealer.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace ledger {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1790000000);

AuditEvent PersonalEvent() {
  AuditEvent event;
  event.mutable_id()->set_source("k8s-audit");
  event.mutable_id()->set_source_id("audit-1");
  event.mutable_event_time()->set_seconds(1790000000);
  event.mutable_observer()->set_adapter("k8s-audit");
  event.mutable_actor()->set_subject("alice@example.com");
  event.mutable_actor()->set_kind(Actor::KIND_HUMAN);
  event.mutable_actor()->add_groups("ml-governance");
  event.mutable_actor()->add_groups("fraud-team");
  event.set_action(ACTION_DEPLOY);
  event.mutable_target()->set_model_name("fraud-detector");
  event.mutable_target()->set_environment("production");
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  event.mutable_outcome()->set_reason("change ticket CHG-1042");
  event.mutable_context()->set_source_ip("192.0.2.44");
  event.mutable_context()->set_user_agent("kubectl/v1.29 (alice-laptop)");
  (*event.mutable_context()->mutable_labels())["k8s.verb"] = "create";
  (*event.mutable_context()->mutable_labels())["k8s.impersonated_user"] = "bob@example.com";
  event.mutable_provenance()->set_principal("carol@example.com");
  event.mutable_provenance()->set_authenticated_by("oidc");
  return event;
}

class EventSealerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SealedStore::Open(
        absl::StrCat(::testing::TempDir(), "/",
                     ::testing::UnitTest::GetInstance()->current_test_info()->name()),
        std::string(32, 'L'));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::unique_ptr<SealedStore> store_;
};

TEST_F(EventSealerTest, TheDefaultSealsEveryIdentityAndAddressAndTheEntryHoldsNoneOfThem) {
  auto sealed = SealEvent(*store_, PrivacyRules::Default(), PersonalEvent(), kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_TRUE(sealed->actor().subject().empty());
  EXPECT_EQ(sealed->actor().groups_size(), 0);
  EXPECT_TRUE(sealed->context().source_ip().empty());
  EXPECT_TRUE(sealed->context().user_agent().empty());
  EXPECT_TRUE(sealed->provenance().principal().empty());
  // Not personal by default: the reason, the labels, the non-personal facts.
  EXPECT_EQ(sealed->outcome().reason(), "change ticket CHG-1042");
  EXPECT_EQ(sealed->context().labels().at("k8s.verb"), "create");
  EXPECT_EQ(sealed->target().model_name(), "fraud-detector");
  EXPECT_EQ(sealed->provenance().authenticated_by(), "oidc");

  ASSERT_EQ(sealed->sealed_size(), 6);
  const char* want_paths[] = {"actor.subject",     "actor.groups",       "actor.groups",
                              "context.source_ip", "context.user_agent", "provenance.principal"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(sealed->sealed(i).path(), want_paths[i]);
    EXPECT_EQ(sealed->sealed(i).commitment().size(), 32u);
  }
  // The actor's values share the actor's pseudonym; the principal has its own.
  EXPECT_EQ(sealed->actor().pseudonym(), sealed->sealed(0).pseudonym());
  EXPECT_EQ(sealed->sealed(3).pseudonym(), sealed->sealed(0).pseudonym());
  EXPECT_NE(sealed->sealed(5).pseudonym(), sealed->sealed(0).pseudonym());
  auto found = store_->FindPseudonym("carol@example.com");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, sealed->sealed(5).pseudonym());

  auto entry = EncodeEntry(*sealed);
  ASSERT_TRUE(entry.ok()) << entry.status();
  for (const char* personal : {"alice", "ml-governance", "fraud-team", "192.0.2.44", "kubectl",
                               "carol"}) {
    EXPECT_THAT(*entry, Not(HasSubstr(personal))) << personal;
  }
}

TEST_F(EventSealerTest, UnsealingGivesBackEveryFieldWithASaltThatMatchesTheCommitment) {
  const AuditEvent original = PersonalEvent();
  auto sealed = SealEvent(*store_, PrivacyRules::Default(), original, kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  auto unsealed = UnsealEvent(*store_, *sealed);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status();
  EXPECT_TRUE(unsealed->gone.empty());
  ASSERT_EQ(unsealed->opened.size(), 6u);
  AuditEvent restored = unsealed->event;
  restored.clear_sealed();
  restored.mutable_actor()->clear_pseudonym();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(restored, original))
      << restored.DebugString();
  for (int i = 0; i < sealed->sealed_size(); ++i) {
    EXPECT_TRUE(VerifyOpenedValue(sealed->sealed(i), unsealed->opened[i]).ok());
  }
  OpenedValue forged = unsealed->opened[0];
  forged.value = "mallory@example.com";
  EXPECT_THAT(std::string(VerifyOpenedValue(sealed->sealed(0), forged).message()),
              HasSubstr("does not match the commitment"));
  EXPECT_FALSE(VerifyOpenedValue(sealed->sealed(1), unsealed->opened[0]).ok());
}

TEST_F(EventSealerTest, DroppedFieldsAreStoredNowhereAndNamedLabelsAreSealed) {
  PrivacyRules rules = PrivacyRules::Default();
  rules.fields["context.user_agent"] = FieldRule::kDrop;
  rules.fields["outcome.reason"] = FieldRule::kSeal;
  rules.fields["context.labels.k8s.impersonated_user"] = FieldRule::kSeal;
  auto sealed = SealEvent(*store_, rules, PersonalEvent(), kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_TRUE(sealed->context().user_agent().empty());
  EXPECT_TRUE(sealed->outcome().reason().empty());
  EXPECT_EQ(sealed->context().labels().count("k8s.impersonated_user"), 0u);
  EXPECT_EQ(sealed->context().labels().at("k8s.verb"), "create");
  std::vector<std::string> paths;
  for (const SealedField& item : sealed->sealed()) paths.push_back(item.path());
  EXPECT_THAT(paths, ::testing::ElementsAre("actor.subject", "actor.groups", "actor.groups",
                                            "outcome.reason", "context.source_ip",
                                            "context.labels.k8s.impersonated_user",
                                            "provenance.principal"));
  auto unsealed = UnsealEvent(*store_, *sealed);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status();
  EXPECT_TRUE(unsealed->event.context().user_agent().empty());
  EXPECT_EQ(unsealed->event.context().labels().at("k8s.impersonated_user"), "bob@example.com");
}

TEST_F(EventSealerTest, AnAddressWithNoSubjectIsItsOwnSubject) {
  AuditEvent event = PersonalEvent();
  event.mutable_actor()->clear_subject();
  event.clear_provenance();
  auto sealed = SealEvent(*store_, PrivacyRules::Default(), event, kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_TRUE(sealed->actor().pseudonym().empty());
  auto found = store_->FindPseudonym("address:192.0.2.44");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(sealed->sealed(0).pseudonym(), *found);
}

TEST_F(EventSealerTest, AfterErasureTheFieldsAreGoneAndTheRestStillOpens) {
  auto sealed = SealEvent(*store_, PrivacyRules::Default(), PersonalEvent(), kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  auto erased = store_->Erase(sealed->actor().pseudonym());
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 5u);
  auto unsealed = UnsealEvent(*store_, *sealed);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status();
  EXPECT_THAT(GonePaths(*unsealed), ::testing::ElementsAre("actor.subject", "actor.groups",
                                                     "actor.groups", "context.source_ip",
                                                     "context.user_agent"));
  EXPECT_TRUE(unsealed->event.actor().subject().empty());
  EXPECT_EQ(unsealed->event.provenance().principal(), "carol@example.com");
}

TEST_F(EventSealerTest, AnEventThatArrivesSealedIsRefused) {
  AuditEvent event = PersonalEvent();
  event.add_sealed()->set_path("actor.subject");
  EXPECT_THAT(std::string(SealEvent(*store_, PrivacyRules::Default(), event, kNow)
                              .status()
                              .message()),
              HasSubstr("only the server seals"));
  event = PersonalEvent();
  event.mutable_actor()->set_pseudonym("ps1_00");
  EXPECT_EQ(SealEvent(*store_, PrivacyRules::Default(), event, kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EventSealerTest, EachPrincipalAConfigurationNamesIsSealedUnderItsOwnKey) {
  AuditEvent event;
  event.mutable_id()->set_source("vellum");
  event.mutable_id()->set_source_id("config-1");
  event.mutable_event_time()->set_seconds(1790000000);
  event.mutable_observer()->set_adapter("vellum");
  event.set_action(ACTION_CONFIG_APPLIED);
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  ConfigApplied* applied = event.mutable_config_applied();
  applied->set_canonical_text(R"({"bindings":[{"principal":"$0"},{"principal":"$1"}]})");
  applied->add_principals("alice@example.com");
  applied->add_principals("ci-deployer");
  auto sealed = SealEvent(*store_, PrivacyRules::Default(), event, kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->config_applied().principals_size(), 0);
  ASSERT_EQ(sealed->sealed_size(), 2);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(sealed->sealed(i).path(), "config_applied.principals");
  auto alice = store_->FindPseudonym("alice@example.com");
  auto ci = store_->FindPseudonym("ci-deployer");
  ASSERT_TRUE(alice.ok() && ci.ok());
  EXPECT_EQ(sealed->sealed(0).pseudonym(), *alice);
  EXPECT_EQ(sealed->sealed(1).pseudonym(), *ci);

  // Opened, the principals come back in their order, so the positions in the text still hold.
  auto opened = UnsealEvent(*store_, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_THAT(opened->event.config_applied().principals(),
              testing::ElementsAre("alice@example.com", "ci-deployer"));
  // Erasing one principal erases their name from the configuration, and only theirs.
  ASSERT_TRUE(store_->Erase(*alice).ok());
  opened = UnsealEvent(*store_, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  // The erased one keeps its place, empty, so "$1" still names ci-deployer.
  EXPECT_THAT(opened->event.config_applied().principals(),
              testing::ElementsAre("", "ci-deployer"));
  EXPECT_EQ(GonePaths(*opened), std::vector<std::string>{"config_applied.principals"});
}

TEST_F(EventSealerTest, GateFieldsAreSealedAndOnBehalfOfUnderItsOwnKey) {
  AuditEvent event;
  event.mutable_id()->set_source("vellum");
  event.mutable_id()->set_source_id("gate-1");
  event.mutable_event_time()->set_seconds(1790000000);
  event.mutable_observer()->set_adapter("vellum");
  event.set_action(ACTION_GATE_DECISION);
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  event.mutable_actor()->set_subject("ci-deployer");
  event.mutable_gate()->set_on_behalf_of("dana@example.com");
  event.mutable_gate()->set_override_reason("incident 42: dana is paged");
  auto sealed = SealEvent(*store_, PrivacyRules::Default(), event, kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->gate().on_behalf_of(), "");
  EXPECT_EQ(sealed->gate().override_reason(), "");
  auto dana = store_->FindPseudonym("dana@example.com");
  auto ci = store_->FindPseudonym("ci-deployer");
  ASSERT_TRUE(dana.ok() && ci.ok());
  std::map<std::string, std::string> owners;
  for (const SealedField& item : sealed->sealed()) owners[item.path()] = item.pseudonym();
  EXPECT_EQ(owners["gate.on_behalf_of"], *dana);
  EXPECT_EQ(owners["gate.override_reason"], *ci);
  auto opened = UnsealEvent(*store_, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->event.gate().on_behalf_of(), "dana@example.com");
  EXPECT_EQ(opened->event.gate().override_reason(), "incident 42: dana is paged");

  AuditEvent approval;
  approval.mutable_id()->set_source("vellum");
  approval.mutable_id()->set_source_id("approve-1");
  approval.mutable_event_time()->set_seconds(1790000000);
  approval.mutable_observer()->set_adapter("vellum");
  approval.set_action(ACTION_APPROVE);
  approval.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  approval.mutable_actor()->set_subject("erin@example.com");
  approval.mutable_approval()->set_comment("checked the eval report, erin");
  approval.mutable_approval()->add_approver_groups("ml-governance");
  sealed = SealEvent(*store_, PrivacyRules::Default(), approval, kNow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->approval().comment(), "");
  EXPECT_THAT(sealed->approval().approver_groups(), testing::ElementsAre("ml-governance"));
  opened = UnsealEvent(*store_, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->event.approval().comment(), "checked the eval report, erin");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
