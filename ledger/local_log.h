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
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

// One log directory as vellumd and `vellum bench append` run it: the log in DIR/db
// (LevelDbStorage, written only by the sequencer, in synced commits), its derived indexes in
// DIR/index (a LevelDbIndexStore, written after each commit by an IndexFollower, rebuilt from the
// log when missing or behind), and, given a signer, the log's one Sequencer, which feeds the
// follower. No writable handle to the store leaves it. Thread-safe, except that StopSequencer()
// must not race sequencer(): call it from the thread that owns the LocalLog.
//
// The log's typed_from (docs/formats.md, "Entries") is recorded in DIR/db: the index from which
// entries may be events. Open() records it, in one synced write before it opens the indexes or
// starts the sequencer, when the store has none: 0 for a new log, the current size for a log
// written before entries were typed. Until the record is durable nothing else has changed, so a
// crash before it is retried at the next Open() with the same size; the event indexes of such a
// log were built by an older index set and are rebuilt.
class LocalLog {
 public:
  struct Options {
    // Keeps an EventIndex of the entries next to the leaf-hash index, reading their fields with
    // this function; none when empty. `event_indexes` names the set it builds: kLeafAndEventIndexes
    // when the function maps identities in clear to pseudonyms (EventFieldsOn with a sealed
    // store's PseudonymFn), kLeafAndClearEventIndexes when it does not.
    EventFieldsFn event_fields;
    std::string event_indexes = std::string(kLeafAndClearEventIndexes);
    // Deletes the derived indexes first, to rebuild them from the log.
    bool rebuild_indexes = false;
    // Runs the log's sequencer with this key (Sequencer::Create: recovers the log, refusing one
    // whose tiles and signed checkpoint disagree) and these batching options; on_commit must be
    // empty, as the follower is fed from it. Without a signer the log is only read and indexed.
    // Not owned; must outlive the LocalLog.
    const NoteSigner* signer = nullptr;
    SequencerOptions sequencer;
  };

  // Opens or creates both stores under `data_dir`, which must exist, starts the follower and,
  // with a signer, the sequencer.
  static absl::StatusOr<std::unique_ptr<LocalLog>> Open(absl::string_view data_dir,
                                                        const Options& options);

  // Stops the sequencer (StopSequencer), then the follower; what the follower has not indexed
  // yet is indexed after the next Open().
  ~LocalLog();

  LocalLog(const LocalLog&) = delete;
  LocalLog& operator=(const LocalLog&) = delete;

  const LogReader& storage() const { return *storage_; }
  // Entries below this index are never events.
  uint64_t typed_from() const { return typed_from_; }
  const LeafHashIndex& leaf_index() const { return *leaf_index_; }
  // nullptr unless Options::event_fields was set.
  const EventIndex* event_index() const { return event_index_.get(); }
  IndexFollower& follower() { return *follower_; }
  // nullptr without Options::signer, and after StopSequencer().
  Sequencer* sequencer() { return sequencer_.get(); }

  // Commits every append already queued and stops the sequencer (its callbacks have all run
  // when this returns); the stores stay open for reading. Idempotent.
  void StopSequencer() { sequencer_.reset(); }

 private:
  LocalLog() = default;

  // Declared in the order they are built; destroyed in reverse.
  std::unique_ptr<LevelDbStorage> storage_;
  uint64_t typed_from_ = 0;
  std::unique_ptr<IndexStore> index_store_;
  std::unique_ptr<LeafHashIndex> leaf_index_;
  std::unique_ptr<EventIndex> event_index_;
  std::unique_ptr<IndexFollower> follower_;
  std::unique_ptr<Sequencer> sequencer_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_LOCAL_LOG_H_
