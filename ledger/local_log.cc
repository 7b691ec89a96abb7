#include "ledger/local_log.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/leveldb_index_store.h"

namespace vellum {
namespace ledger {

absl::StatusOr<std::unique_ptr<LocalLog>> LocalLog::Open(absl::string_view data_dir,
                                                         const Options& options) {
  if (options.sequencer.on_commit) {
    return absl::InvalidArgumentError("LocalLog feeds its follower from on_commit: leave it empty");
  }
  std::unique_ptr<LocalLog> log(new LocalLog());
  absl::StatusOr<std::unique_ptr<LevelDbStorage>> storage =
      LevelDbStorage::Open(absl::StrCat(data_dir, "/db"), {});
  if (!storage.ok()) return storage.status();
  log->storage_ = *std::move(storage);
  absl::StatusOr<std::pair<uint64_t, std::string>> checkpoint = log->storage_->ReadCheckpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  absl::StatusOr<absl::optional<uint64_t>> typed_from = log->storage_->ReadTypedFrom();
  if (!typed_from.ok()) return typed_from.status();
  if (typed_from->has_value()) {
    log->typed_from_ = **typed_from;
  } else {
    log->typed_from_ = checkpoint->first;
    absl::Status recorded = log->storage_->RecordTypedFrom(log->typed_from_);
    if (!recorded.ok()) return recorded;
  }
  LevelDbIndexStore::Options store_options;
  if (options.event_fields) store_options.indexes = options.event_indexes;
  store_options.rebuild = options.rebuild_indexes;
  absl::StatusOr<std::unique_ptr<IndexStore>> index_store =
      LevelDbIndexStore::Open(absl::StrCat(data_dir, "/index"), checkpoint->first, store_options);
  if (!index_store.ok()) return index_store.status();
  log->index_store_ = *std::move(index_store);
  log->leaf_index_ = std::make_unique<LeafHashIndex>(log->index_store_.get());
  std::vector<DerivedIndex*> indexes = {log->leaf_index_.get()};
  if (options.event_fields) {
    log->event_index_ = std::make_unique<EventIndex>(log->index_store_.get(), log->typed_from_,
                                                     options.event_fields);
    indexes.push_back(log->event_index_.get());
  }
  absl::StatusOr<std::unique_ptr<IndexFollower>> follower = IndexFollower::Start(
      log->storage_.get(), log->index_store_.get(), std::move(indexes), {});
  if (!follower.ok()) return follower.status();
  log->follower_ = *std::move(follower);
  if (options.signer == nullptr) return log;
  SequencerOptions sequencer_options = options.sequencer;
  IndexFollower* follower_ptr = log->follower_.get();
  sequencer_options.on_commit = [follower_ptr](uint64_t size) { follower_ptr->Notify(size); };
  absl::StatusOr<std::unique_ptr<Sequencer>> sequencer =
      Sequencer::Create(log->storage_.get(), options.signer, sequencer_options);
  if (!sequencer.ok()) return sequencer.status();
  log->sequencer_ = *std::move(sequencer);
  return log;
}

LocalLog::~LocalLog() = default;

}  // namespace ledger
}  // namespace vellum
