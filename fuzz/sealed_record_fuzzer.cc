// Fuzzes the sealed store's record decoders (ledger/privacy/sealed_record.h) and the opening of
// an event's sealed items (ledger/privacy/event_sealer.h).
//
// Input: bytes taken as a SubjectKeyRecord, as a SealedValueRecord and as a log entry. Invariants:
// a decoder fails only with DataLoss and a message; a record it accepts meets every documented
// bound and decodes again, from its own encoding, to an equal record; an entry that decodes to
// an event opens against an empty store without error, every sealed item reported gone (nothing
// can be opened from a store that holds nothing), or is refused with InvalidArgument.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/events/event_codec.h"
#include "ledger/privacy/event_sealer.h"
#include "ledger/privacy/sealed_record.h"
#include "ledger/privacy/sealed_store.h"

namespace {

using google::protobuf::util::MessageDifferencer;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "sealed_record_fuzzer: %s\n", what);
  __builtin_trap();
}

void CheckFailure(const absl::Status& status, absl::StatusCode want) {
  Check(status.code() == want, "unexpected error code");
  Check(!status.message().empty(), "empty error message");
}

// One empty store for the whole run, in a fresh private directory.
vellum::ledger::SealedStore& EmptyStore() {
  static vellum::ledger::SealedStore* store = [] {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string base = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/sealed-fuzz-XXXXXX");
    Check(mkdtemp(&base[0]) != nullptr, "mkdtemp");
    auto opened = vellum::ledger::SealedStore::Open(base + "/store", std::string(32, 'k'));
    Check(opened.ok(), "cannot open the store");
    return opened->release();
  }();
  return *store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum::ledger;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto subject = DecodeSubjectKeyRecord(bytes);
  if (!subject.ok()) {
    CheckFailure(subject.status(), absl::StatusCode::kDataLoss);
  } else {
    Check(subject->key().size() == kSubjectKeySize, "accepted a key of the wrong size");
    Check(IsPseudonym(subject->pseudonym()), "accepted a malformed pseudonym");
    auto again = DecodeSubjectKeyRecord(subject->SerializeAsString());
    Check(again.ok() && MessageDifferencer::Equals(*subject, *again),
          "a subject key record does not round-trip");
  }

  auto value = DecodeSealedValueRecord(bytes);
  if (!value.ok()) {
    CheckFailure(value.status(), absl::StatusCode::kDataLoss);
  } else {
    Check(IsPseudonym(value->pseudonym()), "accepted a malformed pseudonym");
    Check(!value->path().empty() && value->path().size() <= kMaxSealedPathBytes,
          "accepted a path past its bounds");
    Check(value->key_salt().size() == kValueKeySaltSize, "accepted a key salt of the wrong size");
    auto again = DecodeSealedValueRecord(value->SerializeAsString());
    Check(again.ok() && MessageDifferencer::Equals(*value, *again),
          "a value record does not round-trip");
  }

  auto event = DecodeEntry(bytes);
  if (event.ok()) {
    auto unsealed = UnsealEvent(EmptyStore(), *event);
    if (!unsealed.ok()) {
      CheckFailure(unsealed.status(), absl::StatusCode::kInvalidArgument);
    } else {
      Check(unsealed->opened.empty(), "opened a value from an empty store");
      Check(unsealed->gone.size() == static_cast<size_t>(event->sealed_size()),
            "a sealed item neither opened nor gone");
    }
  }
  return 0;
}
