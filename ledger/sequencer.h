#ifndef VELLUM_LEDGER_SEQUENCER_H_
#define VELLUM_LEDGER_SEQUENCER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ledger/metrics/metrics.h"
#include "ledger/storage.h"
#include "ledger/tree_state.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/tile.h"

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
  // Called on the writer thread with the new tree size after each batch is committed and its
  // head published, before its appends are acknowledged; must be quick. Feeds derived indexes
  // (IndexFollower::Notify).
  std::function<void(uint64_t tree_size)> on_commit;
};

// The single writer of a log. Appends are queued and a writer thread gathers them into batches
// (group commit): each batch is hashed, its tiles and bundles built, and the entries, tiles and a
// freshly signed checkpoint written in one synced atomic write before any of its appends is
// acknowledged. Thread-safe.
class Sequencer {
 public:
  // Recovers the log in `storage`: rebuilds the right edge of the tree from the stored tiles and
  // checks its root against the stored checkpoint, which must be signed by `signer` and name
  // signer->name() as origin. Fails with DataLoss, naming both roots, if they disagree. An empty
  // store starts the empty tree. `storage` and `signer` must outlive the sequencer.
  static absl::StatusOr<std::unique_ptr<Sequencer>> Create(LogStorage* storage,
                                                           const NoteSigner* signer,
                                                           const SequencerOptions& options);

  // Commits every append already queued, then stops the writer thread.
  ~Sequencer();

  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  struct Appended {
    uint64_t first_index;                 // entries[i] is at first_index + i.
    std::shared_ptr<const LogHead> head;  // The first checkpoint that covers them.
  };
  using Callback = std::function<void(absl::StatusOr<Appended>)>;

  // Appends `entries` at consecutive indices and calls `done` once they are durable, or with the
  // error that kept them out of the log: InvalidArgument (called at once, nothing changed) if
  // there are none or one is empty or longer than kMaxEntrySize (proof/tile.h); the storage
  // error if their batch could not be written, in which case none of the batch is in the log. `done` runs on the
  // writer thread or the caller's, and must be quick: hand real work to another thread.
  void AppendAsync(std::vector<std::string> entries, Callback done);

  // As AppendAsync(), blocking until done.
  absl::StatusOr<Appended> Append(std::vector<std::string> entries);

  // The latest committed tree.
  std::shared_ptr<const LogHead> Head() const;

  // OK while the last batch committed, or none was tried; otherwise that batch's error. A store
  // may refuse every write after one failure until it is reopened (LevelDbStorage does), so a
  // lasting error here means the process needs a restart.
  absl::Status Health() const;

  // Appends the sequencer's metrics in the Prometheus text format: batches, entries, batch
  // sizes, commit latency and commit errors.
  void RenderMetrics(std::string* out) const;

  const std::string& origin() const { return signer_->name(); }

 private:
  struct Pending;

  Sequencer(LogStorage* storage, const NoteSigner* signer, const SequencerOptions& options,
            TreeState state, std::shared_ptr<const LogHead> head);

  // The writer thread: commits batches until stopping_ and the queue is empty.
  void Run();
  // Writes one batch and returns the new head, or the error; on error state_ is unchanged.
  absl::StatusOr<std::shared_ptr<const LogHead>> CommitBatch(std::vector<Pending>& batch);

  LogStorage* const storage_;
  const NoteSigner* const signer_;
  const SequencerOptions options_;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_entries_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const LogHead> head_ ABSL_GUARDED_BY(mu_);
  absl::Status last_commit_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> committed_entries_{0};
  std::atomic<uint64_t> commit_errors_{0};
  Histogram batch_entries_{Histogram::CountBounds()};
  Histogram commit_seconds_{Histogram::LatencyBounds()};
  // Owned by the writer thread.
  TreeState state_;
  std::thread writer_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_SEQUENCER_H_
