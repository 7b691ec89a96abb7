#ifndef VELLUM_LEDGER_WITNESS_MEMORY_WITNESS_STORE_H_
#define VELLUM_LEDGER_WITNESS_MEMORY_WITNESS_STORE_H_

// The witness's state in memory, for tests: lost when the object goes. It counts its writes,
// so a test can tell an answer from the stored state from one that wrote.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "ledger/witness/witness_store.h"

namespace vellum {
namespace ledger {

// Thread-safe: one mutex guards the state, held through Update's read-decide-write.
class MemoryWitnessStore : public WitnessStore {
 public:
  absl::StatusOr<absl::optional<std::string>> Latest(absl::string_view origin) const override;
  absl::StatusOr<std::string> Update(absl::string_view origin, const Decide& decide) override;
  absl::StatusOr<absl::optional<std::string>> CosignerKey() const override;
  absl::Status SetCosignerKey(absl::string_view key) override;
  absl::StatusOr<EvidenceAdded> AddEvidence(absl::string_view digest, absl::string_view record,
                                            uint64_t limit) override;
  absl::StatusOr<EvidenceCounts> CountEvidence() const override;
  absl::StatusOr<absl::optional<std::string>> Evidence(uint64_t index) const override;

  // How many writes the store made (each one a synced write in a durable backend).
  uint64_t writes() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::string> latest_ ABSL_GUARDED_BY(mu_);
  absl::optional<std::string> cosigner_key_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> evidence_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> evidence_by_digest_ ABSL_GUARDED_BY(mu_);
  uint64_t evidence_dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t writes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_MEMORY_WITNESS_STORE_H_
