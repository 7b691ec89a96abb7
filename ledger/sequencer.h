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

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/string_view.h"
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
  // The most entries, and bytes of entries, waiting for a batch (beyond the batch being built
  // while another is written, which holds at most max_batch_entries). An append that would take
  // the queue past either bound while other appends wait is refused at once with Unavailable and
  // a retry hint (ledger/refusal.h: HTTP 503 with Retry-After) and counted; an append alone is
  // queued whatever its size.
  size_t max_queued_entries = 100000;
  size_t max_queued_bytes = size_t{64} << 20;
  // After a failed commit the sequencer refuses appends and tries to reopen the store
  // (LogStorage::Reopen, then the recovery of Create()): first after retry_initial_delay, then
  // after twice the last delay, up to retry_max_delay, until a reopen succeeds.
  absl::Duration retry_initial_delay = absl::Milliseconds(100);
  absl::Duration retry_max_delay = absl::Seconds(5);
  // How long the first append of a batch waits for others to join it. Zero commits at once;
  // appends that arrive during a commit form the next batch either way.
  absl::Duration max_batch_delay = absl::ZeroDuration();
  // Called on a sequencer thread, one call at a time and in order, with the new tree size after
  // each batch is committed and its head published, before its appends are acknowledged; must
  // be quick. Feeds derived indexes (IndexFollower::Notify).
  std::function<void(uint64_t tree_size)> on_commit;
};

// The most bytes of an idempotency key.
inline constexpr size_t kMaxIdempotencyKeySize = 128;

// OK for a valid idempotency key: 1 to kMaxIdempotencyKeySize bytes, each a letter, a digit or
// one of "-_.:~+/=" (UUIDs, ULIDs, hex and base64 fit); InvalidArgument naming the fault
// otherwise.
absl::Status CheckIdempotencyKey(absl::string_view key);

// What an idempotency key's record keeps of an append to tell a retry from another append: the
// leaf hash of a single entry; for several, HashChildren folded left over their leaf hashes.
Hash IdempotencyDigest(absl::Span<const Hash> leaf_hashes);

