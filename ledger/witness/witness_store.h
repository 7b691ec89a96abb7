#ifndef VELLUM_LEDGER_WITNESS_WITNESS_STORE_H_
#define VELLUM_LEDGER_WITNESS_WITNESS_STORE_H_

// A witness's durable state (c2sp.org/tlog-witness): for each log origin, the latest checkpoint
// it cosigned; the cosigner key the state is bound to; and a bounded set of evidence records of
// misbehaving logs. Backends: LevelDbWitnessStore (leveldb_witness_store.h) and, for tests,
// MemoryWitnessStore (memory_witness_store.h).

#include <cstdint>
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
  // Updates of one store are serialized. Returns the stored record. When `decide` returns the
  // current record unchanged, nothing is written: it is durable already.
  virtual absl::StatusOr<std::string> Update(absl::string_view origin, const Decide& decide) = 0;

  // The cosigner key the state is bound to (witness.h's key id, "<name>+<8 hex digits>"), or
  // nullopt when it records none: a state made before states recorded it.
  virtual absl::StatusOr<absl::optional<std::string>> CosignerKey() const = 0;

  // Durably binds the state to cosigner key `key`.
  virtual absl::Status SetCosignerKey(absl::string_view key) = 0;

  // What AddEvidence did with a record.
  enum class EvidenceOutcome {
    kStored,    // Stored as record `index`.
    kRepeated,  // A record with the same digest is stored already, as record `index`.
    kDropped,   // `limit` records are stored already: only counted.
  };
  struct EvidenceAdded {
    EvidenceOutcome outcome = EvidenceOutcome::kStored;
    uint64_t index = 0;  // For kStored and kRepeated.
  };

  // Durably adds evidence `record`, identified by `digest`, as the next record (numbered from 0
  // in the order added), unless a record with that digest is stored already; when `limit`
  // records are stored, durably counts it as dropped instead. Serialized with itself.
  virtual absl::StatusOr<EvidenceAdded> AddEvidence(absl::string_view digest,
                                                    absl::string_view record, uint64_t limit) = 0;

  struct EvidenceCounts {
    uint64_t stored = 0;   // Records 0 to stored - 1 exist.
    uint64_t dropped = 0;  // Records not kept because `limit` were stored.
  };
  virtual absl::StatusOr<EvidenceCounts> CountEvidence() const = 0;

  // Evidence record `index`, or nullopt when index >= CountEvidence().stored.
  virtual absl::StatusOr<absl::optional<std::string>> Evidence(uint64_t index) const = 0;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_WITNESS_WITNESS_STORE_H_
