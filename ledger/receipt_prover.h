#ifndef VELLUM_LEDGER_RECEIPT_PROVER_H_
#define VELLUM_LEDGER_RECEIPT_PROVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "ledger/work_queue.h"
#include "proof/receipt.h"

namespace vellum {
namespace ledger {

// Makes the receipts (c2sp.org/tlog-proof) of appended entries on worker threads, off the
// sequencer's writer thread that acknowledges the appends: each receipt proves its entry against
// the checkpoint it is given, and the receipts queued for one checkpoint (normally one committed
// batch's) are proved together with one Prover::InclusionProofs. At most one post waits in its
// WorkQueue (the receipts queued meanwhile join it), so the queue's bound is never reached; the
// receipts waiting are those of appends in flight. Thread-safe.
class ReceiptProver {
 public:
  // `log` must outlive the prover. Runs `worker_threads` threads.
  ReceiptProver(const LogReader* log, const ProverOptions& options, int worker_threads);

  // Finishes the receipts queued, then stops the threads.
  ~ReceiptProver() = default;

  ReceiptProver(const ReceiptProver&) = delete;
  ReceiptProver& operator=(const ReceiptProver&) = delete;

  using Done = std::function<void(absl::StatusOr<Receipt>)>;

  // Proves entry `index` in the tree of `head`, which must cover it, and calls `done` with the
  // receipt (head's checkpoint verbatim) or the proof's error, on a worker thread.
  void Prove(uint64_t index, std::shared_ptr<const LogHead> head, Done done);

 private:
  struct Pending {
    uint64_t index;
    std::shared_ptr<const LogHead> head;
    Done done;
  };

  // On a worker thread: proves every queued receipt, one InclusionProofs per head.
  void ProveQueued();

  const Prover prover_;
  absl::Mutex mu_;
  std::vector<Pending> pending_ ABSL_GUARDED_BY(mu_);
  // Last, so that it is destroyed first: its destructor runs the work still queued.
  WorkQueue workers_;
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_RECEIPT_PROVER_H_
