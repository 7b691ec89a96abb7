#ifndef VELLUM_LEDGER_WITNESS_STORE_H_
#define VELLUM_LEDGER_WITNESS_STORE_H_

// A witness's durable state (c2sp.org/tlog-witness): for each log origin, the latest checkpoint
// it cosigned. Checking a submission against that state and recording the new checkpoint happen
// under one lock, so two concurrent submissions can never both be cosigned against the same old
// state, and the record is synced before Update returns.

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/optional.h"
#include "leveldb/db.h"

namespace vellum {
namespace ledger {

class WitnessStore {
 public:
  // Opens (creating if needed) the store in directory `dir`. Fails with FailedPrecondition if
  // another process has it open.
  static absl::StatusOr<std::unique_ptr<WitnessStore>> Open(absl::string_view dir);

  // The latest cosigned checkpoint note of `origin`, or nullopt if there is none. Thread-safe.
  absl::StatusOr<absl::optional<std::string>> Latest(absl::string_view origin) const;

  // Decides from the current record of `origin` (nullopt if none) what to record next. It
  // returns the new record (a signed checkpoint note), or an error that Update returns unchanged
  // and that changes nothing.
  using Decide =
      std::function<absl::StatusOr<std::string>(const absl::optional<std::string>& current)>;

  // Atomically: reads the record of `origin`, calls `decide`, and durably stores its answer.
  // Updates of one store are serialized. Returns the stored record.
  absl::StatusOr<std::string> Update(absl::string_view origin, const Decide& decide);

 private:
  explicit WitnessStore(std::unique_ptr<leveldb::DB> db) : db_(std::move(db)) {}

  std::unique_ptr<leveldb::DB> db_;
  // Serializes Update's read-decide-write.
  absl::Mutex update_mu_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_STORE_H_
