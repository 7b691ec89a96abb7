#ifndef VELLUM_LEDGER_LOCAL_LOG_H_
#define VELLUM_LEDGER_LOCAL_LOG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/events/event_index.h"
#include "ledger/index_follower.h"
#include "ledger/index_store.h"
#include "ledger/leaf_index.h"
#include "ledger/leveldb_storage.h"

namespace vellum {
namespace ledger {

// The embedded store of one log directory, as vellumd and `vellum bench append` run it: the log in
// DIR/db (LevelDbStorage, written by the sequencer in synced commits) and its derived indexes in
// DIR/index (IndexStore, written after each commit by an IndexFollower, rebuilt from the log when
// missing or behind). Feed the follower from the sequencer:
//
//   options.on_commit = [log](uint64_t size) { log->follower().Notify(size); };
//
// Thread-safe.
class LocalLog {
 public:
  struct Options {
    // Keeps an EventIndex of the entries next to the leaf-hash index, reading their fields with
    // this function; none when empty.
    EventFieldsFn event_fields;
    // Deletes the derived indexes first, to rebuild them from the log.
    bool rebuild_indexes = false;
  };

  // Opens or creates both stores under `data_dir`, which must exist, and starts the follower.
  static absl::StatusOr<std::unique_ptr<LocalLog>> Open(absl::string_view data_dir,
                                                        const Options& options);
  static absl::StatusOr<std::unique_ptr<LocalLog>> Open(absl::string_view data_dir) {
    return Open(data_dir, Options());
  }

  // Stops the follower; what it has not indexed yet is indexed after the next Open().
  ~LocalLog();

  LocalLog(const LocalLog&) = delete;
  LocalLog& operator=(const LocalLog&) = delete;

  LevelDbStorage& storage() { return *storage_; }
  const LeafHashIndex& leaf_index() const { return *leaf_index_; }
  // nullptr unless Options::event_fields was set.
  const EventIndex* event_index() const { return event_index_.get(); }
  IndexFollower& follower() { return *follower_; }

 private:
  LocalLog() = default;

  // Declared in the order they are built; destroyed in reverse.
  std::unique_ptr<LevelDbStorage> storage_;
  std::unique_ptr<IndexStore> index_store_;
  std::unique_ptr<LeafHashIndex> leaf_index_;
  std::unique_ptr<EventIndex> event_index_;
  std::unique_ptr<IndexFollower> follower_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_LOCAL_LOG_H_
