#ifndef VELLUM_API_INGEST_MLFLOW_H_
#define VELLUM_API_INGEST_MLFLOW_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/ingest/adapter.h"

namespace vellum {
namespace api {
namespace ingest {

inline constexpr absl::string_view kMlflowAdapter = "mlflow";

struct MlflowConfig {
  // The webhook's shared secrets, one or two, none empty (the lines of the file `mlflow` under
  // --ingest-secrets). A delivery is accepted if it is signed with either: two while the sender
  // is switched from the old secret to the new one.
  std::vector<std::string> secrets;
  // The registry instance, for observer.source_system ("mlflow.example.com").
  std::string source_system;
  // How far X-MLflow-Timestamp may be from the receive time, either way: a captured delivery
  // cannot be replayed after this.
  absl::Duration max_clock_skew = absl::Minutes(5);
};

// The MLflow model registry webhook adapter (docs/events.md#mlflow). Checks
// `X-MLflow-Signature: v1,<base64 HMAC-SHA256(secret, "{delivery_id}.{timestamp}.{body}")>` with
// the X-MLflow-Delivery-Id and X-MLflow-Timestamp headers, and the timestamp against the skew.
// A delivery signed with any of the secrets is accepted. Fails with InvalidArgument if there are
// not one or two secrets, one is empty, or the skew is negative.
absl::StatusOr<std::unique_ptr<Adapter>> NewMlflowAdapter(MlflowConfig config);

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_MLFLOW_H_
