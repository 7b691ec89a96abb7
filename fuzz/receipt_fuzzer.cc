// Parses the input as a c2sp.org/tlog-proof receipt. Accepted receipts must re-format to the
// input exactly: the parser accepts only the canonical form.

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proof/receipt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<vellum::Receipt> receipt = vellum::ParseReceipt(input);
  if (!receipt.ok()) {
    if (receipt.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  if (vellum::FormatReceipt(*receipt) != input) __builtin_trap();
  return 0;
}
