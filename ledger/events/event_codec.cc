#include "ledger/events/event_codec.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "proof/crypto.h"
#include "proof/tile.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("audit event: ", field, ": ", problem));
}

size_t StringLimit(const FieldDescriptor& field) {
  if (field.full_name() == "vellum.ledger.Outcome.reason" ||
      field.full_name() == "vellum.ledger.Hold.reason" ||
      field.full_name() == "vellum.ledger.RetentionRules.reason" ||
      field.full_name() == "vellum.ledger.Approval.comment" ||
      field.full_name() == "vellum.ledger.GateDecision.override_reason") {
    return kMaxEventReasonBytes;
  }
  if (field.full_name() == "vellum.ledger.ConfigApplied.canonical_text" ||
      field.full_name() == "vellum.ledger.PolicyApplied.canonical_text") {
    return kMaxConfigTextBytes;
  }
  if (field.full_name() == "vellum.ledger.Provenance.authenticated_by") {
    return kMaxProvenanceMethodBytes;
  }
  return kMaxEventStringBytes;
}

// Checks every field of `message` and its submessages, whatever the field: no unknown fields,
// enum values that the enum defines, and strings within their length limit.
absl::Status CheckFieldsRecursively(const Message& message, const std::string& path) {
  const Reflection* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) {
    return Invalid(path.empty() ? "event" : path, "has unknown fields, want none");
  }
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string field_path = path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
    const int count = field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_MESSAGE: {
          const Message& child = field->is_repeated()
                                     ? reflection->GetRepeatedMessage(message, field, i)
                                     : reflection->GetMessage(message, field);
          absl::Status status = CheckFieldsRecursively(child, field_path);
          if (!status.ok()) return status;
          break;
        }
        case FieldDescriptor::CPPTYPE_ENUM: {
          const int value = field->is_repeated() ? reflection->GetRepeatedEnumValue(message, field, i)
                                                 : reflection->GetEnumValue(message, field);
          if (field->enum_type()->FindValueByNumber(value) == nullptr) {
            return Invalid(field_path, absl::StrCat("got enum value ", value, ", want one of ",
                                                    field->enum_type()->full_name()));
          }
          break;
        }
        case FieldDescriptor::CPPTYPE_STRING: {
          if (field->type() == FieldDescriptor::TYPE_BYTES) break;  // Checked by their owners.
          std::string scratch;
          const std::string& value =
              field->is_repeated() ? reflection->GetRepeatedStringReference(message, field, i, &scratch)
                                   : reflection->GetStringReference(message, field, &scratch);
          const size_t limit = StringLimit(*field);
          if (!IsValidUtf8(value)) return Invalid(field_path, "got invalid UTF-8, want UTF-8");
          if (value.size() > limit) {
            return Invalid(field_path,
                           absl::StrCat("got ", value.size(), " bytes, want at most ", limit));
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& time, absl::string_view field) {
  if (time.seconds() < kMinTimestampSeconds || time.seconds() > kMaxTimestampSeconds) {
    return Invalid(field, absl::StrCat("got seconds ", time.seconds(), ", want ",
                                       kMinTimestampSeconds, "..", kMaxTimestampSeconds));
  }
  if (time.nanos() < 0 || time.nanos() > 999999999) {
    return Invalid(field, absl::StrCat("got nanos ", time.nanos(), ", want 0..999999999"));
  }
  return absl::OkStatus();
}

absl::Status Required(bool present, absl::string_view field) {
  return present ? absl::OkStatus() : Invalid(field, "missing, want a value");
}

// Printing fails only on timestamps out of range, which ValidateEvent rejects.
absl::StatusOr<std::string> ToJson(const Message& message) {
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out,
                                                            google::protobuf::util::JsonPrintOptions());
  if (!status.ok()) return Invalid("JSON", std::string(status.message()));
  return out;
}

