#include "ledger/sequencer.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "ledger/refusal.h"
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

size_t EntryBytes(const std::vector<std::string>& entries) {
  size_t bytes = 0;
  for (const std::string& entry : entries) bytes += entry.size();
  return bytes;
}

}  // namespace

absl::Status CheckIdempotencyKey(absl::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeySize) {
    return absl::InvalidArgumentError(absl::StrCat("idempotency key is ", key.size(),
                                                   " bytes, want 1 to ",
                                                   kMaxIdempotencyKeySize));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (!absl::ascii_isalnum(c) &&
        absl::string_view("-_.:~+/=").find(c) == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "idempotency key byte ", i, " is 0x", absl::Hex(static_cast<unsigned char>(c)),
          ", want a letter, a digit or one of -_.:~+/="));
    }
  }
  return absl::OkStatus();
}

Hash IdempotencyDigest(absl::Span<const Hash> leaf_hashes) {
  Hash digest = leaf_hashes.empty() ? Hash{} : leaf_hashes[0];
  for (size_t i = 1; i < leaf_hashes.size(); ++i) digest = HashChildren(digest, leaf_hashes[i]);
  return digest;
}

struct Sequencer::Pending {
  std::vector<std::string> entries;
  std::vector<Hash> leaf_hashes;
  std::string key;
  Hash digest{};
  Callback done;
  // Set by the writer for an append answered without appending its entries: the index of the
  // earlier append it repeats, or its refusal.
  absl::optional<uint64_t> duplicate_of;
  absl::Status refused;
};

struct Sequencer::Recovered {
  TreeState state;
  std::shared_ptr<const LogHead> head;
};

struct Sequencer::Building {
  // The appends that joined the batch, in order; none when no batch is being built.
  std::vector<Pending> batch;
  absl::Time start;
  uint64_t first_index = 0;
  TreeState next;
  WriteSet write;
  BatchKeys keys;
};

struct Sequencer::Prepared {
  std::vector<Pending> batch;
  // Where the batch's entries start, and the signed head of the tree with them; none when every
  // append of the batch was a duplicate or refused (nothing to write).
  uint64_t first_index = 0;
  std::shared_ptr<const LogHead> head;
  WriteSet write;
  absl::Time start;
};

absl::StatusOr<Sequencer::Recovered> Sequencer::Recover(const LogReader& storage,
                                                        const NoteSigner& signer) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier =
      NoteVerifier::Create(signer.VerifierKey());
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<RecoveredLog> recovered = RecoverLog(storage, **verifier);
  if (!recovered.ok()) return recovered.status();
  const uint64_t size = recovered->head.checkpoint.size;
  Recovered out{std::move(recovered->state), nullptr};
  absl::StatusOr<std::shared_ptr<const LogHead>> head = SignHead(signer, size, out.state.Root());
  if (!head.ok()) return head.status();
  out.head = *std::move(head);
  return out;
}

absl::StatusOr<std::unique_ptr<Sequencer>> Sequencer::Create(LogStorage* storage,
                                                             const NoteSigner* signer,
                                                             const SequencerOptions& options) {
  absl::StatusOr<Recovered> recovered = Recover(*storage, *signer);
  if (!recovered.ok()) return recovered.status();
  return std::unique_ptr<Sequencer>(new Sequencer(
      storage, signer, options, std::move(recovered->state), std::move(recovered->head)));
}

Sequencer::Sequencer(LogStorage* storage, const NoteSigner* signer,
                     const SequencerOptions& options, TreeState state,
                     std::shared_ptr<const LogHead> head)
    : storage_(storage),
      signer_(signer),
      options_(options),
      head_(std::move(head)),
      state_(std::move(state)) {
  syncer_ = std::thread([this] { Sync(); });
  writer_ = std::thread([this] { Run(); });
}

Sequencer::~Sequencer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
  syncer_.join();
}

std::shared_ptr<const LogHead> Sequencer::Head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

absl::Status Sequencer::Health() const {
  absl::MutexLock lock(&mu_);
  return refusing_;
}

