// Parses the input as a c2sp.org/tlog-witness add-checkpoint body and as the body of its 409
// answer. A parsed body must format back to the input byte for byte and respect the limits; a
// parsed size formats back to the input (its newline optional); refusals are InvalidArgument
// with a message.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "proof/add_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<vellum::AddCheckpointRequest> request = vellum::ParseAddCheckpoint(input);
  if (request.ok()) {
    if (input.size() > vellum::kMaxAddCheckpointBytes ||
        request->proof.size() > vellum::kMaxAddCheckpointProofLines ||
        vellum::FormatAddCheckpoint(request->old_size, request->proof, request->checkpoint) !=
            input) {
      __builtin_trap();
    }
  } else if (request.status().code() != absl::StatusCode::kInvalidArgument ||
             request.status().message().empty()) {
    __builtin_trap();
  }
  absl::StatusOr<uint64_t> stored = vellum::ParseTlogSize(input);
  if (stored.ok()) {
    std::string formatted = vellum::FormatTlogSize(*stored);
    if (formatted != input && formatted != absl::StrCat(input, "\n")) __builtin_trap();
  } else if (stored.status().code() != absl::StatusCode::kInvalidArgument ||
             stored.status().message().empty()) {
    __builtin_trap();
  }
  return 0;
}
