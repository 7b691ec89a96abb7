#include "ledger/testing/fault_storage.h"

#include <utility>

namespace vellum {
namespace ledger {

void FaultStorage::FailNextCommits(int n, absl::Status error, bool after_writing) {
  absl::MutexLock lock(&mu_);
  fail_next_ = n;
  fail_with_ = std::move(error);
  fail_after_writing_ = after_writing;
}

void FaultStorage::FailNextReopens(int n) {
  absl::MutexLock lock(&mu_);
  fail_next_reopens_ = n;
}

int FaultStorage::reopens() const {
  absl::MutexLock lock(&mu_);
  return reopens_;
}

void FaultStorage::SetBeforeCommit(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  before_commit_ = std::move(hook);
}

void FaultStorage::SetTileFilter(std::function<void(const TileId&, std::string*)> filter) {
  absl::MutexLock lock(&mu_);
  tile_filter_ = std::move(filter);
}

int FaultStorage::commits() const {
  absl::MutexLock lock(&mu_);
  return commits_;
}

absl::StatusOr<std::pair<uint64_t, std::string>> FaultStorage::ReadCheckpoint() const {
  return base_->ReadCheckpoint();
}

absl::StatusOr<std::string> FaultStorage::ReadTile(const TileId& tile) const {
  absl::StatusOr<std::string> data = base_->ReadTile(tile);
  absl::MutexLock lock(&mu_);
  if (data.ok() && tile_filter_) tile_filter_(tile, &*data);
  return data;
}

absl::StatusOr<std::string> FaultStorage::ReadEntryBundle(const EntryBundleId& bundle) const {
  return base_->ReadEntryBundle(bundle);
}

absl::StatusOr<IdempotencyRecord> FaultStorage::ReadIdempotencyKey(
    absl::string_view key) const {
  return base_->ReadIdempotencyKey(key);
}

absl::Status FaultStorage::Reopen() {
  {
    absl::MutexLock lock(&mu_);
    if (fail_next_reopens_ > 0) {
      --fail_next_reopens_;
      return absl::UnavailableError("injected reopen failure");
    }
    ++reopens_;
  }
  return base_->Reopen();
}

absl::Status FaultStorage::Commit(const WriteSet& write) {
  std::function<void()> hook;
  {
    absl::MutexLock lock(&mu_);
    hook = before_commit_;
  }
  if (hook) hook();
  {
    absl::MutexLock lock(&mu_);
    if (fail_next_ > 0) {
      --fail_next_;
      if (fail_after_writing_) base_->Commit(write).IgnoreError();
      return fail_with_;
    }
  }
  absl::Status status = base_->Commit(write);
  absl::MutexLock lock(&mu_);
  if (status.ok()) ++commits_;
  return status;
}

}  // namespace ledger
}  // namespace vellum
