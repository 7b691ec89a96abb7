#include "tools/storage_fetcher.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "proof/tile.h"

namespace vellum {
namespace cli {
namespace {

// Keeps NotFound and InvalidArgument; any other storage failure is Unavailable, as a failed
// exchange is for an HTTP fetcher.
absl::StatusOr<std::string> AsFetch(absl::StatusOr<std::string> data) {
  if (data.ok() || absl::IsNotFound(data.status()) ||
      absl::IsInvalidArgument(data.status())) {
    return data;
  }
  return absl::UnavailableError(data.status().message());
}

}  // namespace

absl::StatusOr<std::string> StorageLogFetcher::Get(absl::string_view target) {
  absl::string_view path = target;
  if (path == "/checkpoint") {
    absl::StatusOr<std::pair<uint64_t, std::string>> stored = storage_.ReadCheckpoint();
    if (!stored.ok()) return AsFetch(stored.status());
    if (stored->first == 0) return absl::NotFoundError("the store holds no checkpoint");
    return stored->second;
  }
  if (!absl::ConsumePrefix(&path, "/")) {
    return absl::InvalidArgumentError(absl::StrCat("target ", target, " is not a path"));
  }
  if (absl::StartsWith(path, "tile/entries/")) {
    absl::StatusOr<EntryBundleId> bundle = ParseEntryBundlePath(path);
    if (!bundle.ok()) return bundle.status();
    return AsFetch(storage_.ReadEntryBundle(*bundle));
  }
  if (absl::StartsWith(path, "tile/")) {
    absl::StatusOr<TileId> tile = ParseTilePath(path);
    if (!tile.ok()) return tile.status();
    return AsFetch(storage_.ReadTile(*tile));
  }
  return absl::NotFoundError(absl::StrCat(target, " is not in the store"));
}

}  // namespace cli
}  // namespace vellum
