#ifndef VELLUM_LEDGER_MEMORY_STORAGE_H_
#define VELLUM_LEDGER_MEMORY_STORAGE_H_

#include <map>
#include <string>
#include <tuple>

#include "absl/synchronization/mutex.h"
#include "ledger/storage.h"

namespace vellum {
namespace ledger {

// A LogStorage that keeps everything in memory, for tests. Thread-safe.
class MemoryStorage : public LogStorage {
 public:
  MemoryStorage() = default;
  MemoryStorage(const MemoryStorage&) = delete;
  MemoryStorage& operator=(const MemoryStorage&) = delete;

  absl::StatusOr<std::pair<uint64_t, std::string>> ReadCheckpoint() const override;
  absl::StatusOr<std::string> ReadTile(const TileId& tile) const override;
  absl::StatusOr<std::string> ReadEntryBundle(const EntryBundleId& bundle) const override;
  absl::Status Commit(const WriteSet& write) override;
  absl::StatusOr<IdempotencyRecord> ReadIdempotencyKey(absl::string_view key) const override;
  // Nothing to do: a failed commit of this store changes nothing.
  absl::Status Reopen() override { return absl::OkStatus(); }

 private:
  using TileKey = std::tuple<uint8_t, uint64_t, uint16_t>;
  using BundleKey = std::tuple<uint64_t, uint16_t>;

  mutable absl::Mutex mu_;
  uint64_t tree_size_ ABSL_GUARDED_BY(mu_) = 0;
  std::string checkpoint_ ABSL_GUARDED_BY(mu_);
  std::map<TileKey, std::string> tiles_ ABSL_GUARDED_BY(mu_);
  std::map<BundleKey, std::string> bundles_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, IdempotencyRecord, std::less<>> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_MEMORY_STORAGE_H_
