#include "ledger/memory_index_store.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {
namespace {

// An iterator over a copy of the records that it shares.
class MemoryIndexIterator : public IndexIterator {
 public:
  using Records = std::map<std::string, std::string>;

  explicit MemoryIndexIterator(std::shared_ptr<const Records> records)
      : records_(std::move(records)), at_(records_->end()) {}

  void Seek(absl::string_view target) override { at_ = records_->lower_bound(std::string(target)); }
  void SeekToLast() override {
    at_ = records_->empty() ? records_->end() : std::prev(records_->end());
  }
  bool Valid() const override { return at_ != records_->end(); }
  void Next() override { ++at_; }
  void Prev() override { at_ = at_ == records_->begin() ? records_->end() : std::prev(at_); }
  absl::string_view key() const override { return at_->first; }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  const std::shared_ptr<const Records> records_;
  Records::const_iterator at_;
};

}  // namespace

uint64_t MemoryIndexStore::position() const {
  absl::MutexLock lock(&mu_);
  return position_;
}

absl::Status MemoryIndexStore::Write(const IndexRecords& records, uint64_t new_position) {
  absl::MutexLock lock(&mu_);
  if (new_position < position_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "index write to position ", new_position, ", want at least ", position_));
  }
  auto copy = std::make_shared<Records>(*records_);
  records.ForEach([&copy](absl::string_view key, absl::string_view value) {
    (*copy)[std::string(key)] = std::string(value);
  });
  records_ = std::move(copy);
  position_ = new_position;
  return absl::OkStatus();
}

std::unique_ptr<IndexIterator> MemoryIndexStore::NewIterator() const {
  absl::MutexLock lock(&mu_);
  return std::make_unique<MemoryIndexIterator>(records_);
}

}  // namespace ledger
}  // namespace vellum
