#include "ledger/leveldb_storage.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/leveldb_util.h"
#include "ledger/refusal.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/iterator.h"
#include "leveldb/write_batch.h"
#include "proof/big_endian.h"
#include "proof/hash.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kFormatKey = "v1/meta/format";
constexpr absl::string_view kFormat = "1";
constexpr absl::string_view kTypedFromKey = "v1/meta/typed_from";
constexpr absl::string_view kCheckpointKey = "v1/checkpoint";
constexpr absl::string_view kTilePrefix = "v1/t/";
constexpr absl::string_view kBundlePrefix = "v1/e/";
constexpr absl::string_view kIdempotencyPrefix = "v1/k/";
// The probe file of Reopen(), and how much room beyond the write-ahead logs it asks for.
constexpr absl::string_view kProbeFile = "space-probe";
constexpr uint64_t kReopenHeadroom = 1 << 20;

// A write's error: InsufficientStorageError when the filesystem is full (LevelDB's posix Env
// names strerror(ENOSPC) in the message), else as FromLevelDb.
absl::Status WriteError(const leveldb::Status& status, absl::string_view what) {
  if (status.IsIOError() && absl::StrContains(status.ToString(), std::strerror(ENOSPC))) {
    return InsufficientStorageError(absl::StrCat(what, ": ", status.ToString()));
  }
  return FromLevelDb(status, what);
}

// The key of tile (level, index) without its width: the prefix all its versions share.
std::string TileIndexKey(uint8_t level, uint64_t index) {
  std::string key(kTilePrefix);
  key.push_back(static_cast<char>(level));
  AppendBigEndian(index, 8, &key);
  return key;
}

std::string TileKey(const TileId& tile) {
  std::string key = TileIndexKey(tile.level, tile.index);
  AppendBigEndian(tile.width, 2, &key);
  return key;
}

std::string BundleIndexKey(uint64_t index) {
  std::string key(kBundlePrefix);
  AppendBigEndian(index, 8, &key);
  return key;
}

std::string BundleKey(const EntryBundleId& bundle) {
  std::string key = BundleIndexKey(bundle.index);
  AppendBigEndian(bundle.width, 2, &key);
  return key;
}

// Deletes, within `batch`, every key starting with `prefix` except `keep`.
void DeleteOtherVersions(leveldb::DB* db, const std::string& prefix, const std::string& keep,
                         leveldb::WriteBatch* batch) {
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().ToString() != keep) batch->Delete(it->key());
  }
}

leveldb::Options DbOptions(const LevelDbStorage::Options& options) {
  leveldb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.write_buffer_size = options.write_buffer_bytes;
  db_options.max_file_size = options.write_buffer_bytes;
  if (options.env != nullptr) db_options.env = options.env;
  return db_options;
}

std::string IdempotencyKey(absl::string_view key) { return absl::StrCat(kIdempotencyPrefix, key); }

}  // namespace

absl::StatusOr<std::unique_ptr<LevelDbStorage>> LevelDbStorage::Open(absl::string_view dir,
                                                                      const Options& options) {
  absl::StatusOr<std::unique_ptr<leveldb::DB>> db =
      OpenLevelDb(dir, DbOptions(options), kFormatKey, kFormat);
  if (!db.ok()) return db.status();
  return std::unique_ptr<LevelDbStorage>(
      new LevelDbStorage(std::string(dir), options, *std::move(db)));
}

LevelDbStorage::LevelDbStorage(std::string dir, const Options& options,
                               std::unique_ptr<leveldb::DB> db)
    : dir_(std::move(dir)), options_(options), db_(std::move(db)) {}

LevelDbStorage::~LevelDbStorage() = default;

absl::Status LevelDbStorage::ProbeRoom() const {
  leveldb::Env* env = options_.env != nullptr ? options_.env : leveldb::Env::Default();
  std::vector<std::string> children;
  if (leveldb::Status s = env->GetChildren(dir_, &children); !s.ok()) {
    return FromLevelDb(s, "cannot list the store's files");
  }
  uint64_t need = kReopenHeadroom;
  for (const std::string& child : children) {
    uint64_t size = 0;
    if (absl::EndsWith(child, ".log") && env->GetFileSize(dir_ + "/" + child, &size).ok()) {
      need += size;
    }
  }
  const std::string probe = absl::StrCat(dir_, "/", kProbeFile);
  leveldb::WritableFile* raw = nullptr;
  leveldb::Status status = env->NewWritableFile(probe, &raw);
  if (status.ok()) {
    std::unique_ptr<leveldb::WritableFile> file(raw);
    const std::string chunk(64 << 10, '\0');
    for (uint64_t written = 0; status.ok() && written < need; written += chunk.size()) {
      status = file->Append(chunk);
    }
    if (status.ok()) status = file->Sync();
    leveldb::Status closed = file->Close();
    if (status.ok()) status = closed;
  }
  env->RemoveFile(probe);  // Whether or not it was written; absent is fine.
  if (!status.ok()) {
    return WriteError(status, absl::StrCat("no room to reopen the store (", need, " bytes)"));
  }
  return absl::OkStatus();
}

absl::Status LevelDbStorage::Reopen() {
  if (write_error_.ok()) return absl::OkStatus();
  if (absl::Status room = ProbeRoom(); !room.ok()) return room;
  absl::MutexLock lock(&mu_);
  db_.reset();
  leveldb::Options db_options = DbOptions(options_);
  db_options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<leveldb::DB>> db =
      OpenLevelDb(dir_, db_options, kFormatKey, kFormat);
  if (!db.ok()) {
    write_error_ = db.status();
    return db.status();
  }
  db_ = *std::move(db);
  write_error_ = absl::OkStatus();
  return absl::OkStatus();
}

