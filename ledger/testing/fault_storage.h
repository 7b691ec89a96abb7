#ifndef VELLUM_LEDGER_TESTING_FAULT_STORAGE_H_
#define VELLUM_LEDGER_TESTING_FAULT_STORAGE_H_

#include <functional>

#include "absl/synchronization/mutex.h"
#include "ledger/storage.h"

namespace vellum {
namespace ledger {

// Wraps a LogStorage and injects faults at the storage seam: commits that fail, slow commits,
// and tiles that read back altered. Thread-safe.
class FaultStorage : public LogStorage {
 public:
  explicit FaultStorage(LogStorage* base) : base_(base) {}

  // The next `n` commits fail with Unavailable and write nothing.
  void FailNextCommits(int n);
  // Called before every commit, e.g. to sleep.
  void SetBeforeCommit(std::function<void()> hook);
  // Applied to every tile read.
  void SetTileFilter(std::function<void(const TileId&, std::string*)> filter);
  int commits() const;

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override;
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override;
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override;
  absl::Status Commit(const WriteSet& write) override;

 private:
  LogStorage* const base_;
  mutable absl::Mutex mu_;
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  int commits_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void()> before_commit_ ABSL_GUARDED_BY(mu_);
  std::function<void(const TileId&, std::string*)> tile_filter_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TESTING_FAULT_STORAGE_H_
