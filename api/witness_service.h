#ifndef VELLUM_API_WITNESS_SERVICE_H_
#define VELLUM_API_WITNESS_SERVICE_H_

// The HTTP endpoints of a witness (c2sp.org/tlog-witness, docs/witness.md):
//
//   POST /add-checkpoint                         cosign a checkpoint consistent with the last one
//   GET  /v1/witness/checkpoint?origin=ORIGIN    the latest checkpoint cosigned for a log
//   GET  /healthz
//
// Thread-safe: the check against the stored state and the update are one atomic step of
// ledger::WitnessStore.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "api/http.h"
#include "ledger/witness/witness_store.h"
#include "proof/note.h"

namespace vellum {
namespace api {

class WitnessService {
 public:
  // A log the witness follows: its origin and the keys its checkpoints may be signed with.
  struct Log {
    std::string origin;
    std::vector<std::unique_ptr<NoteVerifier>> keys;
  };

  // `cosigner` must be a cosigner key (type 0x04). `now` returns the POSIX time in seconds for
  // cosignature timestamps. `store` must outlive the service.
  static absl::StatusOr<std::unique_ptr<WitnessService>> Create(
      ledger::WitnessStore* store, std::unique_ptr<NoteSigner> cosigner, std::vector<Log> logs,
      std::function<uint64_t()> now);

  HttpResponse Handle(const HttpRequest& request);

 private:
  WitnessService(ledger::WitnessStore* store, std::unique_ptr<NoteSigner> cosigner,
                 std::vector<Log> logs, std::function<uint64_t()> now);

  HttpResponse AddCheckpoint(const HttpRequest& request);
  HttpResponse GetCheckpoint(absl::string_view query) const;

  ledger::WitnessStore* const store_;
  const std::unique_ptr<NoteSigner> cosigner_;
  const std::vector<Log> logs_;
  absl::flat_hash_map<std::string, const Log*> by_origin_;
  const std::function<uint64_t()> now_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_WITNESS_SERVICE_H_
