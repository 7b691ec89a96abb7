#ifndef VELLUM_LEDGER_LEVELDB_UTIL_H_
#define VELLUM_LEDGER_LEVELDB_UTIL_H_

// What every LevelDB-backed store of Vellum does the same way: open a directory that only one
// process may use, check the store's format tag, and map LevelDB errors to absl::Status.

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "leveldb/db.h"
#include "leveldb/options.h"
#include "leveldb/status.h"

namespace vellum {
namespace ledger {

// Maps a LevelDB error to a status whose message starts with `what` (when not empty): NotFound,
// DataLoss for corruption, Unavailable otherwise (I/O errors may be transient). OK stays OK.
absl::Status FromLevelDb(const leveldb::Status& status, absl::string_view what);

// Opens the LevelDB database in `dir` with `options` (paranoid checks are turned on). Fails with
// FailedPrecondition naming the directory when another process holds it. The database keeps a
// format tag under `format_key`: a new database gets `format` (written synced); an existing
// one must have it, or the open fails with DataLoss naming both.
absl::StatusOr<std::unique_ptr<leveldb::DB>> OpenLevelDb(absl::string_view dir,
                                                         leveldb::Options options,
                                                         absl::string_view format_key,
                                                         absl::string_view format);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_LEVELDB_UTIL_H_
