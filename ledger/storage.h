#ifndef VELLUM_LEDGER_STORAGE_H_
#define VELLUM_LEDGER_STORAGE_H_

// The storage seam of the log. Tiles, entry bundles and the latest checkpoint are the units of
// storage, as they are the units of serving (c2sp.org/tlog-tiles). Data derived from the
// entries, such as the leaf-hash index, is not part of a commit: it lives in an IndexStore
// (index_store.h). Backends: LevelDbStorage (private to the state layer; written by the
// sequencer and the monitor's mirror only) and MemoryStorage (tests); both run the shared
// conformance suite in storage_conformance_test.cc. LogReader has other implementations that
// only read: a store opened read-only (stored_log.h) and a log server over HTTP
// (api/client/http_log_reader.h).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proof/hash.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {

// What an idempotency key (Sequencer::AppendOptions) was first used for: the index of the
// append's first entry, and the digest of its entries (IdempotencyDigest in sequencer.h), which
// tells a retry of the same append from another one under the same key.
struct IdempotencyRecord {
  uint64_t first_index = 0;
  Hash digest{};
};

// Everything one committed batch changes, written as one atomic, durable unit.
struct WriteSet {
  // The tree size after the batch, and the signed checkpoint note for it.
  uint64_t tree_size = 0;
  std::string checkpoint;
  // New tiles and entry bundles (full, or the new partial ones), with their bytes.
  std::vector<std::pair<TileId, std::string>> tiles;
  std::vector<std::pair<EntryBundleId, std::string>> bundles;
  // The idempotency keys of the batch's appends that gave one, each new to the store: committed
  // with the entries they name, so a batch that reached the disk has its keys too.
  std::vector<std::pair<std::string, IdempotencyRecord>> idempotency_keys;
};

// The read side. Implementations are thread-safe, and a reader never sees part of a WriteSet.
class LogReader {
 public:
  virtual ~LogReader() = default;

  // The latest committed tree size and checkpoint note. A new, empty store has size 0 and an
  // empty checkpoint.
  virtual absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const = 0;

  // The bytes of a tile or entry bundle, or NotFound. A partial tile may be NotFound once the
  // full tile of the same index exists: the spec lets a log delete superseded partial tiles.
  virtual absl::StatusOr<std::string> ReadTile(const TileId& tile) const = 0;
  virtual absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const = 0;
};

// The read-write side. Only the sequencer holds one.
class LogStorage : public LogReader {
 public:
  // Applies `write` atomically and durably: when this returns OK the whole set is on stable
  // storage; when it fails, none of it is visible now, and after a restart it is either wholly
  // present or wholly absent (a write can fail after reaching the disk). Writing a full tile or
  // bundle may delete the partial versions of the same index. Requires write.tree_size to be
  // greater than the stored size; fails with FailedPrecondition otherwise. Not for concurrent
  // use: a log has one writer.
  virtual absl::Status Commit(const WriteSet& write) = 0;

  // The record committed for idempotency key `key`, or NotFound. Keys are kept as long as the
  // log.
  virtual absl::StatusOr<IdempotencyRecord> ReadIdempotencyKey(absl::string_view key) const = 0;

  // Makes the store take writes again after a failed Commit(), if it can; OK when the next
  // Commit() may succeed (at once if none failed). The committed state may then be the one before
  // the failed commit or the one after it: the writer must recover its state from the store
  // (RecoverLog), as after a restart. Not concurrent with Commit().
  virtual absl::Status Reopen() = 0;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_STORAGE_H_
