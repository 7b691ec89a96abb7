#ifndef VELLUM_API_WITNESS_SERVICE_H_
#define VELLUM_API_WITNESS_SERVICE_H_

// The HTTP endpoints of a witness (c2sp.org/tlog-witness, docs/witness.md):
//
//   POST /add-checkpoint                       cosign a checkpoint consistent with the last one
//   GET  /v1/witness/checkpoint?origin=ORIGIN  the latest checkpoint cosigned for a log
//   GET  /evidence                             the evidence records kept, as JSON
//   GET  /evidence/<n>                         record n (ledger/witness/witness_evidence.h)
//   GET  /metrics                              Prometheus text format
//   GET  /healthz
//
// The decisions are ledger::Witness's; this maps its refusals to the spec's status codes.
// Thread-safe, as ledger::Witness is.

#include <cstdint>
#include <map>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "api/http.h"
#include "ledger/witness/witness.h"

namespace vellum {
namespace api {

class WitnessService {
 public:
  // Serves `witness`, whose store must outlive the service.
  explicit WitnessService(std::unique_ptr<ledger::Witness> witness);

  // Answers one request. Thread-safe.
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse AddCheckpoint(const HttpRequest& request);
  HttpResponse GetCheckpoint(absl::string_view query) const;
  HttpResponse ListEvidence() const;
  HttpResponse GetEvidence(absl::string_view index) const;
  HttpResponse GetMetrics() const;

  const std::unique_ptr<ledger::Witness> witness_;
  mutable absl::Mutex mu_;
  // Answers to POST /add-checkpoint, by HTTP status.
  std::map<int, uint64_t> answers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_WITNESS_SERVICE_H_
