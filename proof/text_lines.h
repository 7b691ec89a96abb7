#ifndef VELLUM_PROOF_TEXT_LINES_H_
#define VELLUM_PROOF_TEXT_LINES_H_

// Helpers shared by the text parsers of the proof formats (notes, checkpoints, receipts,
// evidence).

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace vellum {

// Moves the next line of `*rest`, without its newline, to `*line`. Returns false, changing
// nothing, if `*rest` holds no newline.
bool NextLine(absl::string_view* rest, absl::string_view* line);

// `status` with `prefix` put before its message, keeping its code.
absl::Status Annotate(const absl::Status& status, absl::string_view prefix);

// Quotes untrusted text for an error message: C-escaped, in double quotes, cut to 64 bytes
// (then followed by "...").
std::string Quote(absl::string_view s);

}  // namespace vellum

#endif  // VELLUM_PROOF_TEXT_LINES_H_
