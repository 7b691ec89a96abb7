#ifndef VELLUM_LEDGER_WITNESS_LEVELDB_WITNESS_STORE_H_
#define VELLUM_LEDGER_WITNESS_LEVELDB_WITNESS_STORE_H_

// The witness's state in a LevelDB database of its own: one record per log origin, the cosigner
// key it is bound to, and the evidence records; each change one synced write.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "ledger/witness/witness_store.h"

namespace leveldb {
class DB;
}  // namespace leveldb

namespace vellum {
namespace ledger {

// Thread-safe: Update's read-decide-write runs under one mutex, AddEvidence under another.
class LevelDbWitnessStore : public WitnessStore {
 public:
  // Opens the store in directory `dir`. With `create`, the store must not exist yet
  // (AlreadyExists naming `dir` otherwise) and is created; without, it must exist (NotFound
  // naming `dir` otherwise). Fails with FailedPrecondition if another process has it open.
  static absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> Open(absl::string_view dir,
                                                                    bool create);

  ~LevelDbWitnessStore() override;
  LevelDbWitnessStore(const LevelDbWitnessStore&) = delete;
  LevelDbWitnessStore& operator=(const LevelDbWitnessStore&) = delete;

  absl::StatusOr<absl::optional<std::string>> Latest(absl::string_view origin) const override;
  absl::StatusOr<std::string> Update(absl::string_view origin, const Decide& decide) override;
  absl::StatusOr<absl::optional<std::string>> CosignerKey() const override;
  absl::Status SetCosignerKey(absl::string_view key) override;
  absl::StatusOr<EvidenceAdded> AddEvidence(absl::string_view digest, absl::string_view record,
                                            uint64_t limit) override;
  absl::StatusOr<EvidenceCounts> CountEvidence() const override;
  absl::StatusOr<absl::optional<std::string>> Evidence(uint64_t index) const override;

 private:
  LevelDbWitnessStore(std::unique_ptr<leveldb::DB> db, EvidenceCounts counts);

  // The value under `key`, nullopt when there is none; `what` names it in errors.
  absl::StatusOr<absl::optional<std::string>> Get(absl::string_view key,
                                                  absl::string_view what) const;

  const std::unique_ptr<leveldb::DB> db_;
  // Serializes Update's read-decide-write.
  absl::Mutex update_mu_;
  // Serializes AddEvidence; guards the counts, which mirror the stored ones.
  mutable absl::Mutex evidence_mu_;
  EvidenceCounts counts_ ABSL_GUARDED_BY(evidence_mu_);
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_LEVELDB_WITNESS_STORE_H_
