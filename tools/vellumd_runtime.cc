#include "tools/vellumd_runtime.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/types/optional.h"
#include "api/config/config_loader.h"
#include "api/ingest/github.h"
#include "api/ingest/k8s_audit.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/file_io.h"
#include "ledger/identity/server_events.h"

namespace vellum {
namespace cli {
namespace {

constexpr size_t kMaxK8sResourcesBytes = 64 * 1024;

std::string Bytes(const crypto::Sha256Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

absl::Status CheckSecretFiles(const api::config::Config& config) {
  std::vector<std::pair<std::string, std::string>> files;  // What, path.
  if (!config.auth().token_file().empty()) {
    files.emplace_back("auth.token_file", config.auth().token_file());
  }
  for (int i = 0; i < config.auth().oidc_size(); ++i) {
    if (const std::string& path = config.auth().oidc(i).jwks_token_file(); !path.empty()) {
      files.emplace_back(absl::StrCat("auth.oidc[", i, "].jwks_token_file"), path);
    }
  }
  if (!config.tls().key_file().empty()) files.emplace_back("tls.key_file", config.tls().key_file());
  for (const auto& [what, path] : files) {
    if (absl::Status s = ledger::CheckPrivateFile(what, path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<api::tls::ServerContext>> TlsFromConfig(
    const api::config::Tls& tls) {
  if (tls.cert_file().empty()) {
    if (!tls.client_ca_file().empty()) {
      return absl::InvalidArgumentError(
          "tls.client_ca_file needs tls.cert_file and tls.key_file: client certificates are "
          "only asked for over TLS");
    }
    return std::shared_ptr<api::tls::ServerContext>();
  }
  api::tls::ServerOptions options;
  options.cert_chain_file = tls.cert_file();
  options.key_file = tls.key_file();
  options.client_ca_file = tls.client_ca_file();
  options.require_client_cert = tls.require_client_cert();
  absl::StatusOr<std::unique_ptr<api::tls::ServerContext>> context =
      api::tls::ServerContext::Create(options);
  if (!context.ok()) {
    return absl::Status(context.status().code(),
                        absl::StrCat("tls: ", context.status().message()));
  }
  return std::shared_ptr<api::tls::ServerContext>(*std::move(context));
}

absl::StatusOr<std::shared_ptr<IngestAdapters>> AdaptersFromConfig(
    const api::config::Config& config) {
  std::vector<api::ingest::K8sResourceRule> k8s_rules = api::ingest::DefaultK8sResourceRules();
  if (const std::string& path = config.ingest().k8s_resources_file(); !path.empty()) {
    absl::StatusOr<std::string> text = ledger::ReadInput(path, kMaxK8sResourcesBytes);
    if (!text.ok()) return text.status();
    auto rules = api::ingest::ParseK8sResourceRules(*text);
    if (!rules.ok()) return rules.status();
    k8s_rules = *std::move(rules);
  }
  absl::optional<std::string> secrets_dir;
  if (!config.ingest().secrets_dir().empty()) secrets_dir = config.ingest().secrets_dir();
  std::map<std::string, api::ingest::GithubConfig::Reviewer> reviewers;
  for (const auto& [login, reviewer] : config.ingest().github_reviewers()) {
    reviewers[login] = {reviewer.principal(),
                        std::vector<std::string>(reviewer.groups().begin(),
                                                 reviewer.groups().end())};
  }
  absl::StatusOr<IngestAdapters> adapters = LoadIngestAdapters(
      secrets_dir,
      config.ingest().k8s_cluster().empty() ? "kubernetes" : config.ingest().k8s_cluster(),
      std::move(k8s_rules), std::move(reviewers));
  if (!adapters.ok()) return adapters.status();
  return std::make_shared<IngestAdapters>(*std::move(adapters));
}

ledger::identity::DenialLog::Options DenialOptionsOf(const api::config::Audit& audit) {
  ledger::identity::DenialLog::Options options;
  if (audit.has_denied_burst()) options.burst = audit.denied_burst();
  if (audit.has_denied_per_second()) options.per_second = audit.denied_per_second();
  if (audit.has_summary_interval_seconds()) {
    options.summary_interval = absl::Seconds(audit.summary_interval_seconds());
  }
  return options;
}

absl::StatusOr<ledger::AuditEvent> ConfigAppliedEvent(const api::config::Config& config,
                                                      absl::string_view applied_by) {
  absl::StatusOr<std::map<std::string, crypto::Sha256Digest>> files =
      api::config::DigestNamedFiles(config);
  if (!files.ok()) return files.status();
  std::map<std::string, std::string> digests;
  for (const auto& [path, digest] : *files) digests[path] = Bytes(digest);
  const api::config::RecordedConfig recorded = api::config::RecordedConfigOf(config);
  return ledger::identity::ConfigAppliedEvent(recorded.canonical_text, recorded.principals,
                                              digests, applied_by, "", absl::Now());
}

std::string ConfigSha256Hex(const api::config::Config& config) {
  return absl::BytesToHexString(Bytes(api::config::CanonicalSha256(config)));
}

absl::Status CheckReloadable(const api::config::Config& running,
                             const api::config::Config& next) {
  // The reloadable parts are cleared from copies; what remains must be equal.
  auto fixed = [](api::config::Config config) {
    config.clear_auth();
    config.clear_roles();
    config.clear_bindings();
    config.clear_anonymous();
    config.clear_separation_of_duties();
    // The deployment policy file is read again by every reload, wherever it now is.
    config.clear_policy_file();
    // Retention rules are applied by a reload when they only lengthen retention.
    config.mutable_privacy()->clear_retention();
    if (config.privacy().ByteSizeLong() == 0) config.clear_privacy();
    return config;
  };
  const api::config::Config a = fixed(running), b = fixed(next);
  const google::protobuf::Descriptor* descriptor = a.GetDescriptor();
  const google::protobuf::Reflection* reflection = a.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    // The two configurations with every field but this one cleared.
    api::config::Config only_a = a, only_b = b;
    for (int j = 0; j < descriptor->field_count(); ++j) {
      if (j == i) continue;
      reflection->ClearField(&only_a, descriptor->field(j));
      reflection->ClearField(&only_b, descriptor->field(j));
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(only_a, only_b)) {
      return absl::FailedPreconditionError(absl::StrCat(
          descriptor->field(i)->name(), " changed: restart vellumd to apply it"));
    }
  }
  return absl::OkStatus();
}

}  // namespace cli
}  // namespace vellum
