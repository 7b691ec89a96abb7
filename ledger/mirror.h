#ifndef VELLUM_LEDGER_MIRROR_H_
#define VELLUM_LEDGER_MIRROR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/leveldb_storage.h"
#include "ledger/storage.h"
#include "ledger/tree_state.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

// The root of a tree's first `size` leaves, and the consistency proof from there to the whole
// tree: what split-view evidence needs from the larger of two trees.
struct PrefixProof {
  uint64_t size = 0;
  Hash root{};
  std::vector<Hash> consistency;
};

// A monitor's verified copy of a log: the entry bundles and tiles of the latest checkpoint it
// verified, and that signed checkpoint, in a LevelDbStorage. Everything in it was
// recomputed from the entries, starting from the empty tree, and checked against the log's
// signed roots, so it answers questions about any earlier tree size without asking the log. It
// and the sequencer are the only writers of a log store.
// Each Extend() is one synced commit, so a crash loses nothing verified, and Open() resumes
// from the store. Thread-compatible.
class Mirror {
 public:
  // Opens (or creates) the mirror in `dir`, checked as RecoverLog() checks a stored log (DataLoss
  // unless the stored checkpoint opens with `log_key` and the stored tiles lead to its root);
  // FailedPrecondition when another process holds the directory. `log_key` must outlive the
  // mirror.
  static absl::StatusOr<std::unique_ptr<Mirror>> Open(absl::string_view dir,
                                                      const NoteVerifier& log_key);

  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;

  // The latest verified checkpoint (size 0 and the empty root while empty) and its signed note,
  // verbatim as the log served it ("" while empty).
  const Checkpoint& checkpoint() const { return checkpoint_; }
  const std::string& note() const { return note_; }
  uint64_t size() const { return checkpoint_.size; }

  // The mirrored tree's root at `size` and the consistency proof from `size` to the mirror's
  // size. OutOfRange if size > this->size().
  absl::StatusOr<PrefixProof> Prefix(uint64_t size) const;

  // Extends the mirror to `checkpoint`, whose signature the caller has verified (`note` is its
  // signed note), and whose consistency with the mirror's checkpoint the caller has checked.
  // Requires checkpoint.size > size() (FailedPrecondition otherwise). Fetches the new entries'
  // bundles, appends them to the tree, and checks that every entry bundle and tile the grown
  // tree holds past the old size is what `log` serves (superseded partial ones read as
  // ReadServedTile() does), and that the root is the checkpoint's; then commits all of it with
  // the note in one synced write. Fails, changing nothing, with DataLoss on the first difference
  // ("got" what the log serves, "want" what the mirror recomputes), with the reader's errors, and
  // with Internal if the commit fails.
  absl::Status Extend(const LogReader& log, const Checkpoint& checkpoint, absl::string_view note);

 private:
  Mirror(std::unique_ptr<LevelDbStorage> storage, TreeState state,
         Checkpoint checkpoint, std::string note)
      : storage_(std::move(storage)),
        state_(std::move(state)),
        checkpoint_(std::move(checkpoint)),
        note_(std::move(note)) {}

  std::unique_ptr<LevelDbStorage> storage_;
  TreeState state_;
  Checkpoint checkpoint_;
  std::string note_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_MIRROR_H_
