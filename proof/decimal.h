#ifndef VELLUM_PROOF_DECIMAL_H_
#define VELLUM_PROOF_DECIMAL_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {

// Parses a canonical unsigned decimal: ASCII digits only, no sign, no whitespace, no leading
// zero except in "0" itself, at most UINT64_MAX. `what` names the value in the error message,
// e.g. "tree size".
absl::StatusOr<uint64_t> ParseDecimal(absl::string_view text, absl::string_view what);

}  // namespace vellum

#endif  // VELLUM_PROOF_DECIMAL_H_