void Sequencer::RenderMetrics(std::string* out) const {
  size_t queued_entries, queued_bytes, building_entries;
  bool refusing;
  {
    absl::MutexLock lock(&mu_);
    queued_entries = queued_entries_;
    queued_bytes = queued_bytes_;
    building_entries = building_entries_;
    refusing = !refusing_.ok();
  }
  RenderMetric("vellum_appended_entries_total", "counter",
               "Entries committed to the log by this process.", committed_entries_.load(), out);
  RenderMetric("vellum_commit_errors_total", "counter", "Batches whose durable write failed.",
               commit_errors_.load(), out);
  RenderMetric("vellum_tree_size", "gauge", "Size of the latest checkpoint.", Head()->size, out);
  RenderMetric("vellum_append_queue_entries", "gauge", "Entries waiting for a batch.",
               uint64_t{queued_entries}, out);
  RenderMetric("vellum_append_queue_bytes", "gauge", "Bytes of entries waiting for a batch.",
               uint64_t{queued_bytes}, out);
  RenderMetric("vellum_append_building_entries", "gauge",
               "Entries in the batch being built while the one before it is written.",
               uint64_t{building_entries}, out);
  RenderMetricHeader("vellum_appends_refused_total", "counter",
                     "Appends refused before reaching a batch, by reason.", out);
  RenderLabeledSample("vellum_appends_refused_total", "reason", "queue_full",
                      queue_full_refusals_.load(), out);
  RenderLabeledSample("vellum_appends_refused_total", "reason", "store_refusing",
                      store_refusals_.load(), out);
  RenderMetric("vellum_writes_refused", "gauge",
               "1 while the log takes no appends after a failed commit, until a reopen.",
               uint64_t{refusing ? 1u : 0u}, out);
  RenderMetric("vellum_store_reopen_attempts_total", "counter",
               "Attempts to reopen the store after a failed commit.", reopen_attempts_.load(),
               out);
  RenderMetric("vellum_store_reopens_total", "counter",
               "Reopens of the store after which appends were taken again.", reopens_.load(),
               out);
  batch_entries_.Render("vellum_batch_entries", "Entries per committed batch.", out);
  commit_seconds_.Render("vellum_commit_seconds",
                         "Time to build, sign and durably write one batch.", out);
}

absl::Status Sequencer::Refusal() const {
  const absl::Duration wait = std::max(next_retry_ - absl::Now(), absl::ZeroDuration());
  return WithRetryAfter(
      WithMessage(refusing_,
                  absl::StrCat("the log takes no appends until its store is reopened (",
                               refusing_.message(),
                               "); nothing of this one was stored; retry later")),
      wait);
}

void Sequencer::AppendAsync(std::vector<std::string> entries, Callback done,
                            AppendOptions options) {
  if (entries.empty()) {
    done(absl::InvalidArgumentError("no entries to append"));
    return;
  }
  if (!options.idempotency_key.empty()) {
    if (absl::Status s = CheckIdempotencyKey(options.idempotency_key); !s.ok()) {
      done(s);
      return;
    }
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
  if (!options.idempotency_key.empty()) {
    pending.key = std::move(options.idempotency_key);
    pending.digest = IdempotencyDigest(pending.leaf_hashes);
  }
  const size_t bytes = EntryBytes(entries);
  pending.entries = std::move(entries);
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (!refusing_.ok()) {
      store_refusals_++;
      refused = Refusal();
    } else if (!queue_.empty() &&
               (queued_entries_ + pending.entries.size() > options_.max_queued_entries ||
                queued_bytes_ + bytes > options_.max_queued_bytes)) {
      queue_full_refusals_++;
      refused = WithRetryAfter(
          absl::UnavailableError(absl::StrCat(
              "the append queue holds ", queued_entries_, " entries of ", queued_bytes_,
              " bytes, and this append of ", pending.entries.size(), " entries of ", bytes,
              " bytes would pass its bound of ", options_.max_queued_entries, " entries or ",
              options_.max_queued_bytes, " bytes; retry later")),
          absl::Seconds(1));
    } else {
      queued_entries_ += pending.entries.size();
      queued_bytes_ += bytes;
      pending.done = std::move(done);
      queue_.push_back(std::move(pending));
      return;
    }
  }
  done(refused);
}

absl::StatusOr<Sequencer::Appended> Sequencer::Append(std::vector<std::string> entries,
                                                      AppendOptions options) {
  absl::Notification notification;
  absl::StatusOr<Appended> result;
  AppendAsync(
      std::move(entries),
      [&](absl::StatusOr<Appended> appended) {
        result = std::move(appended);
        notification.Notify();
      },
      std::move(options));
  notification.WaitForNotification();
  return result;
}

