#include "ledger/events/event_codec.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proof/crypto.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {
namespace {

using google::protobuf::util::MessageDifferencer;

AuditEvent ValidEvent() {
  AuditEvent event;
  event.mutable_id()->set_source("k8s-audit");
  event.mutable_id()->set_source_id("4b0f8c6e/ResponseComplete");
  event.mutable_event_time()->set_seconds(1791944465);
  event.mutable_event_time()->set_nanos(118203000);
  event.mutable_observer()->set_adapter("k8s-audit");
  event.mutable_actor()->set_subject("system:serviceaccount:ci:deployer");
  event.mutable_actor()->set_kind(Actor::KIND_SERVICE);
  event.mutable_actor()->add_groups("system:serviceaccounts");
  event.set_action(ACTION_DEPLOY);
  event.mutable_target()->set_model_name("fraud-scorer");
  event.mutable_target()->set_namespace_("risk-prod");
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  (*event.mutable_context()->mutable_labels())["k8s.verb"] = "patch";
  (*event.mutable_context()->mutable_labels())["k8s.resource"] = "inferenceservices";
  event.set_source_payload_digest(std::string(32, '\x5b'));
  return event;
}

void ExpectInvalid(const absl::Status& status, absl::string_view want_substring) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), want_substring))
      << "got \"" << status.message() << "\", want it to contain \"" << want_substring << "\"";
}

TEST(EventCodecTest, EntryRoundTrips) {
  const AuditEvent event = ValidEvent();
  absl::StatusOr<std::string> entry = EncodeEntry(event);
  ASSERT_TRUE(entry.ok()) << entry.status();
  absl::StatusOr<AuditEvent> decoded = DecodeEntry(*entry);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*decoded, event)) << decoded->DebugString();
}

TEST(EventCodecTest, EncodingIsDeterministicWhateverTheMapOrder) {
  AuditEvent a = ValidEvent();
  AuditEvent b = ValidEvent();
  b.mutable_context()->clear_labels();
  for (char c = 'z'; c >= 'a'; --c) {
    (*b.mutable_context()->mutable_labels())[std::string(1, c)] = "v";
  }
  for (char c = 'a'; c <= 'z'; ++c) {
    (*a.mutable_context()->mutable_labels())[std::string(1, c)] = "v";
  }
  a.mutable_context()->mutable_labels()->erase("k8s.verb");
  a.mutable_context()->mutable_labels()->erase("k8s.resource");
  absl::StatusOr<std::string> entry_a = EncodeEntry(a);
  absl::StatusOr<std::string> entry_b = EncodeEntry(b);
  ASSERT_TRUE(entry_a.ok() && entry_b.ok());
  EXPECT_EQ(*entry_a, *entry_b);
}

TEST(EventCodecTest, DecodeEntryRejectsNonCanonicalEncodings) {
  const AuditEvent event = ValidEvent();
  absl::StatusOr<std::string> entry = EncodeEntry(event);
  ASSERT_TRUE(entry.ok());
  // The same fields with the action (field 6, varint) repeated at the end: a valid protobuf
  // encoding of the same event, but not the deterministic one.
  const std::string repeated_action = *entry + std::string("\x30\x08", 2);
  absl::StatusOr<AuditEvent> parsed = ParseEventProto(repeated_action.substr(kEventEntryTag.size()));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*parsed, event));
  ExpectInvalid(DecodeEntry(repeated_action).status(), "not the deterministic encoding");
}

TEST(EventCodecTest, DecodeRejectsGarbageUnknownFieldsAndOversizeEntries) {
  ExpectInvalid(DecodeEntry(std::string(kEventEntryTag) + "\xff\xff\xff").status(),
                "not a protobuf AuditEvent");
  absl::StatusOr<std::string> entry = EncodeEntry(ValidEvent());
  ASSERT_TRUE(entry.ok());
  // Field 99, varint 1.
  ExpectInvalid(ParseEventProto(entry->substr(kEventEntryTag.size()) +
                                std::string("\x98\x06\x01", 3))
                    .status(),
                "event: has unknown fields");
  ExpectInvalid(DecodeEntry(std::string(kEventEntryTag) + std::string(kMaxEntrySize + 1, 'x'))
                    .status(),
                "got 65536 bytes, want at most 65535");
}

