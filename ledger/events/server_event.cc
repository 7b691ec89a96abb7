#include "ledger/events/server_event.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "ledger/events/event_codec.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {

AuditEvent NewServerEvent(Action action, absl::Time now) {
  AuditEvent event;
  std::array<uint8_t, 16> id{};
  if (crypto::RandomBytes(absl::MakeSpan(id)).ok()) {
    event.mutable_id()->set_source_id(absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(id.data()), id.size())));
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

}  // namespace ledger
}  // namespace vellum
