#include "ledger/privacy/event_sealer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/privacy/commitment.h"

namespace vellum {
namespace ledger {
namespace {

constexpr char kLabelPrefix[] = "context.labels.";

// The personal values of an event in the order they are sealed, each with its path.
std::vector<std::pair<std::string, std::string>> PersonalValues(const AuditEvent& event,
                                                                const PrivacyRules& rules) {
  std::vector<std::pair<std::string, std::string>> values;
  auto add = [&](absl::string_view path, const std::string& value) {
    if (!value.empty()) values.emplace_back(std::string(path), value);
  };
  add("actor.subject", event.actor().subject());
  for (const std::string& group : event.actor().groups()) add("actor.groups", group);
  add("outcome.reason", event.outcome().reason());
  add("context.source_ip", event.context().source_ip());
  add("context.user_agent", event.context().user_agent());
  // Labels in key order (a protobuf map has none of its own), only those the rules name.
  std::map<std::string, std::string> labels(event.context().labels().begin(),
                                            event.context().labels().end());
  for (const auto& [key, value] : labels) {
    std::string path = absl::StrCat(kLabelPrefix, key);
    if (rules.fields.count(path) != 0) add(path, value);
  }
  add("provenance.principal", event.provenance().principal());
  add("config_applied.principal", event.config_applied().principal());
  for (const std::string& name : event.config_applied().principals()) {
    add("config_applied.principals", name);
  }
  add("hold.reason", event.hold().reason());
  add("retention.reason", event.retention().reason());
  add("approval.comment", event.approval().comment());
  add("gate.on_behalf_of", event.gate().on_behalf_of());
  add("gate.override_reason", event.gate().override_reason());
  return values;
}

// Empties the field at `path`, never adding a submessage the event does not have (which would
// change its entry's bytes for nothing).
void ClearField(AuditEvent& event, absl::string_view path) {
  if (path == "actor.subject" && event.has_actor()) {
    event.mutable_actor()->clear_subject();
  } else if (path == "actor.groups" && event.has_actor()) {
    event.mutable_actor()->clear_groups();
  } else if (path == "outcome.reason" && event.has_outcome()) {
    event.mutable_outcome()->clear_reason();
  } else if (path == "context.source_ip" && event.has_context()) {
    event.mutable_context()->clear_source_ip();
  } else if (path == "context.user_agent" && event.has_context()) {
    event.mutable_context()->clear_user_agent();
  } else if (absl::StartsWith(path, kLabelPrefix) && event.has_context()) {
    event.mutable_context()->mutable_labels()->erase(
        std::string(path.substr(sizeof(kLabelPrefix) - 1)));
  } else if (path == "provenance.principal" && event.has_provenance()) {
    event.mutable_provenance()->clear_principal();
  } else if (path == "config_applied.principal" && event.has_config_applied()) {
    event.mutable_config_applied()->clear_principal();
  } else if (path == "config_applied.principals" && event.has_config_applied()) {
    event.mutable_config_applied()->clear_principals();
  } else if (path == "hold.reason" && event.has_hold()) {
    event.mutable_hold()->clear_reason();
  } else if (path == "retention.reason" && event.has_retention()) {
    event.mutable_retention()->clear_reason();
  } else if (path == "approval.comment" && event.has_approval()) {
    event.mutable_approval()->clear_comment();
  } else if (path == "gate.on_behalf_of" && event.has_gate()) {
    event.mutable_gate()->clear_on_behalf_of();
  } else if (path == "gate.override_reason" && event.has_gate()) {
    event.mutable_gate()->clear_override_reason();
  }
}

void RestoreField(AuditEvent& event, absl::string_view path, const std::string& value) {
  if (path == "actor.subject") {
    event.mutable_actor()->set_subject(value);
  } else if (path == "actor.groups") {
    event.mutable_actor()->add_groups(value);
  } else if (path == "outcome.reason") {
    event.mutable_outcome()->set_reason(value);
  } else if (path == "context.source_ip") {
    event.mutable_context()->set_source_ip(value);
  } else if (path == "context.user_agent") {
    event.mutable_context()->set_user_agent(value);
  } else if (absl::StartsWith(path, kLabelPrefix)) {
    (*event.mutable_context()->mutable_labels())[std::string(
        path.substr(sizeof(kLabelPrefix) - 1))] = value;
  } else if (path == "provenance.principal") {
    event.mutable_provenance()->set_principal(value);
  } else if (path == "config_applied.principal") {
    event.mutable_config_applied()->set_principal(value);
  } else if (path == "config_applied.principals") {
    event.mutable_config_applied()->add_principals(value);
  } else if (path == "hold.reason") {
    event.mutable_hold()->set_reason(value);
  } else if (path == "retention.reason") {
    event.mutable_retention()->set_reason(value);
  } else if (path == "approval.comment") {
    event.mutable_approval()->set_comment(value);
  } else if (path == "gate.on_behalf_of") {
    event.mutable_gate()->set_on_behalf_of(value);
  } else if (path == "gate.override_reason") {
    event.mutable_gate()->set_override_reason(value);
  }
}

// Whose key seals the event's `value` at `path` (header comment).
std::string OwnerOf(const AuditEvent& event, absl::string_view path, const std::string& value) {
  if (path == "provenance.principal" || path == "config_applied.principal" ||
      path == "config_applied.principals" || path == "gate.on_behalf_of") {
    return value;
  }
  if (!event.actor().subject().empty()) return event.actor().subject();
  if (!event.provenance().principal().empty()) return event.provenance().principal();
  return absl::StrCat("address:", event.context().source_ip());
}

}  // namespace

bool IsPersonalFieldPath(absl::string_view path) {
  if (absl::StartsWith(path, kLabelPrefix)) return path.size() > sizeof(kLabelPrefix) - 1;
  for (const char* known : {"actor.subject", "actor.groups", "outcome.reason",
                            "context.source_ip", "context.user_agent", "provenance.principal",
                            "config_applied.principal", "config_applied.principals", "hold.reason",
                            "retention.reason", "approval.comment", "gate.on_behalf_of",
                            "gate.override_reason"}) {
    if (path == known) return true;
  }
  return false;
}

PrivacyRules PrivacyRules::Default() {
  PrivacyRules rules;
  for (const char* path : {"actor.subject", "actor.groups", "context.source_ip",
                           "context.user_agent", "provenance.principal",
                           "config_applied.principal", "config_applied.principals",
                           "hold.reason", "retention.reason", "approval.comment",
                           "gate.on_behalf_of", "gate.override_reason"}) {
    rules.fields[path] = FieldRule::kSeal;
  }
  return rules;
}

PrivacyRules PrivacyRules::ForServerEvents(PrivacyRules base) {
  base.fields["outcome.reason"] = FieldRule::kSeal;
  return base;
}

FieldRule PrivacyRules::RuleFor(absl::string_view path) const {
  auto it = fields.find(std::string(path));
  return it == fields.end() ? FieldRule::kClear : it->second;
}

absl::Status SealEvents(SealedStore& store, const PrivacyRules& rules,
                        std::vector<AuditEvent>& events, absl::Time now) {
  std::vector<SealRequest> requests;
  std::vector<size_t> counts;
  for (const AuditEvent& event : events) {
    if (event.sealed_size() != 0) {
      return absl::InvalidArgumentError(absl::StrCat("sealed: got ", event.sealed_size(),
                                                     " items, want none: only the server seals "
                                                     "fields"));
    }
    if (!event.actor().pseudonym().empty()) {
      return absl::InvalidArgumentError(
          "actor.pseudonym: set by the server when it seals the subject: leave it unset");
    }
    size_t count = 0;
    for (auto& [path, value] : PersonalValues(event, rules)) {
      if (rules.RuleFor(path) != FieldRule::kSeal) continue;
      requests.push_back(SealRequest{path, OwnerOf(event, path, value), std::move(value)});
      ++count;
    }
    counts.push_back(count);
  }
  // Every value is sealed, synced, before any event changes; a failure past the first chunk
  // leaves values no entry refers to, never an entry without its values.
  std::vector<SealedRef> refs;
  for (size_t first = 0; first < requests.size(); first += SealedStore::kMaxValuesPerSeal) {
    const size_t n = std::min(SealedStore::kMaxValuesPerSeal, requests.size() - first);
    auto sealed = store.Seal(absl::MakeConstSpan(requests).subspan(first, n), now);
    if (!sealed.ok()) return sealed.status();
    for (SealedRef& ref : *sealed) refs.push_back(std::move(ref));
  }
  size_t next = 0;
  for (size_t e = 0; e < events.size(); ++e) {
    AuditEvent& event = events[e];
    // Clear after every owner is known: the owner of a value may be a field that is itself
    // sealed.
    for (const auto& [path, rule] : rules.fields) {
      if (rule != FieldRule::kClear) ClearField(event, path);
    }
    for (size_t k = 0; k < counts[e]; ++k, ++next) {
      const SealedRef& ref = refs[next];
      SealedField* item = event.add_sealed();
      item->set_path(ref.path);
      item->set_pseudonym(ref.pseudonym);
      item->set_commitment(std::string(DigestBytes(ref.commitment)));
      if (ref.path == "actor.subject") event.mutable_actor()->set_pseudonym(ref.pseudonym);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AuditEvent> SealEvent(SealedStore& store, const PrivacyRules& rules,
                                     AuditEvent event, absl::Time now) {
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  absl::Status sealed = SealEvents(store, rules, events, now);
  if (!sealed.ok()) return sealed;
  return std::move(events[0]);
}

absl::StatusOr<UnsealedEvent> UnsealEvent(const SealedStore& store, const AuditEvent& event) {
  UnsealedEvent out;
  out.event = event;
  for (const SealedField& item : event.sealed()) {
    absl::optional<crypto::Sha256Digest> commitment = CommitmentFromBytes(item.commitment());
    if (!commitment.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("sealed ", item.path(), ": commitment of ",
                                                     item.commitment().size(),
                                                     " bytes, want 32"));
    }
    auto opened = store.OpenValue(*commitment);
    if (absl::IsNotFound(opened.status())) {
      out.gone.push_back(item);
      // A principal's place is what the configuration's text names it by: it stays, empty.
      if (item.path() == "config_applied.principals") RestoreField(out.event, item.path(), "");
      continue;
    }
    if (!opened.ok()) return opened.status();
    absl::Status verified = VerifyOpenedValue(item, *opened);
    if (!verified.ok()) return absl::DataLossError(verified.message());
    RestoreField(out.event, item.path(), opened->value);
    out.opened.push_back(*std::move(opened));
  }
  return out;
}

std::vector<std::string> GonePaths(const UnsealedEvent& unsealed) {
  std::vector<std::string> paths;
  for (const SealedField& item : unsealed.gone) paths.push_back(item.path());
  return paths;
}

absl::Status VerifyOpenedValue(const SealedField& sealed, const OpenedValue& opened) {
  if (sealed.path() != opened.path) {
    return absl::InvalidArgumentError(absl::StrCat("opened value: path ", opened.path,
                                                   ", want ", sealed.path()));
  }
  const crypto::Sha256Digest want = FieldCommitment(opened.salt, opened.path, opened.value);
  if (DigestBytes(want) != sealed.commitment()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "opened value of ", sealed.path(), " does not match the commitment in the entry"));
  }
  return absl::OkStatus();
}

}  // namespace ledger
}  // namespace vellum
