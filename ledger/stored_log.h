#ifndef VELLUM_LEDGER_STORED_LOG_H_
#define VELLUM_LEDGER_STORED_LOG_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/storage.h"

namespace vellum {
namespace ledger {

// Opens the log store in `dir` (DIR/db of a vellumd or monitor directory) for those who only read
// it, such as `vellum fsck`: it never creates a store (NotFound naming the directory when it holds
// none) and the reader it returns cannot commit. LevelDB's own recovery on open still runs, and it
// locks the directory: FailedPrecondition while a vellumd or monitor holds it. The reader is
// thread-safe.
absl::StatusOr<std::unique_ptr<LogReader>> OpenStoredLog(absl::string_view dir);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_STORED_LOG_H_
