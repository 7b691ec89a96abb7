#include "ledger/identity/server_events.h"

#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace identity {

AuditEvent ConfigAppliedEvent(absl::string_view canonical_text,
                              const std::vector<std::string>& principals,
                              const std::map<std::string, std::string>& file_digests,
                              absl::string_view applied_by, absl::string_view principal,
                              absl::Time now) {
  AuditEvent event = NewServerEvent(ACTION_CONFIG_APPLIED, now);
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  ConfigApplied* applied = event.mutable_config_applied();
  const crypto::Sha256Digest digest = crypto::Sha256({canonical_text});
  applied->set_sha256(std::string(reinterpret_cast<const char*>(digest.data()), digest.size()));
  applied->set_canonical_text(std::string(canonical_text));
  for (const std::string& name : principals) applied->add_principals(name);
  for (const auto& [path, file_digest] : file_digests) (*applied->mutable_files())[path] = file_digest;
  applied->set_applied_by(std::string(applied_by));
  applied->set_principal(std::string(principal));
  if (!principal.empty()) event.mutable_actor()->set_subject(std::string(principal));
  return event;
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
