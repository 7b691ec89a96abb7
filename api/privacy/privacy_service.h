#ifndef VELLUM_API_PRIVACY_PRIVACY_SERVICE_H_
#define VELLUM_API_PRIVACY_PRIVACY_SERVICE_H_

#include <cstddef>
#include <memory>

#include "api/http.h"
#include "api/http_server.h"
#include "ledger/privacy/custodian.h"
#include "ledger/work_queue.h"

namespace vellum {
namespace api {

// The privacy endpoints (docs/api.md, "Privacy"): POST /v1/erasure, POST /v1/holds,
// GET /v1/holds, DELETE /v1/holds/<id>, GET and POST /v1/retention and POST /v1/prune, on top of
// ledger::Custodian. Every other request goes
// to `next`. The Authorizer in front has checked the permission (erasure, holds.admin,
// retention.admin); this
// class owns the wire: routing, bodies and answers. The operations run one at a time on a
// thread of their own (an erasure rewrites the sealed store), in a bounded queue: past
// max_queued, 503. Thread-safe.
class PrivacyService {
 public:
  struct Options {
    size_t max_queued = 64;
  };

  // `custodian` must outlive the service.
  PrivacyService(ledger::Custodian* custodian, HttpServer::Handler next, Options options);

  PrivacyService(const PrivacyService&) = delete;
  PrivacyService& operator=(const PrivacyService&) = delete;

  void Handle(HttpRequest request, HttpServer::Respond respond);

  // Finishes the operations queued and stops the thread; call once the HTTP server has stopped
  // and before the event log goes.
  void Drain() { queue_.Stop(); }

 private:
  void Serve(const HttpRequest& request, const HttpServer::Respond& respond);
  HttpResponse PostErasure(const HttpRequest& request);
  HttpResponse PostHold(const HttpRequest& request);
  HttpResponse PostRetention(const HttpRequest& request);
  HttpResponse PostPrune(const HttpRequest& request);
  HttpResponse ListHolds(const HttpRequest& request);
  HttpResponse ReleaseHold(const HttpRequest& request, absl::string_view id);

  ledger::Custodian* const custodian_;
  const HttpServer::Handler next_;
  // Last, so that it is destroyed first.
  ledger::WorkQueue queue_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_PRIVACY_PRIVACY_SERVICE_H_
