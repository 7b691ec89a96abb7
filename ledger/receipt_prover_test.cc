#include "ledger/receipt_prover.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "ledger/testing/test_log.h"
#include "ledger/testing/wait_until.h"
#include "proof/checkpoint.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {
namespace {

TEST(ReceiptProverTest, ReceiptsOfABatchVerifyAgainstItsCheckpoint) {
  MemoryStorage storage;
  std::unique_ptr<NoteSigner> signer = NewTestSigner("example.com/receipt-prover-test");
  auto verifier = NoteVerifier::Create(signer->VerifierKey());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto sequencer = Sequencer::Create(&storage, signer.get(), {});
  ASSERT_TRUE(sequencer.ok()) << sequencer.status();
  std::vector<std::string> entries;
  for (int i = 0; i < 300; ++i) entries.push_back(absl::StrCat("entry ", i));
  auto appended = (*sequencer)->Append(entries);
  ASSERT_TRUE(appended.ok()) << appended.status();

  ReceiptProver prover(&storage, {}, 2);
  absl::Mutex mu;
  std::vector<absl::StatusOr<Receipt>> receipts(entries.size());
  int done = 0;
  for (uint64_t i = 0; i < entries.size(); ++i) {
    prover.Prove(i, appended->head, [&, i](absl::StatusOr<Receipt> receipt) {
      absl::MutexLock lock(&mu);
      receipts[i] = std::move(receipt);
      ++done;
    });
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return done == static_cast<int>(receipts.size());
      },
      absl::Seconds(30)));
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSERT_TRUE(receipts[i].ok()) << receipts[i].status();
    EXPECT_EQ(receipts[i]->index, i);
    EXPECT_EQ(receipts[i]->checkpoint, appended->head->checkpoint);
    EXPECT_TRUE(VerifyReceipt(*receipts[i], entries[i], **verifier).ok()) << i;
  }
  // An index the head does not cover gets the proof's error.
  absl::Notification refused;
  absl::Status past;
  prover.Prove(entries.size(), appended->head, [&](absl::StatusOr<Receipt> receipt) {
    past = receipt.status();
    refused.Notify();
  });
  ASSERT_TRUE(refused.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(past.code(), absl::StatusCode::kOutOfRange) << past;
  EXPECT_EQ(past.message(), "index 300 is past tree size 300");
}

}  // namespace
}  // namespace ledger
}  // namespace vellum
