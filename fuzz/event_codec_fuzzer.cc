// Fuzzes the AuditEvent decoders (ledger/events/event_codec.h): DecodeEntry and ParseEventProto on the
// input as protobuf, ParseEventJson on it as JSON, and EntryBundleToJson on it as a bundle.
// Invariants: failures are InvalidArgument; whatever DecodeEntry accepts re-encodes to exactly
// the input and is refused as a raw entry (CheckRawEntry); whatever ParseEventProto or
// ParseEventJson accepts is valid, encodes, and round-trips through JSON; EntryToJson never fails.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/events/event_codec.h"

namespace {

using vellum::ledger::AuditEvent;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "event_codec_fuzzer: %s\n", what);
  __builtin_trap();
}

void CheckFailure(const absl::Status& status) {
  Check(status.code() == absl::StatusCode::kInvalidArgument, "errors must be InvalidArgument");
}

// A parsed event must be valid, encode, and survive JSON both ways.
void CheckAccepted(const AuditEvent& event) {
  Check(vellum::ledger::ValidateEvent(event).ok(), "accepted an invalid event");
  absl::StatusOr<std::string> entry = vellum::ledger::EncodeEntry(event);
  Check(entry.ok() || entry.status().code() == absl::StatusCode::kInvalidArgument,
        "EncodeEntry failed with an unexpected code");
  absl::StatusOr<std::string> json = vellum::ledger::EventToJson(event);
  Check(json.ok(), "a valid event did not print as JSON");
  absl::StatusOr<AuditEvent> reparsed = vellum::ledger::ParseEventJson(*json);
  Check(reparsed.ok(), "printed JSON did not parse");
  Check(google::protobuf::util::MessageDifferencer::Equals(*reparsed, event),
        "an event changed through JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<AuditEvent> entry = vellum::ledger::DecodeEntry(input);
  if (entry.ok()) {
    absl::StatusOr<std::string> again = vellum::ledger::EncodeEntry(*entry);
    Check(again.ok() && *again == input, "DecodeEntry accepted a non-canonical entry");
    Check(!vellum::ledger::CheckRawEntry(input).ok(), "a raw append could pass for an event");
    CheckAccepted(*entry);
  } else {
    CheckFailure(entry.status());
  }

  absl::StatusOr<AuditEvent> proto = vellum::ledger::ParseEventProto(input);
  if (proto.ok()) {
    CheckAccepted(*proto);
  } else {
    CheckFailure(proto.status());
  }

  absl::StatusOr<AuditEvent> json = vellum::ledger::ParseEventJson(input);
  if (json.ok()) {
    CheckAccepted(*json);
  } else {
    CheckFailure(json.status());
  }

  Check(vellum::ledger::EntryToJson(0, 0, input).ok(), "EntryToJson failed");
  Check(vellum::ledger::EntryToJson(1, 0, input).ok(), "EntryToJson of an untyped entry failed");
  absl::StatusOr<std::string> bundle = vellum::ledger::EntryBundleToJson(0, 0, input);
  if (!bundle.ok()) CheckFailure(bundle.status());
  return 0;
}
