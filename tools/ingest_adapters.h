#ifndef VELLUM_TOOLS_INGEST_ADAPTERS_H_
#define VELLUM_TOOLS_INGEST_ADAPTERS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "api/ingest/adapter.h"
#include "api/ingest/github.h"
#include "api/ingest/k8s_audit.h"

namespace vellum {
namespace cli {

// vellumd's ingestion adapters, as configured at start.
struct IngestAdapters {
  std::vector<std::unique_ptr<api::ingest::Adapter>> enabled;
  // Adapters left disabled, with the reason (for their endpoint's 404 and the start-up lines).
  std::map<std::string, std::string> disabled;
  // What vellumd prints at start about each adapter; never a secret.
  std::vector<std::string> startup_lines;
};

// Builds the six adapters (docs/events.md). Those that verify a shared-secret signature (mlflow,
// databricks, github) read their secrets from the file named after them in `secrets_dir`: one
// secret per non-empty line, with surrounding whitespace removed; two lines while a secret is
// rotated (a delivery signed with either is accepted). An adapter without its file (or without
// `secrets_dir`) is disabled. k8s-audit (for cluster `k8s_cluster`, recording the resources
// `k8s_rules` names), cloudevents and sagemaker need no secret and are always enabled. Fails on a
// secret file that exists but is not private (ledger::CheckPrivateFile), cannot be read, is
// empty, holds a secret shorter than 32 bytes or has three or more secrets, naming the file, the
// line and the counts, never its contents.
// The GitHub adapter records `github_reviewers`' principals and groups on their reviews.
absl::StatusOr<IngestAdapters> LoadIngestAdapters(
    const absl::optional<std::string>& secrets_dir, const std::string& k8s_cluster,
    std::vector<api::ingest::K8sResourceRule> k8s_rules,
    std::map<std::string, api::ingest::GithubConfig::Reviewer> github_reviewers = {});

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_INGEST_ADAPTERS_H_
