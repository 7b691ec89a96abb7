#ifndef VELLUM_LEDGER_PRIVACY_EVENT_SEALER_H_
#define VELLUM_LEDGER_PRIVACY_EVENT_SEALER_H_

// Sealing an audit event's personal fields out of its log entry, and opening them again
// (docs/privacy.md, "Sealed fields").
//
// A personal field is either kept in clear, sealed (its value goes to the sealed store under its
// subject's key; the entry keeps an AuditEvent.sealed item with the path, the pseudonym and the
// commitment, and the field itself is emptied), or dropped (never stored anywhere). The fields
// and their paths:
//
//   actor.subject              owned by the actor (actor.pseudonym is set when sealed)
//   actor.groups               one sealed item per group, in order
//   outcome.reason             free text
//   context.source_ip          context.user_agent
//   context.labels.<key>       only the keys the rules name; every other label stays in clear
//   provenance.principal       owned by the principal
//   config_applied.principal   owned by the principal
//   config_applied.principals  one sealed item per principal the configuration names, each
//                              owned by that principal
//   hold.reason                free text (the actor is who placed the hold)
//   retention.reason           free text (the actor is who changed the rules)
//   approval.comment           free text (the actor is who decided)
//   gate.on_behalf_of          owned by that person (the requester a pipeline acts for)
//   gate.override_reason       free text (the actor is who forced the allow)
//
// A value belongs to the event's actor subject; without one, to the provenance principal;
// without either, to the source address itself ("address:<ip>"), so that an address with no
// known person behind it can still be erased on its own.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/privacy/sealed_store.h"

namespace vellum {
namespace ledger {

enum class FieldRule { kClear, kSeal, kDrop };

// Whether `path` names a personal field as listed above (a label's path needs a key).
bool IsPersonalFieldPath(absl::string_view path);

// What happens to each personal field of the events of one adapter (or of POST /v1/events).
struct PrivacyRules {
  // By path, as listed above. A path not named here is kept in clear.
  std::map<std::string, FieldRule> fields;

  // The rules of an installation with no privacy section: the actor's subject and groups, the
  // source address, the user agent, the principals and hold and retention reasons are sealed;
  // everything else is clear.
  static PrivacyRules Default();

  // The rules of the server's own events over `base`: outcome.reason is sealed too, as the
  // reasons the server writes (a denial's) may name the caller.
  static PrivacyRules ForServerEvents(PrivacyRules base);

  FieldRule RuleFor(absl::string_view path) const;
};

// Seals the personal fields of `events` under `rules` into `store` (synced before returning) and
// leaves each event as its log entry holds it; the hook EventLog::Options::seal calls. An event
// that already has sealed items or a pseudonym is refused (InvalidArgument) and nothing changes:
// only the server seals. On any error no event is changed.
absl::Status SealEvents(SealedStore& store, const PrivacyRules& rules,
                        std::vector<AuditEvent>& events, absl::Time now);

// SealEvents for one event, returned as its log entry holds it.
absl::StatusOr<AuditEvent> SealEvent(SealedStore& store, const PrivacyRules& rules,
                                     AuditEvent event, absl::Time now);

// An event as a reader with events.unseal sees it: the fields put back, each opened value with
// its salt (so the reader can check it against the commitment in the signed entry), and the
// sealed items whose values are gone (erased or purged).
struct UnsealedEvent {
  AuditEvent event;
  std::vector<OpenedValue> opened;
  std::vector<SealedField> gone;
};

// The paths of `gone`, in order.
std::vector<std::string> GonePaths(const UnsealedEvent& unsealed);

// Opens every sealed item of `event` that the store still holds; a principal of
// config_applied.principals that is gone keeps its place as an empty string. DataLoss when a
// value is there but does not match its commitment.
absl::StatusOr<UnsealedEvent> UnsealEvent(const SealedStore& store, const AuditEvent& event);

// Checks an opened value against the sealed item of the signed entry: InvalidArgument unless
// SHA-256(salt || path || 0x00 || value) is the item's commitment and the paths agree.
absl::Status VerifyOpenedValue(const SealedField& sealed, const OpenedValue& opened);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_EVENT_SEALER_H_
