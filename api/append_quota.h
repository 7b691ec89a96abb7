#ifndef VELLUM_API_APPEND_QUOTA_H_
#define VELLUM_API_APPEND_QUOTA_H_

#include <cstdint>

#include "absl/types/optional.h"
#include "api/http.h"
#include "ledger/identity/quota.h"

namespace vellum {
namespace api {

// Charges an append of `entries` entries holding `bytes` bytes to the caller of `request`
// (ledger::identity::Quotas): nullopt when it may go ahead (or `quotas` is nullptr), else the
// 429 answer with Retry-After (or 400 for an append no wait would let through). The services call it once a request's entries are counted and
// before anything is appended.
absl::optional<HttpResponse> ChargeAppendQuota(ledger::identity::Quotas* quotas,
                                               const HttpRequest& request, uint64_t entries,
                                               uint64_t bytes);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_APPEND_QUOTA_H_
