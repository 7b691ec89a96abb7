#include "ledger/witness/leveldb_witness_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/leveldb_util.h"
#include "leveldb/db.h"
#include "leveldb/options.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kFormatKey = "w1/meta/format";
constexpr absl::string_view kFormat = "witness 1";
constexpr absl::string_view kLatestPrefix = "w1/latest/";

}  // namespace

absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> LevelDbWitnessStore::Open(
    absl::string_view dir) {
  leveldb::Options options;
  options.create_if_missing = true;
  absl::StatusOr<std::unique_ptr<leveldb::DB>> db = OpenLevelDb(dir, options, kFormatKey, kFormat);
  if (!db.ok()) return db.status();
  return std::unique_ptr<LevelDbWitnessStore>(new LevelDbWitnessStore(*std::move(db)));
}

LevelDbWitnessStore::LevelDbWitnessStore(std::unique_ptr<leveldb::DB> db) : db_(std::move(db)) {}

LevelDbWitnessStore::~LevelDbWitnessStore() = default;

absl::StatusOr<absl::optional<std::string>> LevelDbWitnessStore::Latest(
    absl::string_view origin) const {
  std::string value;
  leveldb::Status status =
      db_->Get(leveldb::ReadOptions(), absl::StrCat(kLatestPrefix, origin), &value);
  if (status.IsNotFound()) return absl::optional<std::string>();
  if (!status.ok()) return FromLevelDb(status, "cannot read the witness state");
  return absl::optional<std::string>(std::move(value));
}

absl::StatusOr<std::string> LevelDbWitnessStore::Update(absl::string_view origin,
                                                        const Decide& decide) {
  absl::MutexLock lock(&update_mu_);
  absl::StatusOr<absl::optional<std::string>> current = Latest(origin);
  if (!current.ok()) return current.status();
  absl::StatusOr<std::string> next = decide(*current);
  if (!next.ok()) return next.status();
  leveldb::WriteOptions sync;
  sync.sync = true;
  absl::Status status = FromLevelDb(db_->Put(sync, absl::StrCat(kLatestPrefix, origin), *next),
                                    "cannot record the cosigned checkpoint");
  if (!status.ok()) return status;
  return next;
}

}  // namespace ledger
}  // namespace vellum
