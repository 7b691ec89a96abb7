#ifndef VELLUM_API_INGEST_INTERNAL_ADAPTER_SUPPORT_H_
#define VELLUM_API_INGEST_INTERNAL_ADAPTER_SUPPORT_H_

// What every adapter shares: building the common fields of an event, reading headers with
// limits, timestamps, HMAC signature checks, and final validation. All functions are pure and
// thread-safe. Error messages never contain secrets, signatures or payload contents.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "api/http.h"
#include "google/protobuf/timestamp.pb.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace api {
namespace ingest {

// A new event with id {adapter, source_id}, observer.adapter and source_payload_digest =
// SHA-256(body) set.
ledger::AuditEvent NewEvent(absl::string_view adapter, absl::string_view source_id,
                            absl::string_view body);

// The request header `name` (lower case), or "" when absent. Fails with InvalidArgument when it is
// longer than the event string limit.
absl::StatusOr<std::string> Header(const HttpRequest& request, absl::string_view name);

// Parses an RFC 3339 time ("2026-10-14T02:17:43.512Z"). `what` names it in the error.
absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view text,
                                                      absl::string_view what);
google::protobuf::Timestamp TimeFromUnixMillis(int64_t millis);

// The most shared secrets a signature-verifying adapter holds at once: two while one is rotated.
inline constexpr size_t kMaxWebhookSecrets = 2;

// Checks that an adapter has 1..kMaxWebhookSecrets secrets, none empty. Fails with
// InvalidArgument("<adapter>: ...") holding the counts, never a secret.
absl::Status CheckWebhookSecrets(absl::string_view adapter, absl::Span<const std::string> secrets);

// Checks that `claimed_mac` (raw bytes) equals HMAC-SHA256(secret, signed_data) for one of
// `secrets`. Each comparison is constant-time and every secret is tried, so the time taken does
// not tell which one matched. Fails with Unauthenticated naming `header`, never the values.
absl::Status CheckHmacSha256(absl::Span<const std::string> secrets, absl::string_view signed_data,
                             absl::string_view claimed_mac, absl::string_view header);

// Decodes a hex MAC of 64 digits (either case). Fails with Unauthenticated naming `header`.
absl::StatusOr<std::string> DecodeHexMac(absl::string_view hex, absl::string_view header);

// Unauthenticated("<adapter>: <reason>").
absl::Status Unauthenticated(absl::string_view adapter, absl::string_view reason);

// `status` with "<adapter>: " before its message; OK stays OK.
absl::Status Prefixed(absl::string_view adapter, const absl::Status& status);

// Validates every event (ledger/events/event_codec.h) and returns them; fails with the first invalid one's
// error, prefixed with the adapter name.
absl::StatusOr<std::vector<ledger::AuditEvent>> Validated(absl::string_view adapter,
                                                          std::vector<ledger::AuditEvent> events);

// Sets context.labels[key] = value, unless value is empty.
void SetLabel(ledger::AuditEvent* event, absl::string_view key, absl::string_view value);

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_INTERNAL_ADAPTER_SUPPORT_H_
