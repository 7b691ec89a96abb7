#include "ledger/refusal.h"

#include <cstdint>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kInsufficientStorageUrl = "vellum.dev/status/insufficient-storage";
constexpr absl::string_view kRetryAfterUrl = "vellum.dev/status/retry-after-ms";

}  // namespace

absl::Status InsufficientStorageError(absl::string_view message) {
  absl::Status status = absl::ResourceExhaustedError(message);
  status.SetPayload(kInsufficientStorageUrl, absl::Cord("1"));
  return status;
}

bool IsInsufficientStorage(const absl::Status& status) {
  return absl::IsResourceExhausted(status) &&
         status.GetPayload(kInsufficientStorageUrl).has_value();
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  status.SetPayload(kRetryAfterUrl, absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(delay))));
  return status;
}

absl::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryAfterUrl);
  int64_t ms = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &ms)) {
    return absl::nullopt;
  }
  return absl::Milliseconds(ms);
}

absl::Status WithMessage(const absl::Status& status, absl::string_view message) {
  absl::Status out(status.code(), message);
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

}  // namespace ledger
}  // namespace vellum
