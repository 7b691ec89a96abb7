#ifndef VELLUM_PROOF_TEXT_LINES_H_
#define VELLUM_PROOF_TEXT_LINES_H_

// Helpers shared by the line-oriented parsers of the proof formats (receipts, evidence).

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace vellum {

// Moves the next line of `*rest`, without its newline, to `*line`. Returns false, changing
// nothing, if `*rest` holds no newline.
bool NextLine(absl::string_view* rest, absl::string_view* line);

// `status` with `prefix` put before its message, keeping its code.
absl::Status Annotate(const absl::Status& status, absl::string_view prefix);

}  // namespace vellum

#endif  // VELLUM_PROOF_TEXT_LINES_H_
