#ifndef VELLUM_API_GATE_GATE_SERVICE_H_
#define VELLUM_API_GATE_GATE_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/gate/admission.h"
#include "api/http.h"
#include "api/http_server.h"
#include "ledger/identity/policy.h"
#include "ledger/policy/gate.h"
#include "ledger/receipt_prover.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "ledger/tile_cache.h"
#include "ledger/work_queue.h"

namespace vellum {
namespace api {

// The gate's endpoints (docs/api.md, "Gate"; docs/gate.md) on top of ledger::policy::Gate:
// PUT and GET /v1/policy, POST and GET /v1/approvals, POST /v1/approvals/<id>/decisions,
// POST /v1/gate/check and POST /v1/admission (a Kubernetes validating admission webhook). Every other request goes to `next`. The Authorizer in front has checked
// the endpoint's permission; the permissions that depend on the body (approvals.decide for the
// request's model and environment, gate.check for the model checked, gate.override for an
// override) are decided here through Options::check_scope. Each answer that records something
// carries the event's receipt. Requests run on a pool of their own, in a bounded queue: past
// max_queued, 503. Thread-safe.
class GateService {
 public:
  struct Options {
    // Authorizer::CheckScope: OK, or the error once the denial is on record.
    std::function<absl::Status(const HttpRequest&, absl::string_view permission,
                               const ledger::identity::Scope&)>
        check_scope;
    // Expanded tiles shared with the log's other readers, for receipts; may be nullptr.
    ledger::TileCache* tile_cache = nullptr;
    // POST /v1/admission (admission.h); without gated namespaces it answers 404, so that a
    // webhook registered against a server that gates nothing fails (failurePolicy: Fail).
    AdmissionConfig admission;
    // Many, because a check waits on the disk (its decision's sealed values are synced on the
    // thread that appends it), not on the CPU.
    int threads = 32;
    size_t max_queued = 1024;
  };

  // `gate`, `sequencer` and `log` must outlive the service.
  GateService(ledger::policy::Gate* gate, ledger::Sequencer* sequencer,
              const ledger::LogReader* log, HttpServer::Handler next, Options options);

  GateService(const GateService&) = delete;
  GateService& operator=(const GateService&) = delete;

  void Handle(HttpRequest request, HttpServer::Respond respond);

  // Finishes the requests queued and stops the threads; call once the HTTP server has stopped
  // and before the event log goes.
  void Drain() { queue_.Stop(); }

 private:
  void Serve(const HttpRequest& request, const HttpServer::Respond& respond);
  void PutPolicy(const HttpRequest& request, const HttpServer::Respond& respond);
  HttpResponse GetPolicy(const HttpRequest& request) const;
  void PostApproval(const HttpRequest& request, const HttpServer::Respond& respond);
  void PostDecision(const HttpRequest& request, absl::string_view id,
                    const HttpServer::Respond& respond);
  HttpResponse ListApprovals(const HttpRequest& request) const;
  void PostCheck(const HttpRequest& request, const HttpServer::Respond& respond);
  void PostAdmission(const HttpRequest& request, const HttpServer::Respond& respond);
  // Proves entry `index` against the latest checkpoint and calls `done` with the receipt
  // (c2sp.org/tlog-proof) and the checkpoint's size.
  struct Proved {
    std::string receipt;
    uint64_t tree_size = 0;
  };
  void Prove(uint64_t index, std::function<void(absl::StatusOr<Proved>)> done);

  ledger::policy::Gate* const gate_;
  ledger::Sequencer* const sequencer_;
  const HttpServer::Handler next_;
  const Options options_;
  ledger::ReceiptProver receipts_;
  // Last, so that it is destroyed first.
  ledger::WorkQueue queue_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_GATE_GATE_SERVICE_H_