absl::StatusOr<AuditEvent> ParseBinary(absl::string_view bytes) {
  if (bytes.size() > kMaxEntrySize) {
    return Invalid("encoding", absl::StrCat("got ", bytes.size(), " bytes, want at most ",
                                            kMaxEntrySize));
  }
  AuditEvent event;
  if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Invalid("encoding", "not a protobuf AuditEvent");
  }
  absl::Status status = ValidateEvent(event);
  if (!status.ok()) return status;
  return event;
}

// That `digest` is SHA-256 of `text`.
absl::Status CheckSha256Of(absl::string_view text, absl::string_view digest,
                           absl::string_view field) {
  if (digest.size() != 32) {
    return Invalid(field, absl::StrCat("got ", digest.size(), " bytes, want 32 (SHA-256)"));
  }
  const crypto::Sha256Digest want = crypto::Sha256({text});
  if (digest != absl::string_view(reinterpret_cast<const char*>(want.data()), want.size())) {
    return Invalid(field, "got a digest that is not SHA-256 of canonical_text");
  }
  return absl::OkStatus();
}

absl::Status CheckConfigApplied(const AuditEvent& event) {
  const bool config_action = event.action() == ACTION_CONFIG_APPLIED;
  if (event.has_config_applied() != config_action) {
    return Invalid("config_applied", config_action ? "missing, want it for ACTION_CONFIG_APPLIED"
                                                   : "set, want it only for ACTION_CONFIG_APPLIED");
  }
  if (!config_action) return absl::OkStatus();
  const ConfigApplied& config = event.config_applied();
  absl::Status status =
      CheckSha256Of(config.canonical_text(), config.sha256(), "config_applied.sha256");
  if (!status.ok()) return status;
  if (config.principals_size() > static_cast<int>(kMaxConfigPrincipals)) {
    return Invalid("config_applied.principals",
                   absl::StrCat("got ", config.principals_size(), " principals, want at most ",
                                kMaxConfigPrincipals));
  }
  if (config.files_size() > static_cast<int>(kMaxConfigFiles)) {
    return Invalid("config_applied.files", absl::StrCat("got ", config.files_size(),
                                                        " files, want at most ", kMaxConfigFiles));
  }
  for (const auto& file : config.files()) {
    if (file.second.size() != 32) {
      return Invalid("config_applied.files", absl::StrCat("got a digest of ", file.second.size(),
                                                          " bytes, want 32 (SHA-256)"));
    }
  }
  return absl::OkStatus();
}

DecodedEntry DecodeForDisplay(uint64_t typed_from, uint64_t index, absl::string_view entry) {
  DecodedEntry decoded;
  decoded.set_index(index);
  absl::StatusOr<AuditEvent> event = DecodeLogEntry(typed_from, index, entry);
  if (event.ok()) {
    *decoded.mutable_event() = *std::move(event);
  } else {
    decoded.set_raw(std::string(entry));
    decoded.set_error(std::string(event.status().message()));
  }
  return decoded;
}

}  // namespace

namespace {

// The enum value named `typed` (ParseActionName), if any.
template <typename Enum>
absl::optional<Enum> ParseEnumName(absl::string_view typed,
                                   bool (*parse)(const std::string&, Enum*),
                                   absl::string_view prefix) {
  std::string name = absl::AsciiStrToUpper(typed);
  std::replace(name.begin(), name.end(), '.', '_');
  std::replace(name.begin(), name.end(), '-', '_');
  if (!absl::StartsWith(name, prefix)) name = absl::StrCat(prefix, name);
  Enum parsed;
  if (!parse(name, &parsed) || static_cast<int>(parsed) == 0) return absl::nullopt;
  return parsed;
}

}  // namespace

absl::optional<Action> ParseActionName(absl::string_view typed) {
  return ParseEnumName<Action>(typed, Action_Parse, "ACTION_");
}

absl::optional<Outcome::Result> ParseResultName(absl::string_view typed) {
  return ParseEnumName<Outcome::Result>(typed, Outcome::Result_Parse, "RESULT_");
}