TEST(EventCodecTest, EntriesCarryTheTagAndRawEntriesMayNot) {
  absl::StatusOr<std::string> entry = EncodeEntry(ValidEvent());
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->substr(0, 4), std::string("\x00" "ev1", 4));
  // The untagged encoding, as entries were before the tag: never an event.
  const std::string untagged = entry->substr(kEventEntryTag.size());
  ASSERT_TRUE(ParseEventProto(untagged).ok());
  ExpectInvalid(DecodeEntry(untagged).status(), "does not start with the event tag");
  ExpectInvalid(DecodeEntry(std::string("\x00" "ev", 3)).status(), "does not start with the event tag");

  ExpectInvalid(CheckRawEntry(*entry), "starts with the event tag");
  ExpectInvalid(CheckRawEntry(kEventEntryTag), "starts with the event tag");
  EXPECT_TRUE(CheckRawEntry(untagged).ok());
  EXPECT_TRUE(CheckRawEntry(std::string("\x00" "ev", 3)).ok());
  EXPECT_TRUE(CheckRawEntry("hello").ok());
}

TEST(EventCodecTest, EntriesBelowTypedFromAreNeverEvents) {
  absl::StatusOr<std::string> entry = EncodeEntry(ValidEvent());
  ASSERT_TRUE(entry.ok());
  EXPECT_TRUE(DecodeLogEntry(/*typed_from=*/5, /*index=*/5, *entry).ok());
  EXPECT_TRUE(DecodeLogEntry(0, 0, *entry).ok());
  ExpectInvalid(DecodeLogEntry(5, 4, *entry).status(),
                "untyped: index 4 is below the log's typed_from 5");
  absl::StatusOr<std::string> json = EntryToJson(5, 4, *entry);
  ASSERT_TRUE(json.ok());
  EXPECT_TRUE(absl::StrContains(*json, "\"raw\":")) << *json;
  EXPECT_TRUE(absl::StrContains(*json, "untyped: index 4")) << *json;
}

TEST(EventCodecTest, EncodeRejectsEventsThatDoNotFitAnEntry) {
  AuditEvent event = ValidEvent();
  for (int i = 0; i < 62; ++i) {
    (*event.mutable_context()->mutable_labels())[absl::StrCat("label", i)] =
        std::string(kMaxEventStringBytes, 'x');
  }
  event.mutable_outcome()->set_reason(std::string(kMaxEventReasonBytes, 'r'));
  ExpectInvalid(ValidateEvent(event), "want at most 65535");
  ExpectInvalid(EncodeEntry(event).status(), "want at most 65535");
}

AuditEvent ConfigEvent() {
  AuditEvent event = ValidEvent();
  event.set_action(ACTION_CONFIG_APPLIED);
  event.mutable_target()->clear_model_name();
  ConfigApplied* config = event.mutable_config_applied();
  config->set_canonical_text("{\"listen\":\"127.0.0.1:8443\"}");
  const crypto::Sha256Digest digest = crypto::Sha256({config->canonical_text()});
  config->set_sha256(std::string(digest.begin(), digest.end()));
  (*config->mutable_files())["/etc/vellum/tokens.txt"] = std::string(32, '\x01');
  config->set_applied_by("start");
  return event;
}

