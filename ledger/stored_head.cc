#include "ledger/stored_head.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

absl::StatusOr<StoredHead> OpenStoredHead(const LogReader& log, const NoteVerifier& log_key) {
  absl::StatusOr<std::pair<uint64_t, std::string>> stored = log.ReadCheckpoint();
  if (!stored.ok()) return stored.status();
  auto& [size, note] = *stored;
  if (size == 0) return StoredHead{Checkpoint{log_key.name(), 0, EmptyRoot(), {}}, ""};
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(note, log_key);
  if (!checkpoint.ok()) {
    return absl::DataLossError(absl::StrCat("the stored checkpoint does not verify with key ",
                                            log_key.name(), ": ",
                                            checkpoint.status().message()));
  }
  if (checkpoint->size != size) {
    return absl::DataLossError(absl::StrCat("the stored checkpoint has size ", checkpoint->size,
                                            ", the store records size ", size));
  }
  return StoredHead{*std::move(checkpoint), std::move(note)};
}

}  // namespace ledger
}  // namespace vellum
