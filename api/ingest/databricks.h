#ifndef VELLUM_API_INGEST_DATABRICKS_H_
#define VELLUM_API_INGEST_DATABRICKS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/ingest/adapter.h"

namespace vellum {
namespace api {
namespace ingest {

inline constexpr absl::string_view kDatabricksAdapter = "databricks";

struct DatabricksConfig {
  // The webhook's shared secrets, one or two, none empty (the lines of the file `databricks` under
  // --ingest-secrets). A delivery is accepted if it is signed with either: two while the sender
  // is switched from the old secret to the new one.
  std::vector<std::string> secrets;
  // The workspace, for observer.source_system ("adb-1234567890.12.azuredatabricks.net").
  std::string source_system;
};

// The Databricks workspace model registry webhook adapter (docs/events.md#databricks). Checks
// `X-Databricks-Signature: <hex HMAC-SHA256(secret, body)>`. The body carries no delivery id and
// the signature no timestamp, so replays are absorbed by deduplication on the event id, which is
// built from the signed body. A delivery signed with any of the secrets is accepted. Fails with
// InvalidArgument if there are not one or two secrets, or one is empty.
absl::StatusOr<std::unique_ptr<Adapter>> NewDatabricksAdapter(DatabricksConfig config);

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_DATABRICKS_H_
