#ifndef VELLUM_LEDGER_WITNESS_MEMORY_WITNESS_STORE_H_
#define VELLUM_LEDGER_WITNESS_MEMORY_WITNESS_STORE_H_

// The witness's state in memory, for tests: lost when the object goes.

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "ledger/witness/witness_store.h"

namespace vellum {
namespace ledger {

// Thread-safe: one mutex guards the records, held through Update's read-decide-write.
class MemoryWitnessStore : public WitnessStore {
 public:
  absl::StatusOr<absl::optional<std::string>> Latest(absl::string_view origin) const override;
  absl::StatusOr<std::string> Update(absl::string_view origin, const Decide& decide) override;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> latest_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_MEMORY_WITNESS_STORE_H_
