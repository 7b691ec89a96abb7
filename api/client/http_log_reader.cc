#include "api/client/http_log_reader.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proof/checkpoint.h"

namespace vellum {
namespace api {

absl::StatusOr<std::string> HttpLogReader::Get(const std::string& target) const {
  absl::MutexLock lock(&mu_);
  return fetcher_.Get(target);
}

absl::StatusOr<std::pair<uint64_t, std::string>> HttpLogReader::ReadCheckpoint() const {
  absl::StatusOr<std::string> note = Get("/checkpoint");
  if (!note.ok()) return note.status();
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(NoteText(*note));
  if (!checkpoint.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("GET /checkpoint: ", checkpoint.status().message()));
  }
  return std::make_pair(checkpoint->size, *std::move(note));
}

absl::StatusOr<std::string> HttpLogReader::ReadTile(const TileId& tile) const {
  return Get(absl::StrCat("/", TilePath(tile)));
}

absl::StatusOr<std::string> HttpLogReader::ReadEntryBundle(const EntryBundleId& bundle) const {
  return Get(absl::StrCat("/", EntryBundlePath(bundle)));
}

}  // namespace api
}  // namespace vellum
