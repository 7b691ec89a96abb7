#ifndef VELLUM_LEDGER_MEMORY_INDEX_STORE_H_
#define VELLUM_LEDGER_MEMORY_INDEX_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "ledger/index_store.h"

namespace vellum {
namespace ledger {

// An IndexStore in memory, for tests. Each Write replaces the records with a new copy, so an
// iterator reads the records as they were when it was created. Thread-safe.
class MemoryIndexStore : public IndexStore {
 public:
  MemoryIndexStore() : records_(std::make_shared<const Records>()) {}

  uint64_t position() const override;
  absl::Status Write(const IndexRecords& records, uint64_t new_position) override;
  std::unique_ptr<IndexIterator> NewIterator() const override;

 private:
  using Records = std::map<std::string, std::string>;

  mutable absl::Mutex mu_;
  std::shared_ptr<const Records> records_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_MEMORY_INDEX_STORE_H_
