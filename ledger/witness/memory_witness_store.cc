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
  if (current == *next) return next;
  latest_[origin] = *next;
  ++writes_;
  return next;
}

absl::StatusOr<absl::optional<std::string>> MemoryWitnessStore::CosignerKey() const {
  absl::MutexLock lock(&mu_);
  return cosigner_key_;
}

absl::Status MemoryWitnessStore::SetCosignerKey(absl::string_view key) {
  absl::MutexLock lock(&mu_);
  cosigner_key_ = std::string(key);
  ++writes_;
  return absl::OkStatus();
}

absl::StatusOr<WitnessStore::EvidenceAdded> MemoryWitnessStore::AddEvidence(
    absl::string_view digest, absl::string_view record, uint64_t limit) {
  absl::MutexLock lock(&mu_);
  EvidenceAdded added;
  if (auto it = evidence_by_digest_.find(digest); it != evidence_by_digest_.end()) {
    added.outcome = EvidenceOutcome::kRepeated;
    added.index = it->second;
    return added;
  }
  ++writes_;
  if (evidence_.size() >= limit) {
    ++evidence_dropped_;
    added.outcome = EvidenceOutcome::kDropped;
    return added;
  }
  added.index = evidence_.size();
  evidence_by_digest_[digest] = added.index;
  evidence_.emplace_back(record);
  return added;
}

absl::StatusOr<WitnessStore::EvidenceCounts> MemoryWitnessStore::CountEvidence() const {
  absl::MutexLock lock(&mu_);
  return EvidenceCounts{evidence_.size(), evidence_dropped_};
}

absl::StatusOr<absl::optional<std::string>> MemoryWitnessStore::Evidence(uint64_t index) const {
  absl::MutexLock lock(&mu_);
  if (index >= evidence_.size()) return absl::optional<std::string>();
  return absl::optional<std::string>(evidence_[index]);
}

uint64_t MemoryWitnessStore::writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

}  // namespace ledger
}  // namespace vellum
