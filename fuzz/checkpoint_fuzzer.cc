// Parses the input as checkpoint note text. Accepted text must re-format to the input exactly:
// the parser accepts only the canonical form.

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proof/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<vellum::Checkpoint> checkpoint = vellum::ParseCheckpoint(input);
  if (!checkpoint.ok()) {
    if (checkpoint.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  if (vellum::FormatCheckpoint(*checkpoint) != input) __builtin_trap();
  return 0;
}
