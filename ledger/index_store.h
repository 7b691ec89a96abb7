#ifndef VELLUM_LEDGER_INDEX_STORE_H_
#define VELLUM_LEDGER_INDEX_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "leveldb/write_batch.h"

namespace leveldb {
class DB;
class Env;
class Iterator;
}  // namespace leveldb

namespace vellum {
namespace ledger {

// A LevelDB database, apart from the log's, for data derived from the log's entries: secondary
// indexes that can be rebuilt from the log at any time (DerivedIndex, IndexFollower). It records
// the position up to which they are complete: every index holds the records of leaves
// [0, position()). Keys:
//
//   meta/format     "1"
//   meta/indexes    Options::indexes: which indexes the store holds
//   meta/position   8-byte big-endian leaf count
//   i/<index>/...   each index's records, in its own namespace
//
// Writes are not synced: the log is the durable copy. LevelDB applies each write whole, so after
// a crash the store holds the records of some earlier position together with that position, and
// the follower catches up from there. Thread-safe.
class IndexStore {
 public:
  struct Options {
    // The filesystem seam; nullptr means leveldb::Env::Default(). Not owned.
    leveldb::Env* env = nullptr;
    // Names the set of indexes the store holds (and their formats). A store opened with another
    // set is deleted and rebuilt, so that every index covers the same leaves.
    std::string indexes = "leaf";
    // Deletes the store first, so that the follower rebuilds it from the log (`vellum reindex`).
    bool rebuild = false;
  };

  // Opens the store in `dir` for a log of `log_size` leaves, or creates it. A store that cannot
  // be opened (files missing, torn or corrupt), that claims more leaves than the log has (the
  // log was replaced) or that holds another set of indexes is deleted and created empty, to be rebuilt: its content is derived. Fails
  // with FailedPrecondition when another process holds the directory.
  static absl::StatusOr<std::unique_ptr<IndexStore>> Open(absl::string_view dir,
                                                          uint64_t log_size,
                                                          const Options& options);
  ~IndexStore();

  IndexStore(const IndexStore&) = delete;
  IndexStore& operator=(const IndexStore&) = delete;

  // Leaves [0, position()) are indexed.
  uint64_t position() const { return position_.load(std::memory_order_acquire); }

  // Writes `records` and the new position in one LevelDB write, then publishes the position.
  // Requires new_position >= position(). Only one thread may write.
  absl::Status Write(leveldb::WriteBatch records, uint64_t new_position);

  // The first key, in byte order, that starts with `prefix`, or nullopt.
  absl::StatusOr<absl::optional<std::string>> FirstKey(absl::string_view prefix) const;

  // An iterator over every record, for range scans; it sees at least the records of the leaves
  // below the position() read before creating it. Check its status() when it becomes invalid.
  std::unique_ptr<leveldb::Iterator> NewIterator() const;

 private:
  IndexStore(std::unique_ptr<leveldb::DB> db, uint64_t position);

  std::unique_ptr<leveldb::DB> db_;
  std::atomic<uint64_t> position_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_INDEX_STORE_H_
