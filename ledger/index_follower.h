#ifndef VELLUM_LEDGER_INDEX_FOLLOWER_H_
#define VELLUM_LEDGER_INDEX_FOLLOWER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ledger/index_store.h"
#include "ledger/storage.h"
#include "proof/hash.h"

namespace vellum {
namespace ledger {

// A run of committed leaves handed to a DerivedIndex: leaf first + i has leaf hash
// leaf_hashes[i]. `log` holds them at the committed size `tree_size`, for an index that needs
// the entries themselves (read them from the entry bundles, as Prover::Entry does).
struct CommittedLeaves {
  uint64_t first = 0;
  absl::Span<const Hash> leaf_hashes;
  const LogReader* log = nullptr;
  uint64_t tree_size = 0;
};

// Data derived from a log's leaves and kept in an IndexStore, under keys "i/<name>/...": a leaf-
// hash index today, searches over audit-event fields later. It can always be rebuilt from the log,
// so it is written after the commit, not in it.
class DerivedIndex {
 public:
  virtual ~DerivedIndex() = default;

  // Adds to `records` the records of `leaves`. Called from the follower's thread only, for every
  // leaf once and in leaf order, except that after a crash the leaves after the store's position
  // are given again: writing them must be idempotent. An error stops indexing at `leaves.first`
  // until a retry succeeds.
  virtual absl::Status Add(const CommittedLeaves& leaves, IndexRecords* records) = 0;
};

// Feeds the committed leaves of a log, in order, to derived indexes kept in one IndexStore, off
// the sequencer's commit path. It reads each run of new leaves from the stored level-0 tiles, so
// live updates and catching up after a restart (or rebuilding a deleted store) are one code path.
// Thread-safe.
class IndexFollower {
 public:
  struct Options {
    // Leaves per write to the store, at most.
    uint64_t max_leaves_per_write = 16 * 256;
    // The wait before retrying after a failed read of the log or write of the store.
    absl::Duration retry_delay = absl::Seconds(1);
  };

  // Starts following `log` from store->position() up to the log's current size. `log`, `store`
  // and `indexes` must outlive the follower.
  static absl::StatusOr<std::unique_ptr<IndexFollower>> Start(const LogReader* log,
                                                              IndexStore* store,
                                                              std::vector<DerivedIndex*> indexes,
                                                              const Options& options);

  // Stops the thread after the write in progress; leaves not yet indexed are picked up by the
  // next Start().
  ~IndexFollower();

  IndexFollower(const IndexFollower&) = delete;
  IndexFollower& operator=(const IndexFollower&) = delete;

  // Tells the follower that the log has committed `tree_size` leaves. Cheap and non-blocking: call
  // it after every commit (SequencerOptions::on_commit).
  void Notify(uint64_t tree_size);

  // Waits until the indexes cover `tree_size` leaves or `timeout` passes; returns whether they do.
  bool WaitFor(uint64_t tree_size, absl::Duration timeout) const;

  // OK, or the error of the last failed attempt if indexing is stuck on it.
  absl::Status Health() const;

  // Appends the follower's metrics in the Prometheus text format.
  void RenderMetrics(std::string* out) const;

 private:
  IndexFollower(const LogReader* log, IndexStore* store, std::vector<DerivedIndex*> indexes,
                const Options& options, uint64_t log_size);

  void Run();
  // Indexes leaves [store_->position(), end) of the tree of `tree_size` leaves.
  absl::Status IndexUpTo(uint64_t end, uint64_t tree_size);

  const LogReader* const log_;
  IndexStore* const store_;
  const std::vector<DerivedIndex*> indexes_;
  const Options options_;

  mutable absl::Mutex mu_;
  uint64_t log_size_ ABSL_GUARDED_BY(mu_);
  uint64_t indexed_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status health_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> errors_{0};
  std::thread thread_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_INDEX_FOLLOWER_H_
