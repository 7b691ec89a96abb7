#ifndef VELLUM_LEDGER_WITNESS_WITNESS_STORE_H_
#define VELLUM_LEDGER_WITNESS_WITNESS_STORE_H_

// A witness's durable state (c2sp.org/tlog-witness): for each log origin, the latest checkpoint
// it cosigned. Backends: LevelDbWitnessStore (leveldb_witness_store.h) and, for tests,
// MemoryWitnessStore (memory_witness_store.h).

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace vellum {
namespace ledger {

// Checking a submission against the stored state and recording the new checkpoint happen under
// one lock, so two concurrent submissions can never both be cosigned against the same old state,
// and the record is durable before Update returns. Implementations are thread-safe.
class WitnessStore {
 public:
  virtual ~WitnessStore() = default;

  // The latest cosigned checkpoint note of `origin`, or nullopt if there is none.
  virtual absl::StatusOr<absl::optional<std::string>> Latest(absl::string_view origin) const = 0;

  // Decides from the current record of `origin` (nullopt if none) what to record next. It
  // returns the new record (a signed checkpoint note), or an error that Update returns unchanged
  // and that changes nothing.
  using Decide =
      std::function<absl::StatusOr<std::string>(const absl::optional<std::string>& current)>;

  // Atomically: reads the record of `origin`, calls `decide`, and durably stores its answer.
  // Updates of one store are serialized. Returns the stored record.
  virtual absl::StatusOr<std::string> Update(absl::string_view origin, const Decide& decide) = 0;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_WITNESS_STORE_H_
