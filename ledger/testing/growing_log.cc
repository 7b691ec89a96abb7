#include "ledger/testing/growing_log.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace vellum {
namespace ledger {

GrowingLog::GrowingLog(std::string entry_prefix) : prefix_(std::move(entry_prefix)) {
  key_ = *GenerateNoteKey("example.com/test-log");
  signer_ = *NoteSigner::Create(key_.signer_key);
  verifier_ = *NoteVerifier::Create(key_.verifier_key);
  sequencer_ = *Sequencer::Create(&storage_, signer_.get(), {});
  heads_.push_back(sequencer_->Head());
}

std::unique_ptr<GrowingLog> GrowingLog::AtEdgeSizes() {
  auto log = std::make_unique<GrowingLog>();
  for (uint64_t size : {uint64_t{1}, uint64_t{2}, uint64_t{255}, uint64_t{256}, uint64_t{257},
                        uint64_t{511}, uint64_t{512}, uint64_t{513}, uint64_t{65535},
                        uint64_t{65536}, uint64_t{65537}, uint64_t{65536 + 256 * 3 + 7},
                        uint64_t{131072 + 1}}) {
    log->GrowTo(size);
  }
  return log;
}

std::string GrowingLog::Entry(uint64_t i) { return absl::StrCat("entry ", i, " of the test log"); }

void GrowingLog::GrowTo(uint64_t size) {
  std::vector<std::string> entries;
  for (uint64_t i = sequencer_->Head()->size; i < size; ++i) entries.push_back(prefix_ + Entry(i));
  ASSERT_TRUE(sequencer_->Append(std::move(entries)).ok());
  heads_.push_back(sequencer_->Head());
}

const LogHead& GrowingLog::HeadOfSize(uint64_t size) const {
  for (const auto& head : heads_) {
    if (head->size == size) return *head;
  }
  ADD_FAILURE() << "no head of size " << size;
  return *heads_.front();
}

}  // namespace ledger
}  // namespace vellum
