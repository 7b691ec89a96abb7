#include "ledger/events/server_event.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "ledger/events/event_codec.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {

absl::StatusOr<std::string> NewRandomId() {
  std::array<uint8_t, 16> id{};
  if (absl::Status s = crypto::RandomBytes(absl::MakeSpan(id)); !s.ok()) return s;
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

AuditEvent NewServerEvent(Action action, absl::Time now) {
  AuditEvent event;
  if (absl::StatusOr<std::string> id = NewRandomId(); id.ok()) {
    event.mutable_id()->set_source_id(*std::move(id));
  } else {
    // Without randomness the time and a counter still keep ids apart within this process.
    static std::atomic<uint64_t> counter{0};
    event.mutable_id()->set_source_id(absl::StrCat(absl::ToUnixNanos(now), "-", counter++));
  }
  event.mutable_id()->set_source(std::string(kServerSource));
  *event.mutable_event_time() = ToProtoTime(now);
  event.mutable_observer()->set_adapter(std::string(kServerSource));
  event.set_action(action);
  return event;
}

AuditEvent NewServerEventBy(Action action, absl::string_view principal,
                            absl::string_view authenticated_by, absl::Time now) {
  AuditEvent event = NewServerEvent(action, now);
  event.mutable_outcome()->set_result(Outcome::RESULT_SUCCESS);
  if (!principal.empty()) {
    event.mutable_actor()->set_subject(std::string(principal));
    (*event.mutable_context()->mutable_labels())["vellum.authenticated_by"] =
        std::string(authenticated_by);
  }
  return event;
}

}  // namespace ledger
}  // namespace vellum
