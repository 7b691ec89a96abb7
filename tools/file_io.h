#ifndef VELLUM_TOOLS_FILE_IO_H_
#define VELLUM_TOOLS_FILE_IO_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {
namespace cli {

// Reads all of `path`, or standard input when `path` is "-". Fails with OutOfRange, naming the
// limit, when the input is longer than `max_bytes`, so a huge or endless input is never buffered.
absl::StatusOr<std::string> ReadInput(absl::string_view path, size_t max_bytes);

// Creates `path` with permission bits `mode` and writes `contents`, then fsyncs it. Fails with
// AlreadyExists rather than overwrite an existing file.
absl::Status WriteNewFile(absl::string_view path, absl::string_view contents, mode_t mode);

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_FILE_IO_H_
