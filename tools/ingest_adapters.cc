#include "tools/ingest_adapters.h"

#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "api/ingest/cloudevents.h"
#include "api/ingest/databricks.h"
#include "api/ingest/github.h"
#include "api/ingest/k8s_audit.h"
#include "api/ingest/mlflow.h"
#include "api/ingest/sagemaker.h"
#include "ledger/file_io.h"

namespace vellum {
namespace cli {
namespace {

constexpr size_t kMaxSecretBytes = 4096;
// 256 bits, as HMAC-SHA256 wants (RFC 2104: a key shorter than the hash's output weakens it).
constexpr size_t kMinSecretBytes = 32;

std::string SecretPath(absl::string_view secrets_dir, absl::string_view name) {
  return absl::StrCat(secrets_dir, "/", name);
}

// The secrets in DIR/<name>, one per non-empty line, or nullopt with the reason the adapter
// stays disabled. How many the adapter may hold is the adapter's rule, not checked here.
absl::StatusOr<absl::optional<std::vector<std::string>>> ReadSecrets(
    const absl::optional<std::string>& secrets_dir, absl::string_view name,
    IngestAdapters* adapters) {
  if (!secrets_dir.has_value()) {
    adapters->disabled.emplace(name, "vellumd runs without --ingest-secrets");
    return absl::optional<std::vector<std::string>>();
  }
  const std::string path = SecretPath(*secrets_dir, name);
  struct stat st;
  if (stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    adapters->disabled.emplace(name, absl::StrCat("no secret file ", path));
    return absl::optional<std::vector<std::string>>();
  }
  if (absl::Status s = ledger::CheckPrivateFile("ingest secret", path); !s.ok()) return s;
  absl::StatusOr<std::string> contents = ledger::ReadInput(path, kMaxSecretBytes);
  if (!contents.ok()) {
    return absl::Status(contents.status().code(), absl::StrCat("ingest secret ", path, ": ",
                                                               contents.status().message()));
  }
  std::vector<std::string> secrets;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*contents, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    if (line.size() < kMinSecretBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("ingest secret ", path, " line ", line_number, ": got ",
                       line.size(), " bytes, want at least ", kMinSecretBytes,
                       " (256 bits; vellum keygen --token makes one)"));
    }
    secrets.emplace_back(line);
  }
  if (secrets.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("ingest secret ", path, " is empty"));
  }
  return absl::optional<std::vector<std::string>>(std::move(secrets));
}

}  // namespace

absl::StatusOr<IngestAdapters> LoadIngestAdapters(
    const absl::optional<std::string>& secrets_dir, const std::string& k8s_cluster,
    std::vector<api::ingest::K8sResourceRule> k8s_rules,
    std::map<std::string, api::ingest::GithubConfig::Reviewer> github_reviewers) {
  IngestAdapters adapters;
  auto enable = [&](absl::StatusOr<std::unique_ptr<api::ingest::Adapter>> adapter,
                    absl::string_view how) -> absl::Status {
    if (!adapter.ok()) return adapter.status();
    adapters.startup_lines.push_back(
        absl::StrCat("ingest: /v1/ingest/", (*adapter)->name(), " enabled (", how, ")"));
    adapters.enabled.push_back(*std::move(adapter));
    return absl::OkStatus();
  };
  for (absl::string_view name :
       {api::ingest::kMlflowAdapter, api::ingest::kDatabricksAdapter, api::ingest::kGithubAdapter}) {
    absl::StatusOr<absl::optional<std::vector<std::string>>> secrets =
        ReadSecrets(secrets_dir, name, &adapters);
    if (!secrets.ok()) return secrets.status();
    if (!secrets->has_value()) {
      adapters.startup_lines.push_back(absl::StrCat("ingest: /v1/ingest/", name, " disabled: ",
                                                    adapters.disabled.at(std::string(name))));
      continue;
    }
    const std::string how = (*secrets)->size() == 1
                                ? "signature checked with its secret"
                                : absl::StrCat("signature checked with any of its ",
                                               (*secrets)->size(), " secrets");
    absl::StatusOr<std::unique_ptr<api::ingest::Adapter>> adapter;
    if (name == api::ingest::kMlflowAdapter) {
      api::ingest::MlflowConfig config;
      config.secrets = **std::move(secrets);
      adapter = api::ingest::NewMlflowAdapter(std::move(config));
    } else if (name == api::ingest::kDatabricksAdapter) {
      api::ingest::DatabricksConfig config;
      config.secrets = **std::move(secrets);
      adapter = api::ingest::NewDatabricksAdapter(std::move(config));
    } else {
      api::ingest::GithubConfig config;
      config.secrets = **std::move(secrets);
      config.reviewers = github_reviewers;
      adapter = api::ingest::NewGithubAdapter(std::move(config));
    }
    if (!adapter.ok()) {
      // The adapter says how many secrets it takes; the error names the file, not its contents.
      return absl::Status(adapter.status().code(),
                          absl::StrCat("ingest secret ", SecretPath(*secrets_dir, name), ": ",
                                       adapter.status().message()));
    }
    if (absl::Status s = enable(std::move(adapter), how); !s.ok()) return s;
  }
  api::ingest::K8sAuditConfig k8s;
  k8s.cluster = k8s_cluster;
  const size_t rules = k8s_rules.size();
  k8s.rules = std::move(k8s_rules);
  if (absl::Status s = enable(api::ingest::NewK8sAuditAdapter(std::move(k8s)),
                              absl::StrCat("bearer token; cluster ", k8s_cluster, "; ", rules,
                                           " resource rules"));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = enable(api::ingest::NewCloudEventsAdapter(), "bearer token"); !s.ok()) {
    return s;
  }
  if (absl::Status s = enable(api::ingest::NewSageMakerAdapter(), "bearer token"); !s.ok()) {
    return s;
  }
  return adapters;
}

}  // namespace cli
}  // namespace vellum
