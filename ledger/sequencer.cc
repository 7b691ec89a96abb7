#include "ledger/sequencer.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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

struct Sequencer::Writer {
  absl::Span<const std::string> entries;
  std::vector<Hash> leaf_hashes;
  bool done = false;
  absl::Status status;
  uint64_t first_index = 0;
  std::shared_ptr<const LogHead> head;
};

absl::StatusOr<std::unique_ptr<Sequencer>> Sequencer::Create(LogStorage* storage,
                                                             const NoteSigner* signer,
                                                             const SequencerOptions& options) {
  absl::StatusOr<std::pair<uint64_t, std::string>> stored = storage->ReadCheckpoint();
  if (!stored.ok()) return stored.status();
  const auto& [size, note] = *stored;
  TreeState state;
  if (size > 0) {
    absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier =
        NoteVerifier::Create(signer->VerifierKey());
    if (!verifier.ok()) return verifier.status();
    absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(note, **verifier);
    if (!checkpoint.ok()) {
      return absl::DataLossError(absl::StrCat("the stored checkpoint does not verify with key ",
                                              signer->name(), ": ",
                                              checkpoint.status().message()));
    }
    if (checkpoint->size != size) {
      return absl::DataLossError(absl::StrCat("the stored checkpoint has size ", checkpoint->size,
                                              ", the store records size ", size));
    }
    absl::StatusOr<TreeState> loaded = TreeState::Load(*storage, size);
    if (!loaded.ok()) return loaded.status();
    Hash root = loaded->Root();
    if (root != checkpoint->root) {
      return absl::DataLossError(absl::StrCat(
          "stored tiles of tree size ", size, " have root ", HashToBase64(root),
          ", the signed checkpoint has root ", HashToBase64(checkpoint->root)));
    }
    state = *std::move(loaded);
  }
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
      state_(std::move(state)),
      head_(std::move(head)) {}

std::shared_ptr<const LogHead> Sequencer::Head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

absl::StatusOr<Sequencer::Appended> Sequencer::Append(absl::Span<const std::string> entries) {
  if (entries.empty()) return absl::InvalidArgumentError("no entries to append");
  Writer writer;
  writer.entries = entries;
  writer.leaf_hashes.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].empty() || entries[i].size() > kMaxEntryBytes) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " is ", entries[i].size(),
                                                     " bytes, want 1 to ", kMaxEntryBytes));
    }
    // Hashed here, on the caller's thread, so that concurrent appends hash in parallel.
    writer.leaf_hashes.push_back(HashLeaf(entries[i]));
  }

  absl::MutexLock lock(&mu_);
  queue_.push_back(&writer);
  queued_entries_ += entries.size();
  auto done_or_front = [this, &writer]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return writer.done || queue_.front() == &writer;
  };
  mu_.Await(absl::Condition(&done_or_front));
  if (!writer.done) CommitBatch();
  if (!writer.status.ok()) return writer.status;
  return Appended{writer.first_index, writer.head};
}

void Sequencer::CommitBatch() {
  if (options_.max_batch_delay > absl::ZeroDuration()) {
    auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return queued_entries_ >= options_.max_batch_entries;
    };
    mu_.AwaitWithTimeout(absl::Condition(&full), options_.max_batch_delay);
  }
  // The batch: the front writer, and those behind it while they fit.
  std::vector<Writer*> batch;
  size_t batch_entries = 0;
  for (Writer* w : queue_) {
    if (!batch.empty() && batch_entries + w->entries.size() > options_.max_batch_entries) break;
    batch.push_back(w);
    batch_entries += w->entries.size();
  }

  // Build and write the batch without the lock, so that appends can queue meanwhile. Only the
  // front writer gets here, so state_ has one user at a time.
  mu_.Unlock();
  TreeState next = state_;
  const uint64_t batch_start = next.size();
  WriteSet write;
  write.leaves.reserve(batch_entries);
  for (Writer* w : batch) {
    w->first_index = next.size();
    for (size_t i = 0; i < w->entries.size(); ++i) {
      next.Append(w->entries[i], w->leaf_hashes[i], &write);
    }
  }
  next.FinishBatch(batch_start, &write);
  absl::StatusOr<std::shared_ptr<const LogHead>> head =
      SignHead(*signer_, next.size(), next.Root());
  absl::Status status = head.status();
  if (status.ok()) {
    write.checkpoint = (*head)->checkpoint;
    status = storage_->Commit(write);
  }
  if (status.ok()) state_ = std::move(next);
  mu_.Lock();

  if (status.ok()) head_ = *head;
  for (Writer* w : batch) {
    w->done = true;
    w->status = status;
    if (status.ok()) w->head = *head;
    queue_.pop_front();
  }
  queued_entries_ -= batch_entries;
}

}  // namespace ledger
}  // namespace vellum
