// Parses the input as split-view evidence. Accepted evidence must re-format to the input exactly
// (the parser accepts only the canonical form), and verifying it against a fixed key must give
// one of the documented codes without crashing.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proof/evidence.h"
#include "proof/note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vellum::NoteVerifier* const verifier =
      vellum::NoteVerifier::Create("example.com/log+d179b2b2+AU1TcMYFG0LlDmbuBitGwJ8h5BF/FweSO/FcAzEJNqwj")
          ->release();
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<vellum::SplitViewEvidence> evidence = vellum::ParseEvidence(input);
  if (!evidence.ok()) {
    if (evidence.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  if (vellum::FormatEvidence(*evidence) != input) __builtin_trap();
  absl::StatusOr<vellum::SplitView> view = vellum::VerifyEvidence(*evidence, *verifier);
  switch (view.status().code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kFailedPrecondition:
      return 0;
    default:
      __builtin_trap();
  }
}
