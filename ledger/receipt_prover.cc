#include "ledger/receipt_prover.h"

#include <utility>

namespace vellum {
namespace ledger {

ReceiptProver::ReceiptProver(const LogReader* log, const ProverOptions& options,
                             int worker_threads)
    : prover_(*log, options), workers_(worker_threads) {}

void ReceiptProver::Prove(uint64_t index, std::shared_ptr<const LogHead> head, Done done) {
  std::vector<Pending> refused;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    pending_.push_back({index, std::move(head), std::move(done)});
    // The first one queued schedules the proving; the rest of its batch joins it meanwhile, so
    // at most one post waits.
    if (pending_.size() > 1) return;
    status = workers_.Post([this] { ProveQueued(); });
    if (status.ok()) return;
    refused.swap(pending_);
  }
  for (Pending& pending : refused) pending.done(status);
}

void ReceiptProver::ProveQueued() {
  std::vector<Pending> pending;
  {
    absl::MutexLock lock(&mu_);
    pending.swap(pending_);
  }
  // Appends of one batch share a head, and are queued in order.
  for (size_t begin = 0, end; begin < pending.size(); begin = end) {
    const std::shared_ptr<const LogHead>& head = pending[begin].head;
    std::vector<uint64_t> indices;
    for (end = begin; end < pending.size() && pending[end].head == head; ++end) {
      indices.push_back(pending[end].index);
    }
    absl::StatusOr<std::vector<std::vector<Hash>>> proofs =
        prover_.InclusionProofs(indices, head->size, head->size);
    for (size_t i = begin; i < end; ++i) {
      if (!proofs.ok()) {
        pending[i].done(proofs.status());
        continue;
      }
      Receipt receipt;
      receipt.index = pending[i].index;
      receipt.proof = std::move((*proofs)[i - begin]);
      receipt.checkpoint = head->checkpoint;
      pending[i].done(std::move(receipt));
    }
  }
}

}  // namespace ledger
}  // namespace vellum
