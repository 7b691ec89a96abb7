#ifndef VELLUM_TOOLS_VELLUMD_RUNTIME_H_
#define VELLUM_TOOLS_VELLUMD_RUNTIME_H_

// What vellumd builds from its effective configuration, at start and on every SIGHUP reload
// (docs/operations.md, "Reloading (SIGHUP)"): the TLS context, the ingestion adapters, the denial limits and
// the config.applied event, and the rule of which keys a reload may change.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/config/config.pb.h"
#include "api/tls/context.h"
#include "ledger/events/audit_event.pb.h"
#include "ledger/identity/denial_log.h"
#include "tools/ingest_adapters.h"

namespace vellum {
namespace cli {

// Checks every secret file `config` names that vellumd reads at start and on each reload:
// auth.token_file, each auth.oidc[i].jwks_token_file and tls.key_file, with
// ledger::CheckPrivateFile (docs/operations.md, "File permissions"). The signer key and the
// ingestion secrets are checked where they are read (vellumd's LoadSigner, LoadIngestAdapters).
absl::Status CheckSecretFiles(const api::config::Config& config);

// The TLS server context of `tls` (nullptr without cert_file). InvalidArgument for a client CA
// without a certificate, or files that do not load.
absl::StatusOr<std::shared_ptr<api::tls::ServerContext>> TlsFromConfig(
    const api::config::Tls& tls);

// The ingestion adapters of `config` (ingest.secrets_dir, k8s_cluster, k8s_resources_file).
absl::StatusOr<std::shared_ptr<IngestAdapters>> AdaptersFromConfig(
    const api::config::Config& config);

// The denial log's limits of `audit`, defaults where unset.
ledger::identity::DenialLog::Options DenialOptionsOf(const api::config::Audit& audit);

// The config.applied event of `config`, applied by `applied_by` ("start" or "reload"): its
// canonical text and the digests of every file it names (read now).
absl::StatusOr<ledger::AuditEvent> ConfigAppliedEvent(const api::config::Config& config,
                                                      absl::string_view applied_by);

// The SHA-256 of the configuration's canonical text, in hex.
std::string ConfigSha256Hex(const api::config::Config& config);

// OK if `next` differs from `running` only in what a reload applies: auth, roles, bindings,
// anonymous, separation_of_duties, audit, the contents of the tls files and the ingestion
// secrets. Otherwise FailedPrecondition naming the first key that needs a restart (listen,
// data_dir, signer_key, origin, sequencer, http, witnessing, tls, insecure_plaintext,
// ingest.k8s_cluster, ingest.k8s_resources_file, ingest.secrets_dir).
absl::Status CheckReloadable(const api::config::Config& running,
                             const api::config::Config& next);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_VELLUMD_RUNTIME_H_
