#ifndef VELLUM_LEDGER_SEQUENCER_H_
#define VELLUM_LEDGER_SEQUENCER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ledger/storage.h"
#include "ledger/tree_state.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

// A committed tree: its size, root and the signed checkpoint for it. Immutable.
struct LogHead {
  uint64_t size = 0;
  Hash root = EmptyRoot();
  std::string checkpoint;  // The signed note.
};

struct SequencerOptions {
  // A batch holds at most this many entries, unless one append alone is larger.
  size_t max_batch_entries = 4096;
  // How long the first append of a batch waits for others to join it. Zero commits at once;
  // appends that arrive during a commit form the next batch either way.
  absl::Duration max_batch_delay = absl::ZeroDuration();
};

// Entries are 1 to 65,535 bytes.
inline constexpr size_t kMaxEntryBytes = 65535;

// The single writer of a log. Concurrent appends are gathered into batches (group commit); each
// batch is hashed, its tiles and bundles built, and the entries, tiles and a freshly signed
// checkpoint written in one synced atomic write before any of its appends returns. Thread-safe.
class Sequencer {
 public:
  // Recovers the log in `storage`: rebuilds the right edge of the tree from the stored tiles and
  // checks its root against the stored checkpoint, which must be signed by `signer` and name
  // signer->name() as origin. Fails with DataLoss, naming both roots, if they disagree. An empty
  // store starts the empty tree. `storage` and `signer` must outlive the sequencer.
  static absl::StatusOr<std::unique_ptr<Sequencer>> Create(LogStorage* storage,
                                                           const NoteSigner* signer,
                                                           const SequencerOptions& options);

  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  struct Appended {
    uint64_t first_index;                   // entries[i] is at first_index + i.
    std::shared_ptr<const LogHead> head;    // The first checkpoint that covers them.
  };

  // Appends `entries` at consecutive indices and returns once they are durable. Fails with
  // InvalidArgument, changing nothing, if there are none or one is empty or longer than 65,535
  // bytes; with the storage error if the batch could not be written, in which case none of the
  // batch's entries is in the log.
  absl::StatusOr<Appended> Append(absl::Span<const std::string> entries);

  // The latest committed tree.
  std::shared_ptr<const LogHead> Head() const;

  const std::string& origin() const { return signer_->name(); }

 private:
  struct Writer;

  Sequencer(LogStorage* storage, const NoteSigner* signer, const SequencerOptions& options,
            TreeState state, std::shared_ptr<const LogHead> head);

  // Commits the writers at the front of the queue as one batch. Called by the front writer.
  void CommitBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  LogStorage* const storage_;
  const NoteSigner* const signer_;
  const SequencerOptions options_;

  mutable absl::Mutex mu_;
  std::deque<Writer*> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_entries_ ABSL_GUARDED_BY(mu_) = 0;
  // Touched only by the writer at the front of the queue, which runs one batch at a time.
  TreeState state_;
  std::shared_ptr<const LogHead> head_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_SEQUENCER_H_
