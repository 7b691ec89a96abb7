#include "ledger/witness/memory_witness_store.h"

#include <utility>

namespace vellum {
namespace ledger {

absl::StatusOr<absl::optional<std::string>> MemoryWitnessStore::Latest(
    absl::string_view origin) const {
  absl::MutexLock lock(&mu_);
  auto it = latest_.find(origin);
  if (it == latest_.end()) return absl::optional<std::string>();
  return absl::optional<std::string>(it->second);
}

absl::StatusOr<std::string> MemoryWitnessStore::Update(absl::string_view origin,
                                                       const Decide& decide) {
  absl::MutexLock lock(&mu_);
  absl::optional<std::string> current;
  if (auto it = latest_.find(origin); it != latest_.end()) current = it->second;
  absl::StatusOr<std::string> next = decide(current);
  if (!next.ok()) return next.status();
  latest_[origin] = *next;
  return next;
}

}  // namespace ledger
}  // namespace vellum