std::string ActionName(Action action) {
  std::string name = absl::AsciiStrToLower(absl::StripPrefix(Action_Name(action), "ACTION_"));
  std::replace(name.begin(), name.end(), '_', '.');
  return name;
}

bool IsGateRecord(const AuditEvent& event) {
  const std::string& adapter = event.observer().adapter();
  const Action action = event.action();
  if (adapter == "vellum") {
    return action == ACTION_POLICY_APPLIED || action == ACTION_GATE_DECISION ||
           (IsApprovalAction(action) && event.has_approval());
  }
  if (adapter == "sagemaker" || adapter == "mlflow" || adapter == "databricks") {
    return IsApprovalAction(action) || action == ACTION_PROMOTE || action == ACTION_DEMOTE;
  }
  return adapter == "github" && (action == ACTION_APPROVE || action == ACTION_REJECT);
}

bool IsApprovalAction(Action action) {
  return action == ACTION_REQUEST_APPROVAL || action == ACTION_APPROVE ||
         action == ACTION_REJECT;
}

bool IsServerOnlyAction(Action action) {
  return action == ACTION_CONFIG_APPLIED || action == ACTION_ACCESS_DENIED_BY_LEDGER ||
         action == ACTION_CLOCK_ANOMALY || action == ACTION_INGEST_SHED ||
         action == ACTION_HOLD_PLACED || action == ACTION_HOLD_RELEASED ||
         action == ACTION_ERASURE_REQUESTED || action == ACTION_ERASURE_COMPLETED ||
         action == ACTION_RETENTION_PURGED || action == ACTION_EVENTS_UNSEALED ||
         action == ACTION_RETENTION_CHANGED || action == ACTION_LOG_PRUNED ||
         action == ACTION_POLICY_APPLIED || action == ACTION_GATE_DECISION;
}

