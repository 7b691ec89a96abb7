#ifndef VELLUM_LEDGER_FILE_IO_H_
#define VELLUM_LEDGER_FILE_IO_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "absl/strings/string_view.h"

namespace vellum {
namespace ledger {

// Reads all of `path`, or standard input when `path` is "-". Fails with OutOfRange, naming the
// limit, when the input is longer than `max_bytes`, so a huge or endless input is never buffered.
absl::StatusOr<std::string> ReadInput(absl::string_view path, size_t max_bytes);

// Creates `path` with permission bits `mode` and writes `contents`, then fsyncs it. Fails with
// AlreadyExists rather than overwrite an existing file.
absl::Status WriteNewFile(absl::string_view path, absl::string_view contents, mode_t mode);

// Reads a bearer token from `path` (the --token-file flag), if given: the file's one line, with
// surrounding whitespace removed. "" without a path. The token itself is never part of any
// message.
absl::StatusOr<std::string> ReadTokenFile(const absl::optional<std::string>& path);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_FILE_IO_H_
