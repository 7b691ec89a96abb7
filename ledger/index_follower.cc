#include "ledger/index_follower.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/metrics/metrics.h"
#include "ledger/tile_reader.h"

namespace vellum {
namespace ledger {

absl::StatusOr<std::unique_ptr<IndexFollower>> IndexFollower::Start(
    const LogReader* log, IndexStore* store, std::vector<DerivedIndex*> indexes,
    const Options& options) {
  if (options.max_leaves_per_write == 0) {
    return absl::InvalidArgumentError("max_leaves_per_write is 0, want at least 1");
  }
  absl::StatusOr<std::pair<uint64_t, std::string>> checkpoint = log->ReadCheckpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  if (store->position() > checkpoint->first) {
    return absl::FailedPreconditionError(absl::StrCat("the index store covers ",
                                                      store->position(),
                                                      " leaves, the log has ",
                                                      checkpoint->first));
  }
  return std::unique_ptr<IndexFollower>(
      new IndexFollower(log, store, std::move(indexes), options, checkpoint->first));
}

IndexFollower::IndexFollower(const LogReader* log, IndexStore* store,
                             std::vector<DerivedIndex*> indexes, const Options& options,
                             uint64_t log_size)
    : log_(log),
      store_(store),
      indexes_(std::move(indexes)),
      options_(options),
      log_size_(log_size),
      indexed_(store->position()) {
  thread_ = std::thread([this] { Run(); });
}

IndexFollower::~IndexFollower() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void IndexFollower::Notify(uint64_t tree_size) {
  absl::MutexLock lock(&mu_);
  log_size_ = std::max(log_size_, tree_size);
}

bool IndexFollower::WaitFor(uint64_t tree_size, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return indexed_ >= tree_size; };
  return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
}

absl::Status IndexFollower::Health() const {
  absl::MutexLock lock(&mu_);
  return health_;
}

void IndexFollower::RenderMetrics(std::string* out) const {
  uint64_t indexed, log_size;
  {
    absl::MutexLock lock(&mu_);
    indexed = indexed_;
    log_size = log_size_;
  }
  RenderMetric("vellum_index_position", "gauge",
               "Leaves covered by the derived indexes (leaf-hash look-ups).", indexed, out);
  RenderMetric("vellum_index_lag_leaves", "gauge",
               "Committed leaves the derived indexes do not cover yet.", log_size - indexed, out);
  RenderMetric("vellum_index_errors_total", "counter",
               "Failed attempts to read the log or write the index store.", errors_.load(), out);
}

void IndexFollower::Run() {
  for (;;) {
    uint64_t begin, tree_size;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || indexed_ < log_size_;
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      begin = indexed_;
      tree_size = log_size_;
    }
    const uint64_t end = std::min(tree_size, begin + options_.max_leaves_per_write);
    absl::Status status = IndexUpTo(end, tree_size);
    absl::MutexLock lock(&mu_);
    health_ = status;
    if (status.ok()) {
      indexed_ = end;
    } else {
      errors_++;
      auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stop), options_.retry_delay);
    }
  }
}

absl::Status IndexFollower::IndexUpTo(uint64_t end, uint64_t tree_size) {
  const uint64_t begin = store_->position();
  absl::StatusOr<std::vector<Hash>> leaf_hashes = ReadLeafHashes(*log_, begin, end, tree_size);
  if (!leaf_hashes.ok()) return leaf_hashes.status();
  IndexRecords records;
  const CommittedLeaves leaves{begin, *leaf_hashes, log_, tree_size};
  for (DerivedIndex* index : indexes_) {
    if (absl::Status status = index->Add(leaves, &records); !status.ok()) return status;
  }
  return store_->Write(records, end);
}

}  // namespace ledger
}  // namespace vellum
