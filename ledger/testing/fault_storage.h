#ifndef VELLUM_LEDGER_TESTING_FAULT_STORAGE_H_
#define VELLUM_LEDGER_TESTING_FAULT_STORAGE_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "ledger/storage.h"

namespace vellum {
namespace ledger {

// Wraps a LogStorage and injects faults at the storage seam: commits that fail (before or after
// writing), reopens that fail, slow commits, and tiles that read back altered. Thread-safe.
class FaultStorage : public LogStorage {
 public:
  explicit FaultStorage(LogStorage* base) : base_(base) {}

  // The next `n` commits fail with `error` and write nothing; with `after_writing`, each first
  // commits its set to the base store, as a commit whose record reached the disk before it
  // failed.
  void FailNextCommits(int n,
                       absl::Status error = absl::UnavailableError("injected commit failure"),
                       bool after_writing = false);
  // The next `n` reopens fail with Unavailable.
  void FailNextReopens(int n);
  // Called before every commit, failing ones too, e.g. to sleep.
  void SetBeforeCommit(std::function<void()> hook);
  // Applied to every tile read.
  void SetTileFilter(std::function<void(const TileId&, std::string*)> filter);
  int commits() const;
  // Reopen() calls that reached the base store.
  int reopens() const;

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override;
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override;
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override;
  absl::Status Commit(const WriteSet& write) override;
  absl::StatusOr<IdempotencyRecord> ReadIdempotencyKey(absl::string_view key) const override;
  absl::Status Reopen() override;

 private:
  LogStorage* const base_;
  mutable absl::Mutex mu_;
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status fail_with_ ABSL_GUARDED_BY(mu_);
  bool fail_after_writing_ ABSL_GUARDED_BY(mu_) = false;
  int fail_next_reopens_ ABSL_GUARDED_BY(mu_) = 0;
  int commits_ ABSL_GUARDED_BY(mu_) = 0;
  int reopens_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void()> before_commit_ ABSL_GUARDED_BY(mu_);
  std::function<void(const TileId&, std::string*)> tile_filter_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TESTING_FAULT_STORAGE_H_
