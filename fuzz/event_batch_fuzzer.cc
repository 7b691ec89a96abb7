// Fuzzes the parser of POST /v1/events:batch bodies (api/events/event_batch.h), as binary
// protobuf and as proto3 JSON: the first byte picks the form. Invariants: a refusal is
// InvalidArgument; an accepted batch holds 1 to kMaxEventBatchEvents events, each of which
// passes ValidateEvent and encodes to an entry.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/events/event_batch.h"
#include "ledger/events/event_codec.h"

namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "event_batch_fuzzer: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool json = (data[0] & 1) != 0;
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto events = vellum::api::ParseEventBatch(body, json);
  if (!events.ok()) {
    Check(events.status().code() == absl::StatusCode::kInvalidArgument,
          "a refusal is not InvalidArgument");
    return 0;
  }
  Check(!events->empty() && events->size() <= vellum::api::kMaxEventBatchEvents,
        "an accepted batch is empty or too long");
  for (const vellum::ledger::AuditEvent& event : *events) {
    Check(vellum::ledger::ValidateEvent(event).ok(), "an accepted event is invalid");
    Check(vellum::ledger::EncodeEntry(event).ok(), "an accepted event does not encode");
  }
  return 0;
}
