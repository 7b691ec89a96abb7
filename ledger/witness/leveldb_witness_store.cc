#include "ledger/witness/leveldb_witness_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/leveldb_util.h"
#include "leveldb/db.h"
#include "leveldb/options.h"
#include "leveldb/write_batch.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kFormatKey = "w1/meta/format";
constexpr absl::string_view kFormat = "witness 1";
constexpr absl::string_view kLatestPrefix = "w1/latest/";
constexpr absl::string_view kCosignerKey = "w1/meta/cosigner-key";
constexpr absl::string_view kEvidenceStoredKey = "w1/meta/evidence-stored";
constexpr absl::string_view kEvidenceDroppedKey = "w1/meta/evidence-dropped";
constexpr absl::string_view kEvidencePrefix = "w1/evidence/record/";
constexpr absl::string_view kEvidenceDigestPrefix = "w1/evidence/digest/";

std::string EvidenceKey(uint64_t index) {
  return absl::StrFormat("%s%020d", kEvidencePrefix, index);
}

}  // namespace

absl::StatusOr<std::unique_ptr<LevelDbWitnessStore>> LevelDbWitnessStore::Open(
    absl::string_view dir, bool create) {
  // LevelDB's CURRENT file exists exactly when the database does.
  struct stat st;
  bool exists = stat(absl::StrCat(dir, "/CURRENT").c_str(), &st) == 0;
  if (!exists && errno != ENOENT) {
    return absl::UnavailableError(absl::StrCat("cannot read the witness state in ", dir));
  }
  if (create && exists) {
    return absl::AlreadyExistsError(absl::StrCat("a witness state already exists in ", dir));
  }
  if (!create && !exists) {
    return absl::NotFoundError(absl::StrCat("no witness state in ", dir));
  }
  leveldb::Options options;
  options.create_if_missing = create;
  options.error_if_exists = create;
  absl::StatusOr<std::unique_ptr<leveldb::DB>> db = OpenLevelDb(dir, options, kFormatKey, kFormat);
  if (!db.ok()) return db.status();
  EvidenceCounts counts;
  const struct {
    absl::string_view key;
    uint64_t* value;
  } stored_counts[] = {{kEvidenceStoredKey, &counts.stored},
                       {kEvidenceDroppedKey, &counts.dropped}};
  for (const auto& count : stored_counts) {
    std::string text;
    leveldb::Status status = (*db)->Get(leveldb::ReadOptions(), std::string(count.key), &text);
    if (status.IsNotFound()) continue;
    if (!status.ok()) return FromLevelDb(status, "cannot read the evidence counts");
    if (!absl::SimpleAtoi(text, count.value)) {
      return absl::DataLossError(absl::StrCat("witness state in ", dir, ": ", count.key,
                                              " is \"", text, "\", want a count"));
    }
  }
  return std::unique_ptr<LevelDbWitnessStore>(new LevelDbWitnessStore(*std::move(db), counts));
}

LevelDbWitnessStore::LevelDbWitnessStore(std::unique_ptr<leveldb::DB> db, EvidenceCounts counts)
    : db_(std::move(db)), counts_(counts) {}

LevelDbWitnessStore::~LevelDbWitnessStore() = default;

absl::StatusOr<absl::optional<std::string>> LevelDbWitnessStore::Get(
    absl::string_view key, absl::string_view what) const {
  std::string value;
  leveldb::Status status = db_->Get(leveldb::ReadOptions(), std::string(key), &value);
  if (status.IsNotFound()) return absl::optional<std::string>();
  if (!status.ok()) return FromLevelDb(status, absl::StrCat("cannot read ", what));
  return absl::optional<std::string>(std::move(value));
}

absl::StatusOr<absl::optional<std::string>> LevelDbWitnessStore::Latest(
    absl::string_view origin) const {
  return Get(absl::StrCat(kLatestPrefix, origin), "the witness state");
}

absl::StatusOr<std::string> LevelDbWitnessStore::Update(absl::string_view origin,
                                                        const Decide& decide) {
  absl::MutexLock lock(&update_mu_);
  absl::StatusOr<absl::optional<std::string>> current = Latest(origin);
  if (!current.ok()) return current.status();
  absl::StatusOr<std::string> next = decide(*current);
  if (!next.ok()) return next.status();
  if (*current == *next) return next;
  leveldb::WriteOptions sync;
  sync.sync = true;
  absl::Status status = FromLevelDb(db_->Put(sync, absl::StrCat(kLatestPrefix, origin), *next),
                                    "cannot record the cosigned checkpoint");
  if (!status.ok()) return status;
  return next;
}

absl::StatusOr<absl::optional<std::string>> LevelDbWitnessStore::CosignerKey() const {
  return Get(kCosignerKey, "the witness's cosigner key id");
}

absl::Status LevelDbWitnessStore::SetCosignerKey(absl::string_view key) {
  leveldb::WriteOptions sync;
  sync.sync = true;
  return FromLevelDb(db_->Put(sync, std::string(kCosignerKey), std::string(key)),
                     "cannot record the witness's cosigner key id");
}

absl::StatusOr<WitnessStore::EvidenceAdded> LevelDbWitnessStore::AddEvidence(
    absl::string_view digest, absl::string_view record, uint64_t limit) {
  absl::MutexLock lock(&evidence_mu_);
  const std::string digest_key = absl::StrCat(kEvidenceDigestPrefix, digest);
  absl::StatusOr<absl::optional<std::string>> seen = Get(digest_key, "the evidence index");
  if (!seen.ok()) return seen.status();
  EvidenceAdded added;
  if (seen->has_value()) {
    if (!absl::SimpleAtoi(**seen, &added.index)) {
      return absl::DataLossError(absl::StrCat("evidence index entry is \"", **seen,
                                              "\", want a record number"));
    }
    added.outcome = EvidenceOutcome::kRepeated;
    return added;
  }
  EvidenceCounts next = counts_;
  leveldb::WriteBatch batch;
  if (counts_.stored >= limit) {
    added.outcome = EvidenceOutcome::kDropped;
    ++next.dropped;
    batch.Put(std::string(kEvidenceDroppedKey), absl::StrCat(next.dropped));
  } else {
    added.index = counts_.stored;
    ++next.stored;
    batch.Put(EvidenceKey(added.index), std::string(record));
    batch.Put(digest_key, absl::StrCat(added.index));
    batch.Put(std::string(kEvidenceStoredKey), absl::StrCat(next.stored));
  }
  leveldb::WriteOptions sync;
  sync.sync = true;
  absl::Status status = FromLevelDb(db_->Write(sync, &batch), "cannot record the evidence");
  if (!status.ok()) return status;
  counts_ = next;
  return added;
}

absl::StatusOr<WitnessStore::EvidenceCounts> LevelDbWitnessStore::CountEvidence() const {
  absl::MutexLock lock(&evidence_mu_);
  return counts_;
}

absl::StatusOr<absl::optional<std::string>> LevelDbWitnessStore::Evidence(uint64_t index) const {
  {
    absl::MutexLock lock(&evidence_mu_);
    if (index >= counts_.stored) return absl::optional<std::string>();
  }
  absl::StatusOr<absl::optional<std::string>> record =
      Get(EvidenceKey(index), "the evidence record");
  if (record.ok() && !record->has_value()) {
    return absl::DataLossError(absl::StrCat("evidence record ", index, " is missing"));
  }
  return record;
}

}  // namespace ledger
}  // namespace vellum