TEST(EventCodecTest, ConfigAppliedGoesWithItsActionAndIsChecked) {
  ASSERT_TRUE(ValidateEvent(ConfigEvent()).ok()) << ValidateEvent(ConfigEvent());

  AuditEvent event = ValidEvent();
  *event.mutable_config_applied() = ConfigEvent().config_applied();
  ExpectInvalid(ValidateEvent(event), "config_applied: set, want it only for ACTION_CONFIG_APPLIED");
  event = ConfigEvent();
  event.clear_config_applied();
  ExpectInvalid(ValidateEvent(event), "config_applied: missing");

  event = ConfigEvent();
  event.mutable_config_applied()->set_sha256(std::string(31, 'x'));
  ExpectInvalid(ValidateEvent(event), "config_applied.sha256: got 31 bytes, want 32");
  event = ConfigEvent();
  event.mutable_config_applied()->set_canonical_text("{}");
  ExpectInvalid(ValidateEvent(event), "not SHA-256 of canonical_text");

  event = ConfigEvent();
  (*event.mutable_config_applied()->mutable_files())["/short"] = "abc";
  ExpectInvalid(ValidateEvent(event), "config_applied.files: got a digest of 3 bytes, want 32");
  event = ConfigEvent();
  for (size_t i = 1; i <= kMaxConfigFiles; ++i) {  // And the one ConfigEvent() names.
    (*event.mutable_config_applied()->mutable_files())[absl::StrCat("/f", i)] =
        std::string(32, 'd');
  }
  ExpectInvalid(ValidateEvent(event), "config_applied.files: got 65 files, want at most 64");

  event = ConfigEvent();
  for (size_t i = 0; i < kMaxConfigPrincipals; ++i) {
    event.mutable_config_applied()->add_principals(absl::StrCat("p", i));
  }
  EXPECT_TRUE(ValidateEvent(event).ok()) << ValidateEvent(event);
  event.mutable_config_applied()->add_principals("one-more");
  ExpectInvalid(ValidateEvent(event),
                "config_applied.principals: got 257 principals, want at most 256");

  event = ConfigEvent();
  std::string text(kMaxConfigTextBytes, 'c');
  crypto::Sha256Digest digest = crypto::Sha256({text});
  event.mutable_config_applied()->set_canonical_text(text);
  event.mutable_config_applied()->set_sha256(std::string(digest.begin(), digest.end()));
  EXPECT_TRUE(ValidateEvent(event).ok()) << ValidateEvent(event);
  text.push_back('c');
  digest = crypto::Sha256({text});
  event.mutable_config_applied()->set_canonical_text(text);
  event.mutable_config_applied()->set_sha256(std::string(digest.begin(), digest.end()));
  ExpectInvalid(ValidateEvent(event),
                "config_applied.canonical_text: got 49153 bytes, want at most 49152");
}

