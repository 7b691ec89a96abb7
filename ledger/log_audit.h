#ifndef VELLUM_LEDGER_LOG_AUDIT_H_
#define VELLUM_LEDGER_LOG_AUDIT_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "ledger/storage.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"

namespace vellum {
namespace ledger {

// Progress of AuditLog, reported every `progress_every_bundles` entry bundles and at the end.
struct AuditProgress {
  uint64_t tree_size = 0;
  uint64_t entries = 0;  // Entries verified so far.
  uint64_t bundles = 0;  // Entry bundles read so far.
  uint64_t tiles = 0;    // Tiles read so far.
};

struct AuditOptions {
  uint64_t progress_every_bundles = 64;
  std::function<void(const AuditProgress&)> progress;  // May be empty.
};

// The work an audit did.
struct AuditResult {
  uint64_t entries = 0;
  uint64_t bundles = 0;
  uint64_t tiles = 0;
  Hash root{};  // Recomputed from the tiles; equals the checkpoint's.
};

// The full audit of the tree that `checkpoint` commits to, as `vellum verify log` runs it over
// HTTP and `vellum fsck` on a store: reads every entry bundle and every tile of every level (full,
// and the partial ones for that size; a superseded partial one is read from the full one,
// ReadServedTile()) and checks them with a TileAuditor (proof/tile_audit.h). Succeeds only if
// everything agrees with the checkpoint. Fails with DataLoss on the first difference, naming it
// ("tile/0/x001/234 hash 17: got <served>, want <recomputed>") or naming malformed data
// ("tile/0/000: ..."), with NotFound for a tile or bundle that `log` does not hold, and with the
// reader's other errors. Reads only; thread-safe when `log` is.
absl::StatusOr<AuditResult> AuditLog(const LogReader& log, const Checkpoint& checkpoint,
                                     const AuditOptions& options);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_LOG_AUDIT_H_
