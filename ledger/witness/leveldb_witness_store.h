#ifndef VELLUM_LEDGER_WITNESS_LEVELDB_WITNESS_STORE_H_
#define VELLUM_LEDGER_WITNESS_LEVELDB_WITNESS_STORE_H_

// The witness's state in a LevelDB database of its own: one record per log origin, each update
// one synced write.

#include <memory>
#include <string>

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

// Thread-safe: Update's read-decide-write runs under one mutex.
class LevelDbWitnessStore : public WitnessStore {
 public:
  // Opens (creating if needed) the store in directory `dir`. Fails with FailedPrecondition if
  // another process has it open.
  static absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> Open(absl::string_view dir);

  ~LevelDbWitnessStore() override;
  LevelDbWitnessStore(const LevelDbWitnessStore&) = delete;
  LevelDbWitnessStore& operator=(const LevelDbWitnessStore&) = delete;

  absl::StatusOr<absl::optional<std::string>> Latest(absl::string_view origin) const override;
  absl::StatusOr<std::string> Update(absl::string_view origin, const Decide& decide) override;

 private:
  explicit LevelDbWitnessStore(std::unique_ptr<leveldb::DB> db);

  const std::unique_ptr<leveldb::DB> db_;
  // Serializes Update's read-decide-write.
  absl::Mutex update_mu_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_LEVELDB_WITNESS_STORE_H_
