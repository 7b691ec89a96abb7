#include "ledger/events/event_fields.h"

#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace ledger {

int64_t TimestampMicros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

namespace {

// `sealed`'s pseudonym where the entry seals the identity, else `clear` mapped by
// `pseudonym_of` (or as it is without one).
absl::StatusOr<std::string> IndexedIdentity(absl::string_view clear, absl::string_view sealed,
                                            const PseudonymFn& pseudonym_of) {
  if (!sealed.empty() || clear.empty()) return std::string(sealed);
  if (!pseudonym_of) return std::string(clear);
  return pseudonym_of(clear);
}

}  // namespace

absl::StatusOr<EventFields> FieldsOfEvent(const AuditEvent& event,
                                          const PseudonymFn& pseudonym_of) {
  EventFields fields;
  fields.source = event.id().source();
  fields.source_id = event.id().source_id();
  absl::StatusOr<std::string> actor =
      IndexedIdentity(event.actor().subject(), event.actor().pseudonym(), pseudonym_of);
  if (!actor.ok()) return actor.status();
  fields.actor = *std::move(actor);
  absl::string_view sealed_principal;
  for (const SealedField& item : event.sealed()) {
    if (item.path() == "provenance.principal") sealed_principal = item.pseudonym();
  }
  absl::StatusOr<std::string> principal =
      IndexedIdentity(event.provenance().principal(), sealed_principal, pseudonym_of);
  if (!principal.ok()) return principal.status();
  fields.principal = *std::move(principal);
  fields.model = event.target().model_name();
  fields.version = event.target().model_version();
  fields.action = static_cast<uint32_t>(event.action());
  fields.outcome = static_cast<uint32_t>(event.outcome().result());
  if (event.has_logged_time()) fields.logged_time_micros = TimestampMicros(event.logged_time());
  return fields;
}

EventFieldsFn EventFieldsOn(PseudonymFn pseudonym_of) {
  return [pseudonym_of = std::move(pseudonym_of)](
             uint64_t typed_from, uint64_t index,
             absl::string_view entry) -> absl::StatusOr<absl::optional<EventFields>> {
    absl::StatusOr<AuditEvent> event = DecodeLogEntry(typed_from, index, entry);
    if (!event.ok()) return absl::optional<EventFields>();
    absl::StatusOr<EventFields> fields = FieldsOfEvent(*event, pseudonym_of);
    if (!fields.ok()) return fields.status();
    return absl::optional<EventFields>(*std::move(fields));
  };
}

}  // namespace ledger
}  // namespace vellum
