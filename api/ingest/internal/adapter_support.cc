#include "api/ingest/internal/adapter_support.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "ledger/events/event_codec.h"
#include "proof/crypto.h"
#include "proof/utf8.h"

namespace vellum {
namespace api {
namespace ingest {

ledger::AuditEvent NewEvent(absl::string_view adapter, absl::string_view source_id,
                            absl::string_view body) {
  ledger::AuditEvent event;
  event.mutable_id()->set_source(std::string(adapter));
  event.mutable_id()->set_source_id(std::string(source_id));
  event.mutable_observer()->set_adapter(std::string(adapter));
  const crypto::Sha256Digest digest = crypto::Sha256({body});
  event.set_source_payload_digest(std::string(digest.begin(), digest.end()));
  return event;
}

absl::StatusOr<std::string> Header(const HttpRequest& request, absl::string_view name) {
  std::string value = request.Header(name);
  if (value.size() > ledger::kMaxEventStringBytes) {
    return absl::InvalidArgumentError(absl::StrCat("header ", name, ": got ", value.size(),
                                                   " bytes, want at most ",
                                                   ledger::kMaxEventStringBytes));
  }
  if (!IsValidUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat("header ", name, ": got invalid UTF-8"));
  }
  return value;
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view text,
                                                      absl::string_view what) {
  google::protobuf::Timestamp time;
  if (!google::protobuf::util::TimeUtil::FromString(std::string(text), &time)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": got \"", absl::CEscape(text.substr(0, 64)),
                     "\", want an RFC 3339 time such as 2026-10-14T02:17:43.512Z"));
  }
  return time;
}

google::protobuf::Timestamp TimeFromUnixMillis(int64_t millis) {
  return google::protobuf::util::TimeUtil::MillisecondsToTimestamp(millis);
}

absl::Status CheckWebhookSecrets(absl::string_view adapter, absl::Span<const std::string> secrets) {
  if (secrets.empty() || secrets.size() > kMaxWebhookSecrets) {
    return absl::InvalidArgumentError(absl::StrCat(adapter, ": got ", secrets.size(),
                                                   " webhook secrets, want 1 to ",
                                                   kMaxWebhookSecrets));
  }
  for (size_t i = 0; i < secrets.size(); ++i) {
    if (secrets[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(adapter, ": webhook secret ", i + 1, " of ",
                                                     secrets.size(), " is empty, want one"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHmacSha256(absl::Span<const std::string> secrets, absl::string_view signed_data,
                             absl::string_view claimed_mac, absl::string_view header) {
  bool matched = false;
  for (const std::string& secret : secrets) {
    const crypto::Sha256Digest want = crypto::HmacSha256(secret, signed_data);
    matched |= crypto::ConstantTimeEquals(
        claimed_mac, absl::string_view(reinterpret_cast<const char*>(want.data()), want.size()));
  }
  if (!matched) {
    return absl::UnauthenticatedError(absl::StrCat(
        header, " does not match the delivery under ",
        secrets.size() == 1 ? "the configured secret" : "any configured secret"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> DecodeHexMac(absl::string_view hex, absl::string_view header) {
  if (hex.size() != 64) {
    return absl::UnauthenticatedError(
        absl::StrCat(header, ": got ", hex.size(), " hex digits, want 64"));
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(c)) {
      return absl::UnauthenticatedError(absl::StrCat(header, ": got a non-hex digit, want 64"));
    }
  }
  return absl::HexStringToBytes(hex);
}

absl::Status Unauthenticated(absl::string_view adapter, absl::string_view reason) {
  return absl::UnauthenticatedError(absl::StrCat(adapter, ": ", reason));
}

absl::Status Prefixed(absl::string_view adapter, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(adapter, ": ", status.message()));
}

absl::StatusOr<std::vector<ledger::AuditEvent>> Validated(absl::string_view adapter,
                                                          std::vector<ledger::AuditEvent> events) {
  for (const ledger::AuditEvent& event : events) {
    absl::Status status = ledger::ValidateEvent(event);
    if (!status.ok()) return Prefixed(adapter, status);
  }
  return events;
}

void SetLabel(ledger::AuditEvent* event, absl::string_view key, absl::string_view value) {
  if (value.empty()) return;
  (*event->mutable_context()->mutable_labels())[std::string(key)] = std::string(value);
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
