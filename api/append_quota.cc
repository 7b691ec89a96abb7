#include "api/append_quota.h"

#include "absl/time/clock.h"

namespace vellum {
namespace api {

absl::optional<HttpResponse> ChargeAppendQuota(ledger::identity::Quotas* quotas,
                                               const HttpRequest& request, uint64_t entries,
                                               uint64_t bytes) {
  if (quotas == nullptr) return absl::nullopt;
  absl::Status status = quotas->Charge(request.caller.get(), entries, bytes, absl::Now());
  if (status.ok()) return absl::nullopt;
  return ErrorResponse(status);
}

}  // namespace api
}  // namespace vellum
