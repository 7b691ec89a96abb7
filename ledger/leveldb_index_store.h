#ifndef VELLUM_LEDGER_LEVELDB_INDEX_STORE_H_
#define VELLUM_LEDGER_LEVELDB_INDEX_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/index_store.h"

namespace leveldb {
class DB;
class Env;
}  // namespace leveldb

namespace vellum {
namespace ledger {

// The embedded IndexStore: a LevelDB database of its own, apart from the log's. Keys:
//
//   meta/format     "1"
//   meta/indexes    Options::indexes: which indexes the store holds
//   meta/position   8-byte big-endian leaf count
//   i/<index>/...   each index's records, in its own namespace
//
// Writes are not synced. LevelDB applies each write whole, so after a crash the store holds the
// records of some earlier position together with that position, and the follower catches up
// from there. Thread-safe for one writer.
class LevelDbIndexStore : public IndexStore {
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
  // log was replaced) or that holds another set of indexes is deleted and created empty, to be
  // rebuilt: its content is derived. Fails with FailedPrecondition when another process holds
  // the directory.
  static absl::StatusOr<std::unique_ptr<LevelDbIndexStore>> Open(absl::string_view dir,
                                                                 uint64_t log_size,
                                                                 const Options& options);
  ~LevelDbIndexStore() override;

  LevelDbIndexStore(const LevelDbIndexStore&) = delete;
  LevelDbIndexStore& operator=(const LevelDbIndexStore&) = delete;

  uint64_t position() const override { return position_.load(std::memory_order_acquire); }
  absl::Status Write(const IndexRecords& records, uint64_t new_position) override;
  std::unique_ptr<IndexIterator> NewIterator() const override;

 private:
  LevelDbIndexStore(std::unique_ptr<leveldb::DB> db, uint64_t position);

  std::unique_ptr<leveldb::DB> db_;
  std::atomic<uint64_t> position_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_LEVELDB_INDEX_STORE_H_
