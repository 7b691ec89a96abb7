#ifndef VELLUM_LEDGER_REFUSAL_H_
#define VELLUM_LEDGER_REFUSAL_H_

// What a refused write tells its caller beyond the status code, carried as status payloads so
// that it crosses every layer unchanged: when to retry (a queue is full, the store is refusing
// writes), and that the disk is full. api/http.h maps them to HTTP once: 507 for insufficient
// storage, and a Retry-After header on 429, 503 and 507 answers.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace vellum {
namespace ledger {

// ResourceExhausted with the insufficient-storage mark: a write failed because the filesystem
// is full (ENOSPC).
absl::Status InsufficientStorageError(absl::string_view message);
bool IsInsufficientStorage(const absl::Status& status);

// `status` with a hint that a retry may succeed after `delay`. OK stays OK.
absl::Status WithRetryAfter(absl::Status status, absl::Duration delay);
// The hint, if `status` carries one.
absl::optional<absl::Duration> RetryAfter(const absl::Status& status);

// `status`'s code and payloads with another message.
absl::Status WithMessage(const absl::Status& status, absl::string_view message);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_REFUSAL_H_
