#ifndef VELLUM_LEDGER_STORED_HEAD_H_
#define VELLUM_LEDGER_STORED_HEAD_H_

#include <string>

#include "absl/status/statusor.h"
#include "ledger/storage.h"
#include "proof/checkpoint.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

// A stored log's latest checkpoint, opened.
struct StoredHead {
  Checkpoint checkpoint;  // Size 0 and the empty tree's root for an empty store.
  std::string note;       // The signed note as stored; "" for an empty store.
};

// Reads the checkpoint of `log` and opens it with `log_key`. Fails with DataLoss when it does not
// verify ("the stored checkpoint does not verify with key ...") or names another size than the
// store records, and with the reader's errors. An empty store gives an empty head named after
// the key. Thread-safe when `log` is.
absl::StatusOr<StoredHead> OpenStoredHead(const LogReader& log, const NoteVerifier& log_key);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_STORED_HEAD_H_
