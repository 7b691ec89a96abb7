#ifndef VELLUM_API_INGEST_ADAPTER_H_
#define VELLUM_API_INGEST_ADAPTER_H_

// The interface of the ingestion adapters (docs/events.md): each turns one delivery from a source
// system (an HTTP request to /v1/ingest/<name>) into AuditEvents, checking its authenticity where
// the source signs its deliveries. Factories for the adapters are in the sibling headers
// (mlflow.h, databricks.h, github.h, k8s_audit.h, cloudevents.h, sagemaker.h).

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/http.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace api {
namespace ingest {

// An ingestion adapter. Implementations are immutable after creation, so Parse() is thread-safe.
class Adapter {
 public:
  virtual ~Adapter() = default;

  // The adapter's name: the path segment of /v1/ingest/<name>, observer.adapter and id.source of
  // its events, and the name of its secret's file under `vellumd --ingest-secrets DIR`.
  virtual absl::string_view name() const = 0;

  // True if the source signs its deliveries with a shared secret, which Parse() checks. False
  // for sources that do not (Kubernetes, CloudEvents, SageMaker): the endpoint must then
  // authenticate the caller, with the server's bearer tokens, before calling Parse().
  virtual bool verifies_signature() const = 0;

  // Turns one delivery into events: a pure function of the request's headers (lower-case names,
  // as HttpRequest holds them) and body, the adapter's configuration, and `received`, the time
  // the request arrived. Every returned event passes ValidateEvent (ledger/events/event_codec.h); none
  // holds a secret or an inference payload. Fails, without partial results, with:
  //   Unauthenticated   a missing or malformed signature header, a signature that does not
  //                     match, or a signed timestamp outside the allowed clock skew;
  //   InvalidArgument   a body over the adapter's size limit, malformed, missing a required
  //                     member, or of an unsupported event type.
  // Error messages never contain the secret, the signature or payload contents. An empty result
  // is a delivery with nothing to audit (a GitHub ping, a Kubernetes read, an inference
  // response): answer 200 and append nothing.
  virtual absl::StatusOr<std::vector<ledger::AuditEvent>> Parse(const HttpRequest& request,
                                                                absl::Time received) const = 0;
};

// The event that records a refused ingestion attempt (the "ingest rejected"): action
// ACTION_INGEST_REJECTED, outcome RESULT_DENIED with `error`'s message as the reason (adapter
// errors never hold secrets or payloads), the request's remote address as context.source_ip and
// its user agent, event_time = `received`, and the body's SHA-256. Its source id is derived from
// the adapter, the remote address, `received` and the body digest, so each attempt is its own
// event. Rate limiting these is the caller's job.
ledger::AuditEvent IngestRejectedEvent(absl::string_view adapter, const HttpRequest& request,
                                       const absl::Status& error, absl::Time received);

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_ADAPTER_H_