absl::Status ValidateEvent(const AuditEvent& event) {
  absl::Status status = CheckFieldsRecursively(event, "");
  if (!status.ok()) return status;
  for (const absl::Status& s : {
           Required(!event.id().source().empty(), "id.source"),
           Required(!event.id().source_id().empty(), "id.source_id"),
           Required(event.has_event_time(), "event_time"),
           Required(!event.observer().adapter().empty(), "observer.adapter"),
           Required(event.action() != ACTION_UNSPECIFIED, "action"),
           Required(!event.target().model_name().empty() ||
                        event.action() == ACTION_INGEST_REJECTED ||
                        IsServerOnlyAction(event.action()),
                    "target.model_name"),
           Required(event.outcome().result() != Outcome::RESULT_UNSPECIFIED, "outcome.result"),
       }) {
    if (!s.ok()) return s;
  }
  status = CheckTimestamp(event.event_time(), "event_time");
  if (!status.ok()) return status;
  if (event.has_logged_time()) {
    status = CheckTimestamp(event.logged_time(), "logged_time");
    if (!status.ok()) return status;
  }
  const size_t digest_size = event.source_payload_digest().size();
  if (digest_size != 0 && digest_size != 32) {
    return Invalid("source_payload_digest",
                   absl::StrCat("got ", digest_size, " bytes, want 32 (SHA-256) or none"));
  }
  if (event.actor().groups_size() > static_cast<int>(kMaxEventGroups)) {
    return Invalid("actor.groups", absl::StrCat("got ", event.actor().groups_size(),
                                                " groups, want at most ", kMaxEventGroups));
  }
  if (event.context().labels_size() > static_cast<int>(kMaxEventLabels)) {
    return Invalid("context.labels", absl::StrCat("got ", event.context().labels_size(),
                                                  " labels, want at most ", kMaxEventLabels));
  }
  for (const auto& label : event.context().labels()) {
    if (label.first.empty() || label.first.size() > kMaxEventLabelKeyBytes) {
      return Invalid("context.labels", absl::StrCat("got a key of ", label.first.size(),
                                                    " bytes, want 1..", kMaxEventLabelKeyBytes));
    }
  }
  if (event.sealed_size() > static_cast<int>(kMaxEventSealed)) {
    return Invalid("sealed", absl::StrCat("got ", event.sealed_size(), " items, want at most ",
                                          kMaxEventSealed));
  }
  for (const SealedField& item : event.sealed()) {
    if (item.path().empty() || item.pseudonym().empty() || item.commitment().size() != 32) {
      return Invalid("sealed", absl::StrCat("got an item with a path of ", item.path().size(),
                                            " bytes, a pseudonym of ", item.pseudonym().size(),
                                            " and a commitment of ", item.commitment().size(),
                                            ", want a path, a pseudonym and 32 bytes"));
    }
  }
  for (const auto& [name, count] : {
           std::pair<const char*, int>{"hold.scope.models", event.hold().scope().models_size()},
           {"hold.scope.subjects", event.hold().scope().subjects_size()},
           {"erasure.pseudonyms", event.erasure().pseudonyms_size()},
           {"erasure.held_by", event.erasure().held_by_size()},
           {"retention.rules", event.retention().rules_size()},
           {"approval.approver_groups", event.approval().approver_groups_size()},
           {"gate.reasons", event.gate().reasons_size()},
           {"gate.approvals", event.gate().approvals_size()},
           {"gate.labels", event.gate().labels_size()}}) {
    if (count > static_cast<int>(kMaxEventListItems)) {
      return Invalid(name, absl::StrCat("got ", count, " items, want at most ",
                                        kMaxEventListItems));
    }
  }
  if (event.has_hold() || event.has_erasure()) {
    const Action a = event.action();
    const bool hold_action = a == ACTION_HOLD_PLACED || a == ACTION_HOLD_RELEASED;
    const bool erasure_action = a == ACTION_ERASURE_REQUESTED || a == ACTION_ERASURE_COMPLETED ||
                                a == ACTION_RETENTION_PURGED;
    if (event.has_hold() && !hold_action) {
      return Invalid("hold", "set, want it only for ACTION_HOLD_PLACED or ACTION_HOLD_RELEASED");
    }
    if (event.has_erasure() && !erasure_action) {
      return Invalid("erasure",
                     "set, want it only for the erasure and retention actions");
    }
  }
  if (event.has_retention() != (event.action() == ACTION_RETENTION_CHANGED)) {
    return Invalid("retention", "want it exactly for ACTION_RETENTION_CHANGED");
  }
  if (event.has_policy_applied() != (event.action() == ACTION_POLICY_APPLIED)) {
    return Invalid("policy_applied", "want it exactly for ACTION_POLICY_APPLIED");
  }
  if (event.has_gate() != (event.action() == ACTION_GATE_DECISION)) {
    return Invalid("gate", "want it exactly for ACTION_GATE_DECISION");
  }
  if (event.has_approval() && !IsApprovalAction(event.action())) {
    return Invalid("approval", "set, want it only for ACTION_REQUEST_APPROVAL, ACTION_APPROVE "
                               "or ACTION_REJECT");
  }
  if (event.has_policy_applied()) {
    status = CheckSha256Of(event.policy_applied().canonical_text(),
                           event.policy_applied().sha256(), "policy_applied.sha256");
    if (!status.ok()) return status;
  }
  for (const RetentionRule& rule : event.retention().rules()) {
    if (rule.actions_size() > static_cast<int>(kMaxEventListItems) ||
        rule.adapters_size() > static_cast<int>(kMaxEventListItems)) {
      return Invalid("retention.rules", absl::StrCat("got a rule with ", rule.actions_size(),
                                                     " actions and ", rule.adapters_size(),
                                                     " adapters, want at most ",
                                                     kMaxEventListItems, " each"));
    }
  }
  status = CheckConfigApplied(event);
  if (!status.ok()) return status;
  const size_t size = kEventEntryTag.size() + event.ByteSizeLong();
  if (size > kMaxEntrySize) {
    return Invalid("encoding",
                   absl::StrCat("got an entry of ", size, " bytes, want at most ", kMaxEntrySize));
  }
  return absl::OkStatus();
}

