#include "ledger/log_audit.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/tile_reader.h"
#include "proof/tile.h"
#include "proof/tile_audit.h"

namespace vellum {
namespace ledger {
absl::StatusOr<AuditResult> AuditLog(const LogReader& log, const Checkpoint& checkpoint,
                                     const AuditOptions& options) {
  const uint64_t size = checkpoint.size;
  AuditResult result;
  TileAuditor auditor(size);
  const uint64_t bundles = (size + kTileWidth - 1) / kTileWidth;
  auto report = [&] {
    if (!options.progress) return;
    options.progress(AuditProgress{size, result.entries, result.bundles, auditor.tiles()});
  };
  for (uint64_t index = 0; index < bundles; ++index) {
    const uint16_t width = TileWidth(0, index, size);
    absl::StatusOr<std::vector<std::string>> entries =
        ReadServedBundle(log, EntryBundleId{index, width});
    if (!entries.ok()) return entries.status();
    result.bundles++;
    if (absl::Status s = auditor.AddBundle(*entries); !s.ok()) return s;
    while (auditor.pending().has_value()) {
      absl::StatusOr<std::vector<Hash>> served = ReadServedTile(log, *auditor.pending());
      if (!served.ok()) return served.status();
      if (absl::Status s = auditor.CheckServed(*served); !s.ok()) return s;
    }
    result.entries += width;
    if (options.progress_every_bundles != 0 &&
        result.bundles % options.progress_every_bundles == 0) {
      report();
    }
  }
  absl::StatusOr<Hash> root = auditor.CheckRoot(checkpoint.root);
  if (!root.ok()) return root.status();
  result.tiles = auditor.tiles();
  result.root = *root;
  report();
  return result;
}

}  // namespace ledger
}  // namespace vellum