TEST(EventCodecTest, GateRecordsGoWithTheirActionsAndAreChecked) {
  AuditEvent event = ValidEvent();
  event.mutable_gate()->set_allowed(true);
  ExpectInvalid(ValidateEvent(event), "gate: want it exactly for ACTION_GATE_DECISION");
  event.set_action(ACTION_GATE_DECISION);
  ASSERT_TRUE(ValidateEvent(event).ok()) << ValidateEvent(event);
  event.clear_gate();
  ExpectInvalid(ValidateEvent(event), "gate: want it exactly for ACTION_GATE_DECISION");
  event.set_action(ACTION_GATE_DECISION);
  for (size_t i = 0; i <= kMaxEventListItems; ++i) event.mutable_gate()->add_approvals(i);
  ExpectInvalid(ValidateEvent(event), "gate.approvals: got 65 items, want at most 64");

  event = ValidEvent();
  event.mutable_approval()->set_id("apr_1");
  ExpectInvalid(ValidateEvent(event), "approval: set, want it only for ACTION_REQUEST_APPROVAL");
  event.set_action(ACTION_APPROVE);
  EXPECT_TRUE(ValidateEvent(event).ok()) << ValidateEvent(event);

  event = ValidEvent();
  event.set_action(ACTION_POLICY_APPLIED);
  ExpectInvalid(ValidateEvent(event), "policy_applied: want it exactly for ACTION_POLICY_APPLIED");
  event.mutable_policy_applied()->set_canonical_text("{}");
  const crypto::Sha256Digest digest = crypto::Sha256({"{}"});
  event.mutable_policy_applied()->set_sha256(std::string(digest.begin(), digest.end()));
  EXPECT_TRUE(ValidateEvent(event).ok()) << ValidateEvent(event);
  event.mutable_policy_applied()->set_canonical_text("{ }");
  ExpectInvalid(ValidateEvent(event), "policy_applied.sha256: got a digest that is not SHA-256");
  // A policy's text may be as long as a configuration's, far past an ordinary string.
  const std::string text(kMaxConfigTextBytes, ' ');
  const crypto::Sha256Digest long_digest = crypto::Sha256({text});
  event.mutable_policy_applied()->set_canonical_text(text);
  event.mutable_policy_applied()->set_sha256(std::string(long_digest.begin(), long_digest.end()));
  EXPECT_TRUE(ValidateEvent(event).ok()) << ValidateEvent(event);
  EXPECT_TRUE(IsServerOnlyAction(ACTION_POLICY_APPLIED));
  EXPECT_TRUE(IsServerOnlyAction(ACTION_GATE_DECISION));
  EXPECT_FALSE(IsServerOnlyAction(ACTION_APPROVE));
}

TEST(EventCodecTest, ActionAndResultNamesAsPeopleTypeThem) {
  EXPECT_EQ(ParseActionName("deploy"), ACTION_DEPLOY);
  EXPECT_EQ(ParseActionName("ACTION_DEPLOY"), ACTION_DEPLOY);
  EXPECT_EQ(ParseActionName("config.applied"), ACTION_CONFIG_APPLIED);
  EXPECT_EQ(ParseActionName("Gate-Decision"), ACTION_GATE_DECISION);
  EXPECT_EQ(ParseActionName("unspecified"), absl::nullopt);
  EXPECT_EQ(ParseActionName("launch"), absl::nullopt);
  EXPECT_EQ(ParseResultName("denied"), Outcome::RESULT_DENIED);
  EXPECT_EQ(ActionName(ACTION_CONFIG_APPLIED), "config.applied");
  for (Action a : {ACTION_DEPLOY, ACTION_REQUEST_APPROVAL, ACTION_GATE_DECISION}) {
    EXPECT_EQ(ParseActionName(ActionName(a)), a);
  }
}

TEST(EventCodecTest, SealedItemsAreBounded) {
  AuditEvent event = ValidEvent();
  SealedField* item = event.add_sealed();
  item->set_path("actor.subject");
  item->set_pseudonym("ps1_0123456789abcdef0123456789abcdef");
  item->set_commitment(std::string(32, 'c'));
  EXPECT_TRUE(ValidateEvent(event).ok());
  item->set_commitment(std::string(31, 'c'));
  ExpectInvalid(ValidateEvent(event),
                "sealed: got an item with a path of 13 bytes, a pseudonym of 36 and a commitment "
                "of 31, want a path, a pseudonym and 32 bytes");
  item->set_commitment(std::string(32, 'c'));
  for (size_t i = 1; i <= kMaxEventSealed; ++i) *event.add_sealed() = *item;
  ExpectInvalid(ValidateEvent(event), "sealed: got 257 items, want at most 256");
}

