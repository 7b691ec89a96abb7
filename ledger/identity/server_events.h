#ifndef VELLUM_LEDGER_IDENTITY_SERVER_EVENTS_H_
#define VELLUM_LEDGER_IDENTITY_SERVER_EVENTS_H_

// The configurations that took effect, as events the server writes about itself
// (docs/security.md); ledger/events/server_event.h builds the others.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/events/server_event.h"

namespace vellum {
namespace ledger {
namespace identity {

// How a configuration took effect (ConfigApplied.applied_by).
inline constexpr char kAppliedAtStart[] = "start";
inline constexpr char kAppliedByReload[] = "reload";
inline constexpr char kAppliedByApi[] = "api";

// The ACTION_CONFIG_APPLIED event of a configuration: its canonical text (which holds no
// secret, and names principals by their position in `principals`), its SHA-256, the principals,
// the SHA-256 of each file it names, how it was applied and, for kAppliedByApi, by whom.
AuditEvent ConfigAppliedEvent(absl::string_view canonical_text,
                              const std::vector<std::string>& principals,
                              const std::map<std::string, std::string>& file_digests,
                              absl::string_view applied_by, absl::string_view principal,
                              absl::Time now);

}  // namespace identity
}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_IDENTITY_SERVER_EVENTS_H_
