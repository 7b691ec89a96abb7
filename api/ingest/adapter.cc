#include "api/ingest/adapter.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "api/ingest/internal/adapter_support.h"
#include "ledger/events/event_codec.h"
#include "proof/crypto.h"
#include "proof/utf8.h"

namespace vellum {
namespace api {
namespace ingest {

ledger::AuditEvent IngestRejectedEvent(absl::string_view adapter, const HttpRequest& request,
                                       const absl::Status& error, absl::Time received) {
  const std::string remote =
      SanitizeUtf8(request.remote_address, ledger::kMaxEventStringBytes);
  const std::string nanos = absl::StrCat(absl::ToUnixNanos(received));
  const crypto::Sha256Digest body_digest = crypto::Sha256({request.body});
  const absl::string_view body_digest_bytes(reinterpret_cast<const char*>(body_digest.data()),
                                            body_digest.size());
  // Length-prefixed parts, so that no two attempts share an id by concatenation.
  const crypto::Sha256Digest id = crypto::Sha256(
      {absl::StrCat(adapter.size(), ":"), adapter, absl::StrCat(remote.size(), ":"), remote,
       absl::StrCat(nanos.size(), ":"), nanos, body_digest_bytes});

  ledger::AuditEvent event = NewEvent("ingest",
                                      absl::BytesToHexString(absl::string_view(
                                          reinterpret_cast<const char*>(id.data()), id.size())),
                                      request.body);
  event.mutable_observer()->set_adapter(
      SanitizeUtf8(adapter, ledger::kMaxEventStringBytes));
  *event.mutable_event_time() = ledger::ToProtoTime(received);
  event.set_action(ledger::ACTION_INGEST_REJECTED);
  event.mutable_outcome()->set_result(ledger::Outcome::RESULT_DENIED);
  event.mutable_outcome()->set_reason(
      SanitizeUtf8(error.message(), ledger::kMaxEventReasonBytes));
  event.mutable_context()->set_source_ip(remote);
  event.mutable_context()->set_user_agent(
      SanitizeUtf8(request.Header("user-agent"), ledger::kMaxEventStringBytes));
  return event;
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
