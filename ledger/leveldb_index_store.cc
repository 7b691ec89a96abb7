#include "ledger/leveldb_index_store.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/leveldb_util.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/iterator.h"
#include "leveldb/write_batch.h"
#include "proof/big_endian.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kFormatKey = "meta/format";
constexpr absl::string_view kFormat = "1";
constexpr absl::string_view kIndexesKey = "meta/indexes";
constexpr absl::string_view kPositionKey = "meta/position";
// Every record's key starts with kRecordPrefix; kRecordsEnd is the least key past them.
constexpr absl::string_view kRecordPrefix = "i/";
constexpr absl::string_view kRecordsEnd = "i0";

std::string EncodePosition(uint64_t position) {
  std::string out;
  AppendBigEndian(position, 8, &out);
  return out;
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

// An IndexIterator over the records (the keys under "i/") of a LevelDB iterator; the meta/
// records sort after them.
class LevelDbIndexIterator : public IndexIterator {
 public:
  explicit LevelDbIndexIterator(leveldb::Iterator* it) : it_(it) {}

  void Seek(absl::string_view target) override {
    if (target < kRecordPrefix) target = kRecordPrefix;
    it_->Seek(leveldb::Slice(target.data(), target.size()));
  }
  void SeekToLast() override {
    it_->Seek(leveldb::Slice(kRecordsEnd.data(), kRecordsEnd.size()));
    if (it_->Valid()) {
      it_->Prev();
    } else if (it_->status().ok()) {
      it_->SeekToLast();
    }
  }
  bool Valid() const override { return it_->Valid() && absl::StartsWith(key(), kRecordPrefix); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  absl::string_view key() const override {
    const leveldb::Slice key = it_->key();
    return absl::string_view(key.data(), key.size());
  }
  absl::Status status() const override { return FromLevelDb(it_->status(), ""); }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<LevelDbIndexStore>> LevelDbIndexStore::Open(
    absl::string_view dir, uint64_t log_size, const Options& options) {
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
  return std::unique_ptr<LevelDbIndexStore>(
      new LevelDbIndexStore(std::move(opened->db), opened->position));
}

LevelDbIndexStore::LevelDbIndexStore(std::unique_ptr<leveldb::DB> db, uint64_t position)
    : db_(std::move(db)), position_(position) {}

LevelDbIndexStore::~LevelDbIndexStore() = default;

absl::Status LevelDbIndexStore::Write(const IndexRecords& records, uint64_t new_position) {
  if (new_position < position()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "index write to position ", new_position, ", want at least ", position()));
  }
  leveldb::WriteBatch batch;
  records.ForEach([&batch](absl::string_view key, absl::string_view value) {
    batch.Put(leveldb::Slice(key.data(), key.size()), leveldb::Slice(value.data(), value.size()));
  });
  batch.Put(std::string(kPositionKey), EncodePosition(new_position));
  absl::Status status =
      FromLevelDb(db_->Write(leveldb::WriteOptions(), &batch), "cannot write the index");
  if (status.ok()) position_.store(new_position, std::memory_order_release);
  return status;
}

std::unique_ptr<IndexIterator> LevelDbIndexStore::NewIterator() const {
  return std::make_unique<LevelDbIndexIterator>(db_->NewIterator(leveldb::ReadOptions()));
}

}  // namespace ledger
}  // namespace vellum
