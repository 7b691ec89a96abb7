#ifndef VELLUM_LEDGER_INDEX_STORE_H_
#define VELLUM_LEDGER_INDEX_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace vellum {
namespace ledger {

// Records to write to an IndexStore in one Write: keys, each starting with "i/<index>/", with
// (usually empty) values, kept in one buffer so that adding a record does not allocate.
// Thread-compatible.
class IndexRecords {
 public:
  void Put(absl::string_view key, absl::string_view value = {});

  // Calls `visit` with each record, in the order they were put.
  void ForEach(absl::FunctionRef<void(absl::string_view key, absl::string_view value)> visit) const;

  size_t size() const { return count_; }

 private:
  std::string buffer_;  // Per record: 4-byte key length, key, 4-byte value length, value.
  size_t count_ = 0;
};

// A position in an IndexStore's records (the keys under "i/", whatever else the backend keeps),
// in byte order of their keys. Thread-compatible.
class IndexIterator {
 public:
  virtual ~IndexIterator() = default;

  // Moves to the first key at or after `target`, or to the last key; Valid() is false when there
  // is none.
  virtual void Seek(absl::string_view target) = 0;
  virtual void SeekToLast() = 0;
  virtual bool Valid() const = 0;
  // Require Valid().
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual absl::string_view key() const = 0;
  // OK, or the read error that left the iterator invalid: DataLoss for corruption, Unavailable
  // otherwise, with the backend's message.
  virtual absl::Status status() const = 0;
};

// The store of the data derived from a log's entries: secondary indexes that can be rebuilt
// from the log at any time (DerivedIndex, IndexFollower). It records the position up to which
// they are complete: every index holds the records of leaves [0, position()), each index under
// its own key namespace "i/<index>/". Writes need not be durable: the log is the durable copy,
// and a store that lost its last writes is only behind. Backends: LevelDbIndexStore (the
// embedded default) and MemoryIndexStore (tests); both run index_store_conformance_test.cc.
// Implementations are thread-safe for one writer and any number of readers.
class IndexStore {
 public:
  virtual ~IndexStore() = default;

  // Leaves [0, position()) are indexed.
  virtual uint64_t position() const = 0;

  // Writes `records` and the new position atomically, then publishes the position. Requires
  // new_position >= position(); fails with FailedPrecondition, writing nothing, otherwise. Only
  // one thread may write.
  virtual absl::Status Write(const IndexRecords& records, uint64_t new_position) = 0;

  // An iterator over every record; it sees at least the records of the leaves below the
  // position() read before creating it.
  virtual std::unique_ptr<IndexIterator> NewIterator() const = 0;

  // The first key, in byte order, that starts with `prefix`, or nullopt.
  absl::StatusOr<absl::optional<std::string>> FirstKey(absl::string_view prefix) const;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_INDEX_STORE_H_
