#include "ledger/events/event_fields.h"

#include "ledger/events/audit_event.pb.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace ledger {

int64_t TimestampMicros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

absl::string_view IndexedActor(const AuditEvent& event) {
  if (!event.actor().subject().empty()) return event.actor().subject();
  return event.actor().pseudonym();
}

absl::string_view IndexedPrincipal(const AuditEvent& event) {
  if (!event.provenance().principal().empty()) return event.provenance().principal();
  for (const SealedField& item : event.sealed()) {
    if (item.path() == "provenance.principal") return item.pseudonym();
  }
  return "";
}

absl::optional<EventFields> EventFieldsOf(uint64_t typed_from, uint64_t index,
                                          absl::string_view entry) {
  absl::StatusOr<AuditEvent> event = DecodeLogEntry(typed_from, index, entry);
  if (!event.ok()) return absl::nullopt;
  EventFields fields;
  fields.source = event->id().source();
  fields.source_id = event->id().source_id();
  fields.actor = std::string(IndexedActor(*event));
  fields.principal = std::string(IndexedPrincipal(*event));
  fields.model = event->target().model_name();
  fields.version = event->target().model_version();
  fields.action = static_cast<uint32_t>(event->action());
  fields.outcome = static_cast<uint32_t>(event->outcome().result());
  if (event->has_logged_time()) {
    fields.logged_time_micros = TimestampMicros(event->logged_time());
  }
  return fields;
}

}  // namespace ledger
}  // namespace vellum
