#include "ledger/stored_log.h"

#include <sys/stat.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/leveldb_storage.h"

namespace vellum {
namespace ledger {
namespace {

// The read side of a LevelDbStorage, and nothing else.
class StoredLogReader : public LogReader {
 public:
  explicit StoredLogReader(std::unique_ptr<LevelDbStorage> storage)
      : storage_(std::move(storage)) {}

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override {
    return storage_->ReadCheckpoint();
  }
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override {
    return storage_->ReadTile(tile);
  }
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override {
    return storage_->ReadEntryBundle(bundle);
  }

 private:
  const std::unique_ptr<const LevelDbStorage> storage_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LogReader>> OpenStoredLog(absl::string_view dir) {
  // LevelDB creates the directory before it finds no database in it.
  struct stat st;
  if (stat(absl::StrCat(dir, "/CURRENT").c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("data directory ", dir, " holds no log store"));
  }
  LevelDbStorage::Options options;
  options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<LevelDbStorage>> storage = LevelDbStorage::Open(dir, options);
  if (!storage.ok()) return storage.status();
  return std::unique_ptr<LogReader>(new StoredLogReader(*std::move(storage)));
}

}  // namespace ledger
}  // namespace vellum
