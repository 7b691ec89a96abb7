#include "ledger/sequencer.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "proof/checkpoint.h"

namespace vellum {
namespace ledger {
namespace {

absl::StatusOr<std::shared_ptr<const LogHead>> SignHead(const NoteSigner& signer, uint64_t size,
                                                        const Hash& root) {
  Checkpoint checkpoint;
  checkpoint.origin = signer.name();
  checkpoint.size = size;
  checkpoint.root = root;
  absl::StatusOr<std::string> note = SignCheckpoint(checkpoint, signer);
  if (!note.ok()) return note.status();
  auto head = std::make_shared<LogHead>();
  head->size = size;
  head->root = root;
  head->checkpoint = *std::move(note);
  return std::shared_ptr<const LogHead>(std::move(head));
}

}  // namespace

struct Sequencer::Pending {
  std::vector<std::string> entries;
  std::vector<Hash> leaf_hashes;
  Callback done;
};

absl::StatusOr<std::unique_ptr<Sequencer>> Sequencer::Create(LogStorage* storage,
                                                             const NoteSigner* signer,
                                                             const SequencerOptions& options) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier =
      NoteVerifier::Create(signer->VerifierKey());
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<RecoveredLog> recovered = RecoverLog(*storage, **verifier);
  if (!recovered.ok()) return recovered.status();
  const uint64_t size = recovered->head.checkpoint.size;
  TreeState state = std::move(recovered->state);
  absl::StatusOr<std::shared_ptr<const LogHead>> head = SignHead(*signer, size, state.Root());
  if (!head.ok()) return head.status();
  return std::unique_ptr<Sequencer>(
      new Sequencer(storage, signer, options, std::move(state), *std::move(head)));
}

Sequencer::Sequencer(LogStorage* storage, const NoteSigner* signer,
                     const SequencerOptions& options, TreeState state,
                     std::shared_ptr<const LogHead> head)
    : storage_(storage),
      signer_(signer),
      options_(options),
      head_(std::move(head)),
      state_(std::move(state)) {
  writer_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
}

std::shared_ptr<const LogHead> Sequencer::Head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

absl::Status Sequencer::Health() const {
  absl::MutexLock lock(&mu_);
  return last_commit_;
}

void Sequencer::RenderMetrics(std::string* out) const {
  RenderMetric("vellum_appended_entries_total", "counter",
               "Entries committed to the log by this process.", committed_entries_.load(), out);
  RenderMetric("vellum_commit_errors_total", "counter", "Batches whose durable write failed.",
               commit_errors_.load(), out);
  RenderMetric("vellum_tree_size", "gauge", "Size of the latest checkpoint.", Head()->size, out);
  batch_entries_.Render("vellum_batch_entries", "Entries per committed batch.", out);
  commit_seconds_.Render("vellum_commit_seconds",
                         "Time to build, sign and durably write one batch.", out);
}

void Sequencer::AppendAsync(std::vector<std::string> entries, Callback done) {
  if (entries.empty()) {
    done(absl::InvalidArgumentError("no entries to append"));
    return;
  }
  Pending pending;
  pending.leaf_hashes.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].empty() || entries[i].size() > kMaxEntrySize) {
      done(absl::InvalidArgumentError(absl::StrCat("entry ", i, " is ", entries[i].size(),
                                                   " bytes, want 1 to ", kMaxEntrySize)));
      return;
    }
    // Hashed on the caller's thread, so that concurrent appends hash in parallel.
    pending.leaf_hashes.push_back(HashLeaf(entries[i]));
  }
  pending.entries = std::move(entries);
  pending.done = std::move(done);
  absl::MutexLock lock(&mu_);
  queued_entries_ += pending.entries.size();
  queue_.push_back(std::move(pending));
}

absl::StatusOr<Sequencer::Appended> Sequencer::Append(std::vector<std::string> entries) {
  absl::Notification notification;
  absl::StatusOr<Appended> result;
  AppendAsync(std::move(entries), [&](absl::StatusOr<Appended> appended) {
    result = std::move(appended);
    notification.Notify();
  });
  notification.WaitForNotification();
  return result;
}

void Sequencer::Run() {
  for (;;) {
    std::vector<Pending> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // Stopping, and nothing left to commit.
      if (options_.max_batch_delay > absl::ZeroDuration() && !stopping_) {
        auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || queued_entries_ >= options_.max_batch_entries;
        };
        mu_.AwaitWithTimeout(absl::Condition(&full), options_.max_batch_delay);
      }
      // The batch: the oldest append, and those after it while they fit.
      size_t batch_entries = 0;
      while (!queue_.empty() &&
             (batch.empty() ||
              batch_entries + queue_.front().entries.size() <= options_.max_batch_entries)) {
        batch_entries += queue_.front().entries.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_entries_ -= batch_entries;
    }
    const uint64_t first_index = state_.size();
    const absl::Time start = absl::Now();
    absl::StatusOr<std::shared_ptr<const LogHead>> head = CommitBatch(batch);
    commit_seconds_.Observe(absl::ToDoubleSeconds(absl::Now() - start));
    if (head.ok()) {
      batch_entries_.Observe(static_cast<double>((*head)->size - first_index));
      committed_entries_ += (*head)->size - first_index;
    } else {
      commit_errors_++;
    }
    {
      absl::MutexLock lock(&mu_);
      last_commit_ = head.status();
      if (head.ok()) head_ = *head;
    }
    if (head.ok() && options_.on_commit) options_.on_commit((*head)->size);
    uint64_t index = first_index;
    for (Pending& pending : batch) {
      if (head.ok()) {
        pending.done(Appended{index, *head});
        index += pending.entries.size();
      } else {
        pending.done(head.status());
      }
    }
  }
}

absl::StatusOr<std::shared_ptr<const LogHead>> Sequencer::CommitBatch(
    std::vector<Pending>& batch) {
  TreeState next = state_;
  const uint64_t batch_start = next.size();
  WriteSet write;
  for (const Pending& pending : batch) {
    for (size_t i = 0; i < pending.entries.size(); ++i) {
      next.Append(pending.entries[i], pending.leaf_hashes[i], &write);
    }
  }
  next.FinishBatch(batch_start, &write);
  absl::StatusOr<std::shared_ptr<const LogHead>> head =
      SignHead(*signer_, next.size(), next.Root());
  if (!head.ok()) return head.status();
  write.checkpoint = (*head)->checkpoint;
  absl::Status status = storage_->Commit(write);
  if (!status.ok()) return status;
  state_ = std::move(next);
  return head;
}

}  // namespace ledger
}  // namespace vellum