TEST(EventCodecTest, ServerActionsNeedNoModelAndProvenanceHasLimits) {
  AuditEvent event = ValidEvent();
  event.set_action(ACTION_ACCESS_DENIED_BY_LEDGER);
  event.mutable_target()->clear_model_name();
  EXPECT_TRUE(ValidateEvent(event).ok()) << ValidateEvent(event);

  event = ValidEvent();
  event.mutable_provenance()->set_principal("ci-deployer");
  event.mutable_provenance()->set_authenticated_by("token");
  EXPECT_TRUE(ValidateEvent(event).ok());
  event.mutable_provenance()->set_authenticated_by(std::string(kMaxProvenanceMethodBytes + 1, 'a'));
  ExpectInvalid(ValidateEvent(event), "provenance.authenticated_by: got 33 bytes, want at most 32");
  event = ValidEvent();
  event.mutable_provenance()->set_principal(std::string(kMaxEventStringBytes + 1, 'p'));
  ExpectInvalid(ValidateEvent(event), "provenance.principal: got 1025 bytes, want at most 1024");
}

TEST(EventCodecTest, ValidateNamesEachMissingRequiredField) {
  struct Case {
    void (*clear)(AuditEvent*);
    const char* field;
  };
  const Case cases[] = {
      {[](AuditEvent* e) { e->mutable_id()->clear_source(); }, "id.source: missing"},
      {[](AuditEvent* e) { e->mutable_id()->clear_source_id(); }, "id.source_id: missing"},
      {[](AuditEvent* e) { e->clear_event_time(); }, "event_time: missing"},
      {[](AuditEvent* e) { e->mutable_observer()->clear_adapter(); }, "observer.adapter: missing"},
      {[](AuditEvent* e) { e->clear_action(); }, "action: missing"},
      {[](AuditEvent* e) { e->mutable_target()->clear_model_name(); }, "target.model_name: missing"},
      {[](AuditEvent* e) { e->mutable_outcome()->clear_result(); }, "outcome.result: missing"},
  };
  ASSERT_TRUE(ValidateEvent(ValidEvent()).ok());
  for (const Case& c : cases) {
    AuditEvent event = ValidEvent();
    c.clear(&event);
    ExpectInvalid(ValidateEvent(event), c.field);
    ExpectInvalid(EncodeEntry(event).status(), c.field);
  }
}

TEST(EventCodecTest, ValidateChecksEnumsLengthsDigestsAndTimes) {
  AuditEvent event = ValidEvent();
  event.set_action(static_cast<Action>(99));
  ExpectInvalid(ValidateEvent(event), "action: got enum value 99");

  event = ValidEvent();
  event.mutable_actor()->set_kind(static_cast<Actor::Kind>(7));
  ExpectInvalid(ValidateEvent(event), "actor.kind: got enum value 7");

  event = ValidEvent();
  event.mutable_context()->set_user_agent(std::string(kMaxEventStringBytes + 1, 'a'));
  ExpectInvalid(ValidateEvent(event), "context.user_agent: got 1025 bytes, want at most 1024");

  event = ValidEvent();
  event.mutable_outcome()->set_reason(std::string(kMaxEventReasonBytes, 'r'));
  EXPECT_TRUE(ValidateEvent(event).ok());
  event.mutable_outcome()->set_reason(std::string(kMaxEventReasonBytes + 1, 'r'));
  ExpectInvalid(ValidateEvent(event), "outcome.reason: got 4097 bytes, want at most 4096");

  event = ValidEvent();
  event.set_source_payload_digest("short");
  ExpectInvalid(ValidateEvent(event), "source_payload_digest: got 5 bytes, want 32");

  event = ValidEvent();
  event.mutable_event_time()->set_nanos(1000000000);
  ExpectInvalid(ValidateEvent(event), "event_time: got nanos 1000000000");
  event = ValidEvent();
  event.mutable_logged_time()->set_seconds(253402300800);
  ExpectInvalid(ValidateEvent(event), "logged_time: got seconds 253402300800");

  event = ValidEvent();
  for (size_t i = 0; i <= kMaxEventGroups; ++i) event.mutable_actor()->add_groups("g");
  ExpectInvalid(ValidateEvent(event), "actor.groups: got 66 groups, want at most 64");

  event = ValidEvent();
  (*event.mutable_context()->mutable_labels())[""] = "v";
  ExpectInvalid(ValidateEvent(event), "context.labels: got a key of 0 bytes");
}