absl::StatusOr<std::string> LevelDbStorage::Get(absl::string_view key,
                                                absl::string_view what) const {
  absl::ReaderMutexLock lock(&mu_);
  return GetLocked(key, what);
}

absl::StatusOr<std::string> LevelDbStorage::GetLocked(absl::string_view key,
                                                      absl::string_view what) const {
  if (db_ == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read ", what, ": the store is closed, as reopening it after a failed write "
        "failed; it is reopened again shortly"));
  }
  std::string value;
  leveldb::Status status =
      db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return absl::NotFoundError(absl::StrCat(what, " not found"));
  if (!status.ok()) return FromLevelDb(status, absl::StrCat("cannot read ", what));
  return value;
}

absl::StatusOr<std::pair<uint64_t, std::string>> LevelDbStorage::ReadCheckpoint() const {
  absl::ReaderMutexLock lock(&mu_);
  return ReadCheckpointLocked();
}

absl::StatusOr<std::pair<uint64_t, std::string>> LevelDbStorage::ReadCheckpointLocked() const {
  absl::StatusOr<std::string> value = GetLocked(kCheckpointKey, "checkpoint");
  if (absl::IsNotFound(value.status())) return std::make_pair(uint64_t{0}, std::string());
  if (!value.ok()) return value.status();
  if (value->size() < 8) {
    return absl::DataLossError(
        absl::StrCat("stored checkpoint record is ", value->size(), " bytes, want at least 8"));
  }
  return std::make_pair(ReadBigEndian(absl::string_view(*value).substr(0, 8)), value->substr(8));
}

absl::StatusOr<std::string> LevelDbStorage::ReadTile(const TileId& tile) const {
  return Get(TileKey(tile), TilePath(tile));
}

absl::StatusOr<std::string> LevelDbStorage::ReadEntryBundle(const EntryBundleId& bundle) const {
  return Get(BundleKey(bundle), EntryBundlePath(bundle));
}

absl::StatusOr<absl::optional<uint64_t>> LevelDbStorage::ReadTypedFrom() const {
  absl::StatusOr<std::string> value = Get(kTypedFromKey, "typed_from record");
  if (absl::IsNotFound(value.status())) return absl::optional<uint64_t>();
  if (!value.ok()) return value.status();
  if (value->size() != 8) {
    return absl::DataLossError(
        absl::StrCat("stored typed_from record is ", value->size(), " bytes, want 8"));
  }
  return absl::optional<uint64_t>(ReadBigEndian(*value));
}

absl::Status LevelDbStorage::RecordTypedFrom(uint64_t typed_from) {
  std::string value;
  AppendBigEndian(typed_from, 8, &value);
  leveldb::WriteBatch batch;
  batch.Put(std::string(kTypedFromKey), value);
  absl::ReaderMutexLock lock(&mu_);
  return Write(&batch, "cannot record typed_from");
}

absl::StatusOr<IdempotencyRecord> LevelDbStorage::ReadIdempotencyKey(
    absl::string_view key) const {
  absl::StatusOr<std::string> value = Get(IdempotencyKey(key), "idempotency key");
  if (!value.ok()) return value.status();
  if (value->size() != 8 + kHashSize) {
    return absl::DataLossError(absl::StrCat("stored idempotency record is ", value->size(),
                                            " bytes, want ", 8 + kHashSize));
  }
  IdempotencyRecord record;
  record.first_index = ReadBigEndian(absl::string_view(*value).substr(0, 8));
  std::copy(value->begin() + 8, value->end(), record.digest.begin());
  return record;
}

absl::Status LevelDbStorage::Refused() const {
  return WithMessage(write_error_,
                     absl::StrCat("an earlier write failed (", write_error_.message(),
                                  "); the store takes no more writes until it is reopened"));
}

absl::Status LevelDbStorage::Write(leveldb::WriteBatch* batch, absl::string_view what) {
  if (!write_error_.ok()) return Refused();
  leveldb::WriteOptions options;
  options.sync = true;
  absl::Status status = WriteError(db_->Write(options, batch), what);
  if (!status.ok()) write_error_ = status;
  return status;
}

absl::Status LevelDbStorage::Commit(const WriteSet& write) {
  if (!write_error_.ok()) return Refused();
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<std::pair<uint64_t, std::string>> current = ReadCheckpointLocked();
  if (!current.ok()) return current.status();
  if (write.tree_size <= current->first) {
    return absl::FailedPreconditionError(absl::StrCat("commit of tree size ", write.tree_size,
                                                      ", want more than the stored ",
                                                      current->first));
  }
  leveldb::WriteBatch batch;
  for (const auto& [tile, data] : write.tiles) {
    std::string key = TileKey(tile);
    if (tile.is_full()) {
      DeleteOtherVersions(db_.get(), TileIndexKey(tile.level, tile.index), key, &batch);
    }
    batch.Put(key, data);
  }
  for (const auto& [bundle, data] : write.bundles) {
    std::string key = BundleKey(bundle);
    if (bundle.is_full()) {
      DeleteOtherVersions(db_.get(), BundleIndexKey(bundle.index), key, &batch);
    }
    batch.Put(key, data);
  }
  std::string checkpoint;
  AppendBigEndian(write.tree_size, 8, &checkpoint);
  checkpoint.append(write.checkpoint);
  for (const auto& [key, record] : write.idempotency_keys) {
    std::string value;
    AppendBigEndian(record.first_index, 8, &value);
    absl::StrAppend(&value, HashBytes(record.digest));
    batch.Put(IdempotencyKey(key), value);
  }
  batch.Put(std::string(kCheckpointKey), checkpoint);
  return Write(&batch, "cannot commit batch");
}

}  // namespace ledger
}  // namespace vellum
