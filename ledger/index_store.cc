#include "ledger/index_store.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/iterator.h"
#include "proof/big_endian.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kFormatKey = "meta/format";
constexpr absl::string_view kFormat = "1";
constexpr absl::string_view kIndexesKey = "meta/indexes";
constexpr absl::string_view kPositionKey = "meta/position";

std::string EncodePosition(uint64_t position) {
  std::string out;
  AppendBigEndian(position, 8, &out);
  return out;
}

absl::Status FromLevelDb(const leveldb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  return absl::UnavailableError(message);
}

// The opened database and its position, or an error that says to start over.
struct Opened {
  std::unique_ptr<leveldb::DB> db;
  uint64_t position = 0;
};

absl::StatusOr<Opened> OpenDb(const std::string& path, uint64_t log_size,
                              const std::string& indexes, const leveldb::Options& options) {
  leveldb::DB* raw = nullptr;
  leveldb::Status status = leveldb::DB::Open(options, path, &raw);
  if (!status.ok()) {
    if (absl::StrContains(status.ToString(), "lock")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "index directory ", path, " is in use by another process (", status.ToString(), ")"));
    }
    return FromLevelDb(status, absl::StrCat("cannot open index directory ", path));
  }
  Opened opened;
  opened.db.reset(raw);
  std::string format;
  status = raw->Get(leveldb::ReadOptions(), std::string(kFormatKey), &format);
  if (status.IsNotFound()) {
    leveldb::WriteBatch init;
    init.Put(std::string(kFormatKey), std::string(kFormat));
    init.Put(std::string(kIndexesKey), indexes);
    init.Put(std::string(kPositionKey), EncodePosition(0));
    status = raw->Write(leveldb::WriteOptions(), &init);
    if (!status.ok()) return FromLevelDb(status, "cannot initialize the index store");
    return opened;
  }
  if (!status.ok()) return FromLevelDb(status, "cannot read the index store format");
  if (format != kFormat) {
    return absl::DataLossError(
        absl::StrCat("index store format \"", format, "\", want \"", kFormat, "\""));
  }
  std::string stored_indexes;
  status = raw->Get(leveldb::ReadOptions(), std::string(kIndexesKey), &stored_indexes);
  if (!status.ok() && !status.IsNotFound()) {
    return FromLevelDb(status, "cannot read the index store's index set");
  }
  if (stored_indexes != indexes) {
    return absl::DataLossError(absl::StrCat("index store holds indexes \"", stored_indexes,
                                            "\", want \"", indexes, "\""));
  }
  std::string position;
  status = raw->Get(leveldb::ReadOptions(), std::string(kPositionKey), &position);
  if (!status.ok()) return FromLevelDb(status, "cannot read the index position");
  if (position.size() != 8) {
    return absl::DataLossError(
        absl::StrCat("index position record is ", position.size(), " bytes, want 8"));
  }
  opened.position = ReadBigEndian(position);
  if (opened.position > log_size) {
    return absl::DataLossError(absl::StrCat("index covers ", opened.position,
                                            " leaves, the log has ", log_size));
  }
  return opened;
}

}  // namespace

absl::StatusOr<std::unique_ptr<IndexStore>> IndexStore::Open(absl::string_view dir,
                                                              uint64_t log_size,
                                                              const Options& options) {
  leveldb::Options db_options;
  db_options.create_if_missing = true;
  // A torn tail of the unsynced write-ahead log is dropped rather than refused: losing the last
  // writes only sets the position back.
  db_options.paranoid_checks = false;
  db_options.write_buffer_size = 4 << 20;
  db_options.compression = leveldb::kNoCompression;
  if (options.env != nullptr) db_options.env = options.env;
  const std::string path(dir);
  absl::StatusOr<Opened> opened =
      options.rebuild ? absl::DataLossError("rebuilding the index store")
                      : OpenDb(path, log_size, options.indexes, db_options);
  if (!opened.ok() && !absl::IsFailedPrecondition(opened.status())) {
    // Derived data: start over, and let the follower rebuild it from the log.
    leveldb::Status destroyed = leveldb::DestroyDB(path, db_options);
    if (!destroyed.ok()) {
      return FromLevelDb(destroyed, absl::StrCat("cannot delete the index store ", path, " (",
                                                 opened.status().message(), ")"));
    }
    opened = OpenDb(path, log_size, options.indexes, db_options);
  }
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<IndexStore>(new IndexStore(std::move(opened->db), opened->position));
}

IndexStore::IndexStore(std::unique_ptr<leveldb::DB> db, uint64_t position)
    : db_(std::move(db)), position_(position) {}

IndexStore::~IndexStore() = default;

absl::Status IndexStore::Write(leveldb::WriteBatch records, uint64_t new_position) {
  if (new_position < position()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "index write to position ", new_position, ", want at least ", position()));
  }
  records.Put(std::string(kPositionKey), EncodePosition(new_position));
  absl::Status status =
      FromLevelDb(db_->Write(leveldb::WriteOptions(), &records), "cannot write the index");
  if (status.ok()) position_.store(new_position, std::memory_order_release);
  return status;
}

absl::StatusOr<absl::optional<std::string>> IndexStore::FirstKey(
    absl::string_view prefix) const {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  const leveldb::Slice want(prefix.data(), prefix.size());
  it->Seek(want);
  if (it->Valid() && it->key().starts_with(want)) {
    return absl::optional<std::string>(it->key().ToString());
  }
  if (absl::Status status = FromLevelDb(it->status(), "cannot search the index"); !status.ok()) {
    return status;
  }
  return absl::optional<std::string>();
}

std::unique_ptr<leveldb::Iterator> IndexStore::NewIterator() const {
  return std::unique_ptr<leveldb::Iterator>(db_->NewIterator(leveldb::ReadOptions()));
}

}  // namespace ledger
}  // namespace vellum