void Sequencer::Run() {
  Building building;
  for (;;) {
    bool reopen = false;
    bool finish = false;
    absl::Status refused;
    std::vector<Pending> taken;
    {
      absl::MutexLock lock(&mu_);
      if (!refusing_.ok() && building.batch.empty()) {
        auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
        mu_.AwaitWithDeadline(absl::Condition(&stop), next_retry_);
        if (stopping_) break;  // Nothing is queued while refusing.
        reopen = true;
      } else {
        // Appends join the batch while the one before it is written; it is handed over once
        // that one is durable. A failed write (the syncer's) refuses it.
        const std::vector<Pending>& batch = building.batch;
        auto ready = [this, &batch]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return (stopping_ && batch.empty()) || !refusing_.ok() || (!syncing_ && !batch.empty()) ||
                 (!queue_.empty() && building_entries_ < options_.max_batch_entries);
        };
        mu_.Await(absl::Condition(&ready));
        if (!refusing_.ok()) {
          refused = Refusal();
          building_entries_ = 0;
        } else {
          if (batch.empty() && !syncing_ && !queue_.empty() &&
              options_.max_batch_delay > absl::ZeroDuration() && !stopping_) {
            auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
              return stopping_ || queued_entries_ >= options_.max_batch_entries;
            };
            mu_.AwaitWithTimeout(absl::Condition(&full), options_.max_batch_delay);
          }
          // The oldest appends, while they fit.
          size_t took = 0;
          while (!queue_.empty() &&
                 (building_entries_ + took == 0 ||
                  building_entries_ + took + queue_.front().entries.size() <=
                      options_.max_batch_entries)) {
            took += queue_.front().entries.size();
            queued_bytes_ -= EntryBytes(queue_.front().entries);
            taken.push_back(std::move(queue_.front()));
            queue_.pop_front();
          }
          queued_entries_ -= took;
          building_entries_ += took;
          finish = !syncing_ && (!batch.empty() || !taken.empty());
          if (!finish && batch.empty() && taken.empty()) break;  // Stopping, nothing left.
          if (finish) building_entries_ = 0;
        }
      }
    }
    if (reopen) {
      TryReopen();
      continue;
    }
    if (!refused.ok()) {
      // Built on a batch whose write failed: nothing of it was stored.
      for (Pending& pending : building.batch) pending.done(refused);
      building.batch.clear();
      continue;
    }
    if (building.batch.empty() && !taken.empty()) building = StartBuilding();
    for (Pending& pending : taken) AddToBatch(std::move(pending), building);
    if (!finish) continue;
    absl::StatusOr<std::unique_ptr<Prepared>> prepared = FinishBatch(building);
    if (!prepared.ok()) {
      commit_errors_++;
      StartRefusing(prepared.status(), building.batch);
      building.batch.clear();
      continue;
    }
    absl::MutexLock lock(&mu_);
    to_sync_ = *std::move(prepared);
    syncing_ = true;
  }
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !syncing_; };
  mu_.Await(absl::Condition(&idle));
  sync_stopping_ = true;
}

void Sequencer::Sync() {
  for (;;) {
    std::unique_ptr<Prepared> prepared;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return syncing_ || sync_stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      if (!syncing_) return;
      prepared = std::move(to_sync_);
    }
    absl::Status status =
        prepared->head != nullptr ? storage_->Commit(prepared->write) : absl::OkStatus();
    commit_seconds_.Observe(absl::ToDoubleSeconds(absl::Now() - prepared->start));
    if (!status.ok()) {
      commit_errors_++;
      StartRefusing(status, prepared->batch);
      absl::MutexLock lock(&mu_);
      syncing_ = false;
      continue;
    }
    std::shared_ptr<const LogHead> head = prepared->head;
    if (head != nullptr) {
      batch_entries_.Observe(static_cast<double>(head->size - prepared->first_index));
      committed_entries_ += head->size - prepared->first_index;
      {
        absl::MutexLock lock(&mu_);
        head_ = head;
      }
      if (options_.on_commit) options_.on_commit(head->size);
    } else {
      head = Head();  // Nothing appended: the answers name the latest tree.
    }
    uint64_t index = prepared->first_index;
    for (Pending& pending : prepared->batch) {
      if (!pending.refused.ok()) {
        pending.done(pending.refused);
      } else if (pending.duplicate_of.has_value()) {
        pending.done(Appended{*pending.duplicate_of, head, true});
      } else {
        pending.done(Appended{index, head});
        index += pending.entries.size();
      }
    }
    absl::MutexLock lock(&mu_);
    syncing_ = false;
  }
}

