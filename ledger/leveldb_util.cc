#include "ledger/leveldb_util.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

absl::Status FromLevelDb(const leveldb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message =
      what.empty() ? status.ToString() : absl::StrCat(what, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  return absl::UnavailableError(message);
}

absl::StatusOr<std::unique_ptr<leveldb::DB>> OpenLevelDb(absl::string_view dir,
                                                         leveldb::Options options,
                                                         absl::string_view format_key,
                                                         absl::string_view format) {
  options.paranoid_checks = true;
  leveldb::DB* raw = nullptr;
  std::string path(dir);
  leveldb::Status status = leveldb::DB::Open(options, path, &raw);
  if (!status.ok()) {
    std::string text = status.ToString();
    if (absl::StrContains(text, "lock")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", path, " is in use by another process (", text, ")"));
    }
    return FromLevelDb(status, absl::StrCat("cannot open data directory ", path));
  }
  std::unique_ptr<leveldb::DB> db(raw);
  std::string got;
  status = db->Get(leveldb::ReadOptions(), std::string(format_key), &got);
  if (status.IsNotFound()) {
    leveldb::WriteOptions sync;
    sync.sync = true;
    status = db->Put(sync, std::string(format_key), std::string(format));
    if (!status.ok()) return FromLevelDb(status, "cannot initialize the store");
  } else if (!status.ok()) {
    return FromLevelDb(status, "cannot read the store format");
  } else if (got != format) {
    return absl::DataLossError(absl::StrCat("data directory ", path, " has store format \"", got,
                                            "\", want \"", format, "\""));
  }
  return db;
}

}  // namespace ledger
}  // namespace vellum
