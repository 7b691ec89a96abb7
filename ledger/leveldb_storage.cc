#include "ledger/leveldb_storage.h"

#include <cstring>

#include "absl/status/status.h"
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

constexpr absl::string_view kFormatKey = "v1/meta/format";
constexpr absl::string_view kFormat = "1";
constexpr absl::string_view kTypedFromKey = "v1/meta/typed_from";
constexpr absl::string_view kCheckpointKey = "v1/checkpoint";
constexpr absl::string_view kTilePrefix = "v1/t/";
constexpr absl::string_view kBundlePrefix = "v1/e/";

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

}  // namespace

absl::StatusOr<std::unique_ptr<LevelDbStorage>> LevelDbStorage::Open(absl::string_view dir,
                                                                      const Options& options) {
  leveldb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.write_buffer_size = options.write_buffer_bytes;
  db_options.max_file_size = options.write_buffer_bytes;
  if (options.env != nullptr) db_options.env = options.env;
  absl::StatusOr<std::unique_ptr<leveldb::DB>> db =
      OpenLevelDb(dir, db_options, kFormatKey, kFormat);
  if (!db.ok()) return db.status();
  return std::unique_ptr<LevelDbStorage>(new LevelDbStorage(*std::move(db)));
}

LevelDbStorage::LevelDbStorage(std::unique_ptr<leveldb::DB> db) : db_(std::move(db)) {}

LevelDbStorage::~LevelDbStorage() = default;

absl::StatusOr<std::string> LevelDbStorage::Get(absl::string_view key,
                                                absl::string_view what) const {
  std::string value;
  leveldb::Status status =
      db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return absl::NotFoundError(absl::StrCat(what, " not found"));
  if (!status.ok()) return FromLevelDb(status, absl::StrCat("cannot read ", what));
  return value;
}

absl::StatusOr<std::pair<uint64_t, std::string>> LevelDbStorage::ReadCheckpoint() const {
  absl::StatusOr<std::string> value = Get(kCheckpointKey, "checkpoint");
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
  if (!write_error_.ok()) {
    return absl::UnavailableError(
        absl::StrCat("an earlier write failed (", write_error_.message(),
                     "); the store takes no more writes until it is reopened"));
  }
  std::string value;
  AppendBigEndian(typed_from, 8, &value);
  leveldb::WriteOptions options;
  options.sync = true;
  absl::Status status = FromLevelDb(db_->Put(options, std::string(kTypedFromKey), value),
                                    "cannot record typed_from");
  if (!status.ok()) write_error_ = status;
  return status;
}

absl::Status LevelDbStorage::Commit(const WriteSet& write) {
  if (!write_error_.ok()) {
    return absl::UnavailableError(
        absl::StrCat("an earlier commit failed (", write_error_.message(),
                     "); the store takes no more writes until it is reopened"));
  }
  absl::StatusOr<std::pair<uint64_t, std::string>> current = ReadCheckpoint();
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
  batch.Put(std::string(kCheckpointKey), checkpoint);
  leveldb::WriteOptions options;
  options.sync = true;
  absl::Status status = FromLevelDb(db_->Write(options, &batch), "cannot commit batch");
  if (!status.ok()) write_error_ = status;
  return status;
}

}  // namespace ledger
}  // namespace vellum