absl::Status CheckRawEntry(absl::string_view entry) {
  if (absl::StartsWith(entry, kEventEntryTag)) {
    return absl::InvalidArgumentError(
        "the entry starts with the event tag 0x00 'e' 'v' '1': events are appended through "
        "POST /v1/events or /v1/ingest, never raw");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodeEntry(const AuditEvent& event) {
  absl::Status status = ValidateEvent(event);
  if (!status.ok()) return status;
  event.ByteSizeLong();  // Caches the sizes that SerializeWithCachedSizes writes.
  std::string entry(kEventEntryTag);
  {
    google::protobuf::io::StringOutputStream stream(&entry);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeWithCachedSizes(&coded);
  }
  return entry;
}

absl::StatusOr<AuditEvent> DecodeEntry(absl::string_view entry) {
  if (!absl::StartsWith(entry, kEventEntryTag)) {
    return Invalid("entry", "does not start with the event tag 0x00 'e' 'v' '1'");
  }
  absl::StatusOr<AuditEvent> event = ParseBinary(entry.substr(kEventEntryTag.size()));
  if (!event.ok()) return event.status();
  absl::StatusOr<std::string> canonical = EncodeEntry(*event);
  if (!canonical.ok()) return canonical.status();
  if (*canonical != entry) {
    return Invalid("encoding", "not the deterministic encoding of the event it holds");
  }
  return event;
}

absl::StatusOr<AuditEvent> DecodeLogEntry(uint64_t typed_from, uint64_t index,
                                          absl::string_view entry) {
  if (index < typed_from) {
    return Invalid("entry", absl::StrCat("untyped: index ", index, " is below the log's typed_from ",
                                         typed_from, ", so it is never an event"));
  }
  return DecodeEntry(entry);
}

absl::StatusOr<AuditEvent> ParseEventProto(absl::string_view bytes) { return ParseBinary(bytes); }

absl::StatusOr<AuditEvent> ParseEventJson(absl::string_view json) {
  if (json.size() > kMaxEventJsonBytes) {
    return Invalid("JSON", absl::StrCat("got ", json.size(), " bytes, want at most ",
                                        kMaxEventJsonBytes));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  AuditEvent event;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(json), &event, options);
  if (!status.ok()) {
    return Invalid("JSON", std::string(status.message()));
  }
  absl::Status valid = ValidateEvent(event);
  if (!valid.ok()) return valid;
  return event;
}

absl::StatusOr<std::string> EventToJson(const AuditEvent& event) { return ToJson(event); }

absl::StatusOr<std::string> EntryToJson(uint64_t typed_from, uint64_t index,
                                        absl::string_view entry) {
  return ToJson(DecodeForDisplay(typed_from, index, entry));
}

absl::StatusOr<std::string> EntryBundleToJson(uint64_t typed_from, uint64_t first_index,
                                              absl::string_view bundle) {
  absl::StatusOr<std::vector<std::string>> entries = ParseEntryBundle(bundle);
  if (!entries.ok()) return entries.status();
  DecodedBundle decoded;
  for (size_t i = 0; i < entries->size(); ++i) {
    *decoded.add_entries() = DecodeForDisplay(typed_from, first_index + i, (*entries)[i]);
  }
  return ToJson(decoded);
}

google::protobuf::Timestamp ToProtoTime(absl::Time time) {
  google::protobuf::Timestamp out;
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  absl::Duration remainder;
  out.set_seconds(absl::IDivDuration(since_epoch, absl::Seconds(1), &remainder));
  int64_t nanos = absl::ToInt64Nanoseconds(remainder);
  if (nanos < 0) {  // Timestamp nanos count forward from the second.
    nanos += 1000000000;
    out.set_seconds(out.seconds() - 1);
  }
  out.set_nanos(static_cast<int32_t>(nanos));
  return out;
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

}  // namespace ledger
}  // namespace vellum
