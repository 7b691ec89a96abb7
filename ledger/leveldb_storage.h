#ifndef VELLUM_LEDGER_LEVELDB_STORAGE_H_
#define VELLUM_LEDGER_LEVELDB_STORAGE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "ledger/storage.h"

namespace leveldb {
class DB;
class Env;
class WriteBatch;
}  // namespace leveldb

namespace vellum {
namespace ledger {

// The embedded default store: one LevelDB database in one directory. Every Commit() is a single
// LevelDB WriteBatch written with sync = true. Keys are versioned and namespaced:
//
//   v1/meta/format            "1"
//   v1/meta/typed_from        8-byte big-endian index from which entries are typed
//                             (docs/formats.md, "Entries"); written once, by LocalLog
//   v1/checkpoint             8-byte big-endian tree size || signed checkpoint note
//   v1/t/<L:1><N:8><W:2>      tile bytes (big-endian integers; W = 256 for a full tile)
//   v1/e/<N:8><W:2>           entry bundle bytes
//   v1/k/<idempotency key>    8-byte big-endian first index || 32-byte digest
//                             (IdempotencyRecord), written in the commit of its append
//
// Stores written before the leaf-hash index moved to its own IndexStore also hold
// v1/h/<leaf hash:32><I:8> keys; nothing reads them any more.
//
// Thread-safe. LevelDB locks the directory, so a second process opening it fails at once.
//
// After a failed write the end of LevelDB's log file is in an unknown state: part of the batch
// may be in it, and LevelDB would append later batches after the torn record (it stops writing
// by itself only after a failed sync), leaving a log it refuses to recover. So once a Commit
// fails, every later Commit fails with its code until Reopen(); reopening recovers the last
// batch that reached the log whole, which is either the last acknowledged one or the one that
// failed. A write that failed for a full disk (ENOSPC, here or in a compaction) fails with
// InsufficientStorageError (ledger/refusal.h), any other with Unavailable.
class LevelDbStorage : public LogStorage {
 public:
  struct Options {
    // The filesystem seam; nullptr means leveldb::Env::Default(). Not owned.
    leveldb::Env* env = nullptr;
    // Creates the database if the directory holds none.
    bool create_if_missing = true;
    // LevelDB's memtable size and table file size. Larger than LevelDB's defaults (4 MiB and
    // 2 MiB): each commit writes tens of KiB of tiles and bundles, and with small tables
    // compaction was most of the write path's cost (docs/benchmarks.md).
    size_t write_buffer_bytes = 64 << 20;
  };

  // Opens (or creates) the store in `dir`. Fails with FailedPrecondition when another process
  // holds the directory, and with DataLoss when it holds an unknown format.
  static absl::StatusOr<std::unique_ptr<LevelDbStorage>> Open(absl::string_view dir,
                                                              const Options& options);
  ~LevelDbStorage() override;

  LevelDbStorage(const LevelDbStorage&) = delete;
  LevelDbStorage& operator=(const LevelDbStorage&) = delete;

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override;
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override;
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override;
  absl::Status Commit(const WriteSet& write) override;
  absl::StatusOr<IdempotencyRecord> ReadIdempotencyKey(absl::string_view key) const override;

  // After a failed write: first probes for room, writing and syncing a file in the directory as
  // large as LevelDB's write-ahead logs plus 1 MiB (what the reopen writes: the logs' contents as
  // a table, and a new manifest), and fails with the probe's error (insufficient storage or
  // Unavailable) if it cannot, the database staying open for reads. Then closes and reopens the
  // database. Should that open fail after all, reads fail with Unavailable until a Reopen()
  // succeeds.
  absl::Status Reopen() override;

  // The recorded index from which the log's entries are typed, or nullopt for a store that has
  // none (created before the record existed). DataLoss for a malformed record.
  absl::StatusOr<absl::optional<uint64_t>> ReadTypedFrom() const;
  // Records `typed_from` in one synced write, so it is durable when this returns OK. Fails like
  // Commit (and, after a failure, as Commit does until the store is reopened).
  absl::Status RecordTypedFrom(uint64_t typed_from);

 private:
  LevelDbStorage(std::string dir, const Options& options, std::unique_ptr<leveldb::DB> db);

  absl::StatusOr<std::string> Get(absl::string_view key, absl::string_view what) const;
  absl::StatusOr<std::string> GetLocked(absl::string_view key, absl::string_view what) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpointLocked() const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // What a write gets once one failed: write_error_'s code, saying so.
  absl::Status Refused() const;
  // Writes `batch` synced, unless an earlier write failed; records a failure in write_error_.
  absl::Status Write(leveldb::WriteBatch* batch, absl::string_view what)
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Writes a file of the size a reopen needs and removes it (Reopen()).
  absl::Status ProbeRoom() const;

  const std::string dir_;
  const Options options_;
  // Exclusive only while Reopen() swaps the database; readers and Commit() share it.
  mutable absl::Mutex mu_;
  std::unique_ptr<leveldb::DB> db_ ABSL_GUARDED_BY(mu_);
  // The error of the first failed write since the store was opened, if any. Only the writer
  // (Commit, RecordTypedFrom, Reopen: one caller at a time) uses it.
  absl::Status write_error_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_LEVELDB_STORAGE_H_