void Sequencer::StartRefusing(const absl::Status& error, std::vector<Pending>& batch) {
  std::deque<Pending> queued;
  {
    absl::MutexLock lock(&mu_);
    refusing_ = error;
    retry_delay_ = options_.retry_initial_delay;
    next_retry_ = absl::Now() + retry_delay_;
    queued.swap(queue_);
    queued_entries_ = 0;
    queued_bytes_ = 0;
  }
  const absl::Status failed = WithRetryAfter(
      WithMessage(error, absl::StrCat(error.message(),
                                      "; the batch may have been stored: retry with the same "
                                      "Idempotency-Key")),
      options_.retry_initial_delay);
  for (Pending& pending : batch) pending.done(failed);
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    refused = Refusal();
  }
  for (Pending& pending : queued) pending.done(refused);
}

void Sequencer::TryReopen() {
  {
    // The failed batch is answered and the store is no longer written.
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !syncing_; };
    mu_.Await(absl::Condition(&idle));
  }
  reopen_attempts_++;
  // The tree state may be ahead of the log, built for a batch that was never written.
  const uint64_t published = Head()->size;
  absl::Status status = storage_->Reopen();
  absl::StatusOr<Recovered> recovered =
      status.ok() ? Recover(*storage_, *signer_) : absl::StatusOr<Recovered>(status);
  if (recovered.ok() && recovered->head->size < published) {
    recovered = absl::DataLossError(absl::StrCat(
        "the reopened store holds a tree of size ", recovered->head->size,
        ", want at least the published ", published));
  }
  if (!recovered.ok()) {
    absl::MutexLock lock(&mu_);
    refusing_ = recovered.status();
    retry_delay_ = std::min(retry_delay_ * 2, options_.retry_max_delay);
    next_retry_ = absl::Now() + retry_delay_;
    return;
  }
  reopens_++;
  state_ = std::move(recovered->state);
  syncing_keys_.clear();
  const uint64_t size = recovered->head->size;
  {
    absl::MutexLock lock(&mu_);
    if (size > published) head_ = recovered->head;
    refusing_ = absl::OkStatus();
  }
  if (size > published && options_.on_commit) options_.on_commit(size);
}

bool Sequencer::ResolveKey(Pending& pending, uint64_t first_index, BatchKeys* batch_keys) {
  auto answer = [&](const IdempotencyRecord& record) {
    if (record.digest == pending.digest) {
      pending.duplicate_of = record.first_index;
    } else {
      pending.refused = absl::AlreadyExistsError(absl::StrCat(
          "idempotency key \"", pending.key, "\" was used for another append, at index ",
          record.first_index, "; use a new key for new entries"));
    }
    return false;
  };
  if (auto it = batch_keys->find(pending.key); it != batch_keys->end()) {
    return answer(it->second);
  }
  // The batch being written holds keys the store may not have yet.
  if (auto it = syncing_keys_.find(pending.key); it != syncing_keys_.end()) {
    return answer(it->second);
  }
  absl::StatusOr<IdempotencyRecord> stored = storage_->ReadIdempotencyKey(pending.key);
  if (stored.ok()) return answer(*stored);
  if (!absl::IsNotFound(stored.status())) {
    pending.refused = stored.status();
    return false;
  }
  batch_keys->emplace(pending.key, IdempotencyRecord{first_index, pending.digest});
  return true;
}

Sequencer::Building Sequencer::StartBuilding() const {
  Building building;
  building.start = absl::Now();
  building.first_index = state_.size();
  building.next = state_;
  return building;
}

void Sequencer::AddToBatch(Pending pending, Building& building) {
  if (pending.key.empty() || ResolveKey(pending, building.next.size(), &building.keys)) {
    for (size_t i = 0; i < pending.entries.size(); ++i) {
      building.next.Append(pending.entries[i], pending.leaf_hashes[i], &building.write);
    }
  }
  building.batch.push_back(std::move(pending));
}

absl::StatusOr<std::unique_ptr<Sequencer::Prepared>> Sequencer::FinishBatch(
    Building& building) {
  auto prepared = std::make_unique<Prepared>();
  prepared->start = building.start;
  prepared->first_index = building.first_index;
  if (building.next.size() != building.first_index) {
    building.write.idempotency_keys.assign(building.keys.begin(), building.keys.end());
    building.next.FinishBatch(building.first_index, &building.write);
    absl::StatusOr<std::shared_ptr<const LogHead>> head =
        SignHead(*signer_, building.next.size(), building.next.Root());
    if (!head.ok()) return head.status();
    prepared->head = *std::move(head);
    building.write.checkpoint = prepared->head->checkpoint;
    prepared->write = std::move(building.write);
    state_ = std::move(building.next);
  }
  syncing_keys_ = std::move(building.keys);
  prepared->batch = std::move(building.batch);
  building.batch.clear();
  return prepared;
}

}  // namespace ledger
}  // namespace vellum