TEST(EventCodecTest, JsonRoundTripsWithProto3Names) {
  const AuditEvent event = ValidEvent();
  absl::StatusOr<std::string> json = EventToJson(event);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(absl::StrContains(*json, "\"eventTime\":\"2026-10-14T02:21:05.118203Z\"")) << *json;
  EXPECT_TRUE(absl::StrContains(*json, "\"action\":\"ACTION_DEPLOY\"")) << *json;
  EXPECT_TRUE(absl::StrContains(*json, "\"sourceId\":\"4b0f8c6e/ResponseComplete\"")) << *json;
  absl::StatusOr<AuditEvent> parsed = ParseEventJson(*json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*parsed, event));
}

TEST(EventCodecTest, JsonIsStrict) {
  absl::StatusOr<std::string> json = EventToJson(ValidEvent());
  ASSERT_TRUE(json.ok());
  std::string with_unknown = *json;
  with_unknown.insert(1, "\"severity\":\"high\",");
  ExpectInvalid(ParseEventJson(with_unknown).status(), "severity");
  ExpectInvalid(ParseEventJson("{\"action\":\"ACTION_LAUNCH_ROCKETS\"}").status(), "JSON");
  ExpectInvalid(ParseEventJson("{\"action\":\"ACTION_DEPLOY\"}").status(), "id.source: missing");
  ExpectInvalid(ParseEventJson("[1,2").status(), "JSON");
  ExpectInvalid(ParseEventJson(std::string(kMaxEventJsonBytes + 1, ' ')).status(),
                "want at most 262144");
}

TEST(EventCodecTest, EntriesAndBundlesBecomeJson) {
  absl::StatusOr<std::string> entry = EncodeEntry(ValidEvent());
  ASSERT_TRUE(entry.ok());
  absl::StatusOr<std::string> json = EntryToJson(0, 7, *entry);
  ASSERT_TRUE(json.ok());
  EXPECT_TRUE(absl::StartsWith(*json, "{\"index\":\"7\",\"event\":{\"id\":")) << *json;

  absl::StatusOr<std::string> opaque = EntryToJson(0, 8, "hello");
  ASSERT_TRUE(opaque.ok());
  EXPECT_TRUE(absl::StrContains(*opaque, "\"raw\":\"aGVsbG8=\"")) << *opaque;
  EXPECT_TRUE(absl::StrContains(*opaque, "\"error\":\"audit event: ")) << *opaque;

  const std::vector<std::string> entries = {*entry, "hello"};
  absl::StatusOr<std::string> bundle = EncodeEntryBundle(entries);
  ASSERT_TRUE(bundle.ok());
  absl::StatusOr<std::string> bundle_json = EntryBundleToJson(0, 256, *bundle);
  ASSERT_TRUE(bundle_json.ok()) << bundle_json.status();
  EXPECT_TRUE(absl::StartsWith(*bundle_json, "{\"entries\":[{\"index\":\"256\",\"event\":"))
      << *bundle_json;
  EXPECT_TRUE(absl::StrContains(*bundle_json, "{\"index\":\"257\",\"raw\":\"aGVsbG8=\""))
      << *bundle_json;
  ExpectInvalid(EntryBundleToJson(0, 0, std::string("\x00\x05hi", 4)).status(), "");

  // The same bundle in a log typed from 257: its first entry predates the tag.
  bundle_json = EntryBundleToJson(257, 256, *bundle);
  ASSERT_TRUE(bundle_json.ok()) << bundle_json.status();
  EXPECT_TRUE(absl::StartsWith(*bundle_json, "{\"entries\":[{\"index\":\"256\",\"raw\":"))
      << *bundle_json;
  EXPECT_TRUE(absl::StrContains(*bundle_json, "below the log's typed_from 257")) << *bundle_json;
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