// The single writer of a log. Appends are queued and a writer thread gathers them into batches
// (group commit): each batch is hashed, its tiles and bundles built, and the entries, tiles, the
// idempotency keys and a freshly signed checkpoint written in one synced atomic write before any
// of its appends is acknowledged. The write path is a pipeline of two threads: while a syncer
// thread writes and syncs batch N, the writer builds and signs batch N+1 on the tree of batch N,
// and hands it over only once N is durable; nothing is acknowledged, and no head published,
// before its own batch's write returned. Batches are written, published and answered in order.
//
// When a commit fails, its appends get the error (saying that the batch may have been stored:
// a store can fail after its write reached the disk), the appends still queued are refused, and
// so is every later append, until the writer has reopened the store and recovered the log from
// it exactly as Create() does (SequencerOptions::retry_initial_delay). The recovered tree is the
// last acknowledged one or, if the failed batch reached the disk after all, that batch's; the
// head published is that tree's, backed by its stored tiles. A batch built on a failed one is
// refused as later appends are (nothing of it was stored). Thread-safe.
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
    // The append repeated an earlier one's idempotency key and entries: nothing was appended,
    // and first_index is the earlier append's.
    bool duplicate = false;
  };
  struct AppendOptions {
    // Empty, or a key (CheckIdempotencyKey) naming this append: an append with the key of an
    // earlier one and the same entries appends nothing and is answered with the earlier one's
    // index (Appended::duplicate); with other entries it is refused with AlreadyExists. Keys are
    // committed with their entries and kept as long as the log.
    std::string idempotency_key;
  };
  using Callback = std::function<void(absl::StatusOr<Appended>)>;

  // Appends `entries` at consecutive indices and calls `done` once they are durable, or with the
  // error that kept them out of the log:
  //  - at once: InvalidArgument if there are none, one is empty or longer than kMaxEntrySize
  //    (proof/tile.h), or the key is invalid; Unavailable with a retry hint if the queue is
  //    full; the refusal (the failed commit's code: ResourceExhausted with the insufficient-
  //    storage mark for a full disk, else Unavailable, with a retry hint) while the store takes
  //    no writes;
  //  - from the writer: AlreadyExists for a key used with other entries; the storage error if
  //    their batch could not be written, in which case the batch may still be in the log after
  //    the reopen (a retry with the same key is answered with its index).
  // `done` runs on the writer thread or the caller's, and must be quick: hand real work to
  // another thread.
  void AppendAsync(std::vector<std::string> entries, Callback done,
                   AppendOptions options = {});

  // As AppendAsync(), blocking until done.
  absl::StatusOr<Appended> Append(std::vector<std::string> entries,
                                  AppendOptions options = {});

  // The latest committed tree.
  std::shared_ptr<const LogHead> Head() const;

  // OK while the sequencer takes appends; otherwise why it refuses them (the failed commit's or
  // the last failed reopen's error) until the store is reopened.
  absl::Status Health() const;

  // Appends the sequencer's metrics in the Prometheus text format: batches, entries, batch
  // sizes, commit latency, commit errors, the queue, refused appends, store reopens and whether
  // writes are refused.
  void RenderMetrics(std::string* out) const;

  const std::string& origin() const { return signer_->name(); }

 private:
  struct Pending;
  struct Recovered;
  struct Prepared;

  Sequencer(LogStorage* storage, const NoteSigner* signer, const SequencerOptions& options,
            TreeState state, std::shared_ptr<const LogHead> head);

  // The tree state and head of the log in `storage` (Create's recovery).
  static absl::StatusOr<Recovered> Recover(const LogReader& storage, const NoteSigner& signer);

  // The writer thread: builds batches and hands each to the syncer once the one before it is
  // durable, until stopping_ and the queue is empty; then stops the syncer.
  void Run();
  // The syncer thread: writes each batch handed over, then publishes its head, calls on_commit
  // and answers its appends; after a failed write, starts refusing.
  void Sync();
  // A batch is built in three steps on the writer thread: StartBuilding on state_ (the tree with
  // every batch handed over), AddToBatch for each append as it joins (resolving its key, adding
  // its entries to the tree and the write), and FinishBatch once the batch before it is durable
  // (the partial tiles, the signed head; state_ advances to the batch's tree). A batch of
  // duplicates and refusals only has no head and writes nothing. On error (signing) state_ is
  // unchanged and the appends stay in `building.batch`.
  struct Building;
  Building StartBuilding() const;
  void AddToBatch(Pending pending, Building& building);
  absl::StatusOr<std::unique_ptr<Prepared>> FinishBatch(Building& building);
  // The idempotency keys of the appends of a batch.
  using BatchKeys = absl::flat_hash_map<std::string, IdempotencyRecord>;
  // Resolves the idempotency key of `pending`, whose entries would start at `first_index`, against
  // the batch being built (`batch_keys`), the one being written and the store: true if its
  // entries are to be appended (recording its key in `batch_keys`), false if it is answered
  // without them (a duplicate or a refusal, set in `pending`).
  bool ResolveKey(Pending& pending, uint64_t first_index, BatchKeys* batch_keys);
  // After a failed commit: answers `batch` with `error` and refuses the queued appends.
  void StartRefusing(const absl::Status& error, std::vector<Pending>& batch);
  // While refusing: reopens the store and recovers the log from it, or schedules the next try.
  void TryReopen();
  // The answer to an append while writes are refused.
  absl::Status Refusal() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  LogStorage* const storage_;
  const NoteSigner* const signer_;
  const SequencerOptions options_;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_entries_ ABSL_GUARDED_BY(mu_) = 0;
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Entries taken from the queue into the batch being built.
  size_t building_entries_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const LogHead> head_ ABSL_GUARDED_BY(mu_);
  // OK while appends are taken; else why not, until a reopen succeeds. The next reopen is tried
  // at next_retry_, after retry_delay_.
  absl::Status refusing_ ABSL_GUARDED_BY(mu_);
  absl::Time next_retry_ ABSL_GUARDED_BY(mu_);
  absl::Duration retry_delay_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> committed_entries_{0};
  std::atomic<uint64_t> commit_errors_{0};
  std::atomic<uint64_t> queue_full_refusals_{0};
  std::atomic<uint64_t> store_refusals_{0};
  std::atomic<uint64_t> reopen_attempts_{0};
  std::atomic<uint64_t> reopens_{0};
  Histogram batch_entries_{Histogram::CountBounds()};
  Histogram commit_seconds_{Histogram::LatencyBounds()};
  // The batch handed to the syncer, while syncing_; sync_stopping_ once the writer is done.
  std::unique_ptr<Prepared> to_sync_ ABSL_GUARDED_BY(mu_);
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;
  bool sync_stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Owned by the writer thread: the tree with every batch built (one ahead of head_ while a
  // batch is written), and the keys of the batch last handed over.
  TreeState state_;
  BatchKeys syncing_keys_;
  std::thread syncer_;
  std::thread writer_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_SEQUENCER_H_
