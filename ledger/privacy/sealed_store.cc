#include "ledger/privacy/sealed_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/file_io.h"
#include "ledger/leveldb_util.h"
#include "ledger/privacy/commitment.h"
#include "ledger/privacy/sealed_record.h"
#include "leveldb/options.h"
#include "leveldb/write_batch.h"

namespace vellum {
namespace ledger {
namespace {

constexpr char kFormatKey[] = "format";
constexpr char kFormat[] = "vellum-sealed-store-1";
constexpr char kSubjectPrefix[] = "k/";  // + HMAC(K_lookup, subject) -> SubjectKeyRecord
constexpr char kPseudonymIndex[] = "p/";  // + pseudonym -> HMAC(K_lookup, subject)
constexpr char kValuePrefix[] = "v/";     // + commitment -> SealedValueRecord
constexpr char kOwnerIndex[] = "s/";      // + pseudonym + "/" + commitment -> ""
// Present while deletions wait for the rewrite that removes them from every file.
constexpr char kRewritePendingKey[] = "rewrite-pending";
constexpr char kPseudonymInfo[] = "vellum/pseudonym/v1";
constexpr char kValueKeyInfo[] = "vellum/sealed-value/v1";
constexpr size_t kPseudonymBytes = 16;

absl::StatusOr<std::string> RandomString(size_t size) {
  std::string out(size, '\0');
  absl::Status status = crypto::RandomBytes(
      absl::MakeSpan(reinterpret_cast<uint8_t*>(&out[0]), out.size()));
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::string> PseudonymFromKey(absl::string_view key) {
  uint8_t out[kPseudonymBytes];
  absl::Status status = crypto::HkdfSha256(key, "", kPseudonymInfo, absl::MakeSpan(out));
  if (!status.ok()) return status;
  return absl::StrCat(kPseudonymPrefix,
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(out), sizeof(out))));
}

absl::StatusOr<crypto::Aes256Key> ValueKey(absl::string_view subject_key,
                                           absl::string_view key_salt) {
  crypto::Aes256Key key;
  absl::Status status = crypto::HkdfSha256(subject_key, key_salt, kValueKeyInfo,
                                           absl::MakeSpan(key));
  if (!status.ok()) return status;
  return key;
}

std::string ValueAad(absl::string_view path, const crypto::Sha256Digest& commitment) {
  return absl::StrCat(path, absl::string_view("\0", 1), DigestBytes(commitment));
}

std::string ValueKeyOf(const crypto::Sha256Digest& commitment) {
  return absl::StrCat(kValuePrefix, DigestBytes(commitment));
}

std::string OwnerKey(absl::string_view pseudonym, const crypto::Sha256Digest& commitment) {
  return absl::StrCat(kOwnerIndex, pseudonym, "/", DigestBytes(commitment));
}

absl::StatusOr<bool> Get(leveldb::DB& db, const std::string& key, std::string* value) {
  leveldb::Status status = db.Get(leveldb::ReadOptions(), key, value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return FromLevelDb(status, "sealed store read");
  return true;
}

absl::Status WriteSynced(leveldb::DB& db, leveldb::WriteBatch& batch) {
  leveldb::WriteOptions options;
  options.sync = true;
  return FromLevelDb(db.Write(options, &batch), "sealed store write");
}

// Visits the commitments of every value the pseudonym owns.
template <typename Visit>
absl::Status ForEachOwned(leveldb::DB& db, absl::string_view pseudonym, Visit visit) {
  const std::string prefix = absl::StrCat(kOwnerIndex, pseudonym, "/");
  std::unique_ptr<leveldb::Iterator> it(db.NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    absl::string_view rest(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    absl::optional<crypto::Sha256Digest> commitment = CommitmentFromBytes(rest);
    if (!commitment.has_value()) {
      return absl::DataLossError(absl::StrCat("sealed store: owner index entry of ", pseudonym,
                                              " holds ", rest.size(), " bytes, want 32"));
    }
    visit(*commitment);
  }
  return FromLevelDb(it->status(), "sealed store scan");
}

absl::Status Destroy(const std::string& dir) {
  if (!PathExists(dir)) return absl::OkStatus();
  return FromLevelDb(leveldb::DestroyDB(dir, leveldb::Options()),
                     absl::StrCat("cannot remove ", dir));
}

// Opens the database in `dir`, creating it only when `create` (a store's first start, a rewrite's
// copy): reopening after a rewrite must never replace a missing store with an empty one.
// A new subject's key record under its lookup digest, put into `batch` with its pseudonym's
// index record.
absl::StatusOr<SubjectKeyRecord> NewSubject(const crypto::Sha256Digest& lookup,
                                            const google::protobuf::Timestamp& created,
                                            leveldb::WriteBatch& batch) {
  auto key = RandomString(32);
  if (!key.ok()) return key.status();
  auto pseudonym = PseudonymFromKey(*key);
  if (!pseudonym.ok()) return pseudonym.status();
  SubjectKeyRecord subject;
  subject.set_key(*key);
  subject.set_pseudonym(*pseudonym);
  *subject.mutable_created_time() = created;
  batch.Put(absl::StrCat(kSubjectPrefix, DigestBytes(lookup)), subject.SerializeAsString());
  batch.Put(absl::StrCat(kPseudonymIndex, *pseudonym), std::string(DigestBytes(lookup)));
  return subject;
}

// The key record of the subject whose lookup record key is `record_key` (HMAC(K_lookup, subject)
// is `lookup`) as `db` holds it or, when it has none, a new one added to `batch`, with `*created`
// set. Callers hold the store's lock exclusively, so that no subject gets two keys.
absl::StatusOr<SubjectKeyRecord> FindOrAddSubject(leveldb::DB& db,
                                                  const crypto::Sha256Digest& lookup,
                                                  const std::string& record_key,
                                                  const google::protobuf::Timestamp& now,
                                                  leveldb::WriteBatch& batch, bool* created) {
  std::string stored;
  auto exists = Get(db, record_key, &stored);
  if (!exists.ok()) return exists.status();
  if (*exists) return DecodeSubjectKeyRecord(stored);
  *created = true;
  return NewSubject(lookup, now, batch);
}

absl::StatusOr<std::unique_ptr<leveldb::DB>> OpenDb(const std::string& dir, bool create) {
  leveldb::Options options;
  options.create_if_missing = create;
  // The values are ciphertext, which does not compress; uncompressed tables also let the tests
  // show, byte for byte, that no file keeps an erased record.
  options.compression = leveldb::kNoCompression;
  return OpenLevelDb(dir, options, kFormatKey, kFormat);
}

// What every call answers after a rewrite could not reopen the store.
absl::Status StoreClosed() {
  return absl::UnavailableError("the sealed store is closed: a rewrite could not reopen it; "
                                "restart to finish the rewrite");
}

// The directories of a rewrite: the new copy while it is made, the old one once swapped out.
std::string RewriteDir(const std::string& dir) { return dir + ".rewrite"; }
std::string OldDir(const std::string& dir) { return dir + ".old"; }

// Puts right what a crash during a rewrite left: a finished copy not yet swapped in (the store's
// directory is gone only once the copy is complete), an unfinished one, an old one.
absl::Status RecoverRewrite(const std::string& dir) {
  if (!PathExists(dir) && PathExists(RewriteDir(dir))) {
    if (rename(RewriteDir(dir).c_str(), dir.c_str()) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot rename ", RewriteDir(dir), ": ",
                                                 std::strerror(errno)));
    }
    absl::Status synced = SyncParentDirectory(dir);
    if (!synced.ok()) return synced;
  }
  absl::Status removed = Destroy(RewriteDir(dir));
  if (removed.ok()) removed = Destroy(OldDir(dir));
  return removed;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SealedStore>> SealedStore::Open(const std::string& dir,
                                                               absl::string_view lookup_key) {
  if (lookup_key.size() != kLookupKeySize) {
    return absl::InvalidArgumentError(absl::StrCat("sealed store lookup key: ", lookup_key.size(),
                                                   " bytes, want ", kLookupKeySize));
  }
  absl::Status recovered = RecoverRewrite(dir);
  if (!recovered.ok()) return recovered;
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::UnavailableError(absl::StrCat("sealed store directory ", dir, ": mkdir: ",
                                               std::strerror(errno)));
  }
  absl::Status private_dir = CheckPrivateDirectory("sealed store directory", dir);
  if (!private_dir.ok()) return private_dir;
  auto db = OpenDb(dir, /*create=*/true);
  if (!db.ok()) return db.status();
  std::unique_ptr<SealedStore> store(new SealedStore(dir, *std::move(db), std::string(lookup_key)));
  absl::MutexLock lock(&store->mu_);
  absl::Status finished = store->FinishPendingRewriteLocked();
  if (!finished.ok()) return finished;
  return store;
}

SealedStore::SealedStore(std::string dir, std::unique_ptr<leveldb::DB> db,
                         std::string lookup_key)
    : dir_(std::move(dir)), lookup_key_(std::move(lookup_key)), db_(std::move(db)) {}

absl::Status SealedStore::FinishPendingRewriteLocked() {
  std::string marker;
  auto pending = Get(*db_, kRewritePendingKey, &marker);
  if (!pending.ok()) return pending.status();
  return *pending ? RewriteLocked() : absl::OkStatus();
}

absl::Status SealedStore::RewriteLocked() {
  const std::string fresh_dir = RewriteDir(dir_);
  absl::Status status = Destroy(fresh_dir);
  if (!status.ok()) return status;
  if (mkdir(fresh_dir.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot make ", fresh_dir, ": ",
                                               std::strerror(errno)));
  }
  {
    auto fresh = OpenDb(fresh_dir, /*create=*/true);
    if (!fresh.ok()) return fresh.status();
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    leveldb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key() == kFormatKey || it->key() == kRewritePendingKey) continue;
      batch.Put(it->key(), it->value());
      if (batch.ApproximateSize() >= (1 << 20)) {
        status = WriteSynced(**fresh, batch);
        if (!status.ok()) return status;
        batch.Clear();
      }
    }
    status = FromLevelDb(it->status(), "sealed store scan");
    if (status.ok()) status = WriteSynced(**fresh, batch);
    if (!status.ok()) return status;
  }
  // The copy is complete and closed: swap it in. Until the first rename the old directory is
  // the store; after it, RecoverRewrite finishes the swap.
  db_.reset();
  if (rename(dir_.c_str(), OldDir(dir_).c_str()) != 0) {
    status = absl::UnavailableError(absl::StrCat("cannot move ", dir_, " aside: ",
                                                 std::strerror(errno)));
  } else if (rename(fresh_dir.c_str(), dir_.c_str()) != 0) {
    status = absl::UnavailableError(absl::StrCat("cannot swap in the rewritten ", dir_, ": ",
                                                 std::strerror(errno)));
    // Put the old store back; the marker in it reruns the rewrite later.
    if (rename(OldDir(dir_).c_str(), dir_.c_str()) != 0) {
      status = absl::DataLossError(absl::StrCat(
          status.message(), "; and cannot move it back from ", OldDir(dir_), ": ",
          std::strerror(errno), " (the next open finishes the swap)"));
    }
  }
  if (status.ok()) status = SyncParentDirectory(dir_);
  if (status.ok()) status = RecoverRewrite(dir_);
  auto reopened = OpenDb(dir_, /*create=*/false);
  if (!reopened.ok()) return reopened.status();  // db_ stays closed: every call fails (Closed)
  db_ = *std::move(reopened);
  return status;
}

absl::StatusOr<std::vector<SealedRef>> SealedStore::Seal(absl::Span<const SealRequest> values,
                                                         absl::Time now) {
  if (values.size() > kMaxValuesPerSeal) {
    return absl::InvalidArgumentError(absl::StrCat("sealed store: ", values.size(),
                                                   " values in one seal, want at most ",
                                                   kMaxValuesPerSeal));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    const SealRequest& v = values[i];
    if (v.subject.empty() || v.subject.size() > kMaxSubjectBytes) {
      return absl::InvalidArgumentError(absl::StrCat("sealed value ", i, ": subject of ",
                                                     v.subject.size(), " bytes, want 1 to ",
                                                     kMaxSubjectBytes));
    }
    if (v.path.empty() || v.path.size() > kMaxPathBytes) {
      return absl::InvalidArgumentError(absl::StrCat("sealed value ", i, ": path of ",
                                                     v.path.size(), " bytes, want 1 to ",
                                                     kMaxPathBytes));
    }
    if (v.value.size() > kMaxValueBytes) {
      return absl::InvalidArgumentError(absl::StrCat("sealed value ", i, " (", v.path, "): ",
                                                     v.value.size(), " bytes, want at most ",
                                                     kMaxValueBytes));
    }
  }
  google::protobuf::Timestamp sealed_time;
  sealed_time.set_seconds(absl::ToUnixSeconds(now));

  // First, alone: the values' distinct subjects and their keys, creating (in one synced write)
  // those that have none, so that two seals never give one subject two keys.
  std::vector<std::string> record_keys;
  std::vector<SubjectKeyRecord> subjects;
  std::vector<size_t> subject_of(values.size());
  {
    absl::MutexLock lock(&mu_);
    if (db_ == nullptr) return StoreClosed();
    leveldb::WriteBatch created;
    bool creates = false;
    for (size_t i = 0; i < values.size(); ++i) {
      const crypto::Sha256Digest lookup = crypto::HmacSha256(lookup_key_, values[i].subject);
      std::string record_key = absl::StrCat(kSubjectPrefix, DigestBytes(lookup));
      subject_of[i] = std::find(record_keys.begin(), record_keys.end(), record_key) -
                      record_keys.begin();
      if (subject_of[i] < record_keys.size()) continue;
      auto subject = FindOrAddSubject(*db_, lookup, record_key, sealed_time, created, &creates);
      if (!subject.ok()) return subject.status();
      subjects.push_back(*std::move(subject));
      record_keys.push_back(std::move(record_key));
    }
    if (creates) {
      if (absl::Status written = WriteSynced(*db_, created); !written.ok()) return written;
    }
  }

  // Then beside other seals: the values, in one synced write, which LevelDB merges with the
  // writes of concurrent seals into one sync of its log.
  std::vector<SealedRef> refs;
  refs.reserve(values.size());
  leveldb::WriteBatch batch;
  for (size_t i = 0; i < values.size(); ++i) {
    const SealRequest& v = values[i];
    const SubjectKeyRecord& subject = subjects[subject_of[i]];
    auto salt = RandomString(kCommitmentSaltSize);
    if (!salt.ok()) return salt.status();
    auto key_salt = RandomString(32);
    if (!key_salt.ok()) return key_salt.status();
    crypto::Sha256Digest commitment = FieldCommitment(*salt, v.path, v.value);
    auto value_key = ValueKey(subject.key(), *key_salt);
    if (!value_key.ok()) return value_key.status();
    auto ciphertext = crypto::Aes256GcmSeal(*value_key, absl::StrCat(*salt, v.value),
                                            ValueAad(v.path, commitment));
    if (!ciphertext.ok()) return ciphertext.status();

    SealedValueRecord record;
    record.set_pseudonym(subject.pseudonym());
    record.set_path(v.path);
    record.set_key_salt(*key_salt);
    record.set_ciphertext(*ciphertext);
    *record.mutable_sealed_time() = sealed_time;
    batch.Put(ValueKeyOf(commitment), record.SerializeAsString());
    batch.Put(OwnerKey(subject.pseudonym(), commitment), "");
    refs.push_back(SealedRef{v.path, subject.pseudonym(), commitment});
  }
  absl::ReaderMutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  // A subject erased since the first step: its values are not written under a key that is gone.
  for (size_t s = 0; s < record_keys.size(); ++s) {
    std::string stored;
    auto exists = Get(*db_, record_keys[s], &stored);
    if (!exists.ok()) return exists.status();
    bool same = false;
    if (*exists) {
      auto current = DecodeSubjectKeyRecord(stored);
      if (!current.ok()) return current.status();
      same = current->key() == subjects[s].key();
    }
    if (!same) {
      return absl::AbortedError(
          "a subject of these values was erased while they were sealed: nothing was stored; "
          "retry");
    }
  }
  absl::Status written = WriteSynced(*db_, batch);
  if (!written.ok()) return written;
  return refs;
}

absl::StatusOr<std::string> SealedStore::FindPseudonym(absl::string_view subject) const {
  absl::ReaderMutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  std::string stored;
  const crypto::Sha256Digest lookup = crypto::HmacSha256(lookup_key_, subject);
  auto exists = Get(*db_, absl::StrCat(kSubjectPrefix, DigestBytes(lookup)), &stored);
  if (!exists.ok()) return exists.status();
  if (!*exists) return absl::NotFoundError("no sealed key for this subject");
  auto record = DecodeSubjectKeyRecord(stored);
  if (!record.ok()) return record.status();
  return record->pseudonym();
}

std::string SealedStore::DirIn(absl::string_view data_dir) {
  return absl::StrCat(data_dir, "/sealed");
}

absl::StatusOr<std::string> SealedStore::PseudonymFor(absl::string_view subject,
                                                      absl::Time now) {
  if (subject.empty() || subject.size() > kMaxSubjectBytes) {
    return absl::InvalidArgumentError(absl::StrCat("subject of ", subject.size(),
                                                   " bytes, want 1 to ", kMaxSubjectBytes));
  }
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  const crypto::Sha256Digest lookup = crypto::HmacSha256(lookup_key_, subject);
  google::protobuf::Timestamp created_time;
  created_time.set_seconds(absl::ToUnixSeconds(now));
  leveldb::WriteBatch batch;
  bool created = false;
  auto record = FindOrAddSubject(*db_, lookup, absl::StrCat(kSubjectPrefix, DigestBytes(lookup)),
                                 created_time, batch, &created);
  if (!record.ok()) return record.status();
  if (created) {
    if (absl::Status written = WriteSynced(*db_, batch); !written.ok()) return written;
  }
  return record->pseudonym();
}

absl::StatusOr<std::vector<crypto::Sha256Digest>> SealedStore::ValuesSealedSince(
    absl::Time since) const {
  absl::ReaderMutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  const int64_t seconds = absl::ToUnixSeconds(since);
  std::vector<crypto::Sha256Digest> found;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(kValuePrefix); it->Valid() && it->key().starts_with(kValuePrefix); it->Next()) {
    absl::optional<crypto::Sha256Digest> commitment = CommitmentFromBytes(absl::string_view(
        it->key().data() + sizeof(kValuePrefix) - 1, it->key().size() - sizeof(kValuePrefix) + 1));
    if (!commitment.has_value()) {
      return absl::DataLossError("sealed store: a value record has a malformed key");
    }
    auto record =
        DecodeSealedValueRecord(absl::string_view(it->value().data(), it->value().size()));
    if (!record.ok()) return record.status();
    if (record->sealed_time().seconds() >= seconds) found.push_back(*commitment);
  }
  if (absl::Status s = FromLevelDb(it->status(), "sealed store scan"); !s.ok()) return s;
  return found;
}

absl::StatusOr<size_t> SealedStore::CountPresent(
    absl::Span<const crypto::Sha256Digest> commitments) const {
  absl::ReaderMutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  size_t present = 0;
  std::string stored;
  for (const crypto::Sha256Digest& commitment : commitments) {
    auto exists = Get(*db_, ValueKeyOf(commitment), &stored);
    if (!exists.ok()) return exists.status();
    if (*exists) ++present;
  }
  return present;
}

absl::StatusOr<bool> SealedStore::HasPseudonym(absl::string_view pseudonym) const {
  absl::ReaderMutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  std::string lookup;
  return Get(*db_, absl::StrCat(kPseudonymIndex, pseudonym), &lookup);
}

absl::StatusOr<OpenedValue> SealedStore::OpenValue(const crypto::Sha256Digest& commitment) const {
  absl::ReaderMutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  std::string stored;
  auto exists = Get(*db_, ValueKeyOf(commitment), &stored);
  if (!exists.ok()) return exists.status();
  if (!*exists) return absl::NotFoundError("the sealed value is not in the store");
  auto decoded = DecodeSealedValueRecord(stored);
  if (!decoded.ok()) return decoded.status();
  const SealedValueRecord& record = *decoded;
  std::string lookup;
  auto indexed = Get(*db_, absl::StrCat(kPseudonymIndex, record.pseudonym()), &lookup);
  if (!indexed.ok()) return indexed.status();
  std::string subject_bytes;
  absl::StatusOr<bool> has_key = false;
  if (*indexed) has_key = Get(*db_, absl::StrCat(kSubjectPrefix, lookup), &subject_bytes);
  if (!has_key.ok()) return has_key.status();
  if (!*has_key) return absl::NotFoundError("the sealed value's subject key is erased");
  auto subject = DecodeSubjectKeyRecord(subject_bytes);
  if (!subject.ok()) return subject.status();
  auto value_key = ValueKey(subject->key(), record.key_salt());
  if (!value_key.ok()) return value_key.status();
  auto plaintext = crypto::Aes256GcmOpen(*value_key, record.ciphertext(),
                                         ValueAad(record.path(), commitment));
  if (!plaintext.ok()) {
    return absl::DataLossError(absl::StrCat("sealed store: a value record of ", record.path(),
                                            " does not decrypt: ",
                                            plaintext.status().message()));
  }
  if (plaintext->size() < kCommitmentSaltSize) {
    return absl::DataLossError(absl::StrCat("sealed store: a value record of ", record.path(),
                                            " holds ", plaintext->size(), " bytes, want at least ",
                                            kCommitmentSaltSize));
  }
  OpenedValue opened;
  opened.path = record.path();
  opened.pseudonym = record.pseudonym();
  opened.salt = plaintext->substr(0, kCommitmentSaltSize);
  opened.value = plaintext->substr(kCommitmentSaltSize);
  if (FieldCommitment(opened.salt, opened.path, opened.value) != commitment) {
    return absl::DataLossError(absl::StrCat("sealed store: a value of ", record.path(),
                                            " does not match its commitment"));
  }
  return opened;
}

absl::StatusOr<size_t> SealedStore::Erase(absl::string_view pseudonym) {
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  // A rewrite a crash interrupted goes first: an erasure redone after a crash finds no key but
  // must still leave no copy of it.
  absl::Status finished = FinishPendingRewriteLocked();
  if (!finished.ok()) return finished;
  std::string lookup;
  const std::string index_key = absl::StrCat(kPseudonymIndex, pseudonym);
  auto exists = Get(*db_, index_key, &lookup);
  if (!exists.ok()) return exists.status();
  if (!*exists) return absl::NotFoundError("no sealed key has this pseudonym");
  size_t erased = 0;
  leveldb::WriteBatch batch;
  absl::Status scanned = ForEachOwned(*db_, pseudonym, [&](const crypto::Sha256Digest& c) {
    batch.Delete(ValueKeyOf(c));
    batch.Delete(OwnerKey(pseudonym, c));
    ++erased;
  });
  if (!scanned.ok()) return scanned;
  batch.Delete(absl::StrCat(kSubjectPrefix, lookup));
  batch.Delete(index_key);
  batch.Put(kRewritePendingKey, "");
  absl::Status written = WriteSynced(*db_, batch);
  if (!written.ok()) return written;
  absl::Status rewritten = RewriteLocked();
  if (!rewritten.ok()) return rewritten;
  return erased;
}

absl::StatusOr<size_t> SealedStore::Purge(absl::Span<const crypto::Sha256Digest> commitments) {
  absl::MutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  absl::Status finished = FinishPendingRewriteLocked();
  if (!finished.ok()) return finished;
  std::vector<crypto::Sha256Digest> unique(commitments.begin(), commitments.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  size_t purged = 0;
  leveldb::WriteBatch batch;
  std::vector<std::string> owners;
  for (const crypto::Sha256Digest& commitment : unique) {
    std::string stored;
    auto exists = Get(*db_, ValueKeyOf(commitment), &stored);
    if (!exists.ok()) return exists.status();
    if (!*exists) continue;
    auto record = DecodeSealedValueRecord(stored);
    if (!record.ok()) return record.status();
    batch.Delete(ValueKeyOf(commitment));
    batch.Delete(OwnerKey(record->pseudonym(), commitment));
    owners.push_back(record->pseudonym());
    ++purged;
  }
  if (purged == 0) return purged;
  // A subject whose last value goes loses its key in the same batch. The owner index is read
  // before the batch is written, so count what the batch leaves.
  std::sort(owners.begin(), owners.end());
  for (auto first = owners.begin(); first != owners.end();) {
    auto last = std::upper_bound(first, owners.end(), *first);
    const std::string& pseudonym = *first;
    size_t owned = 0;
    absl::Status scanned =
        ForEachOwned(*db_, pseudonym, [&](const crypto::Sha256Digest&) { ++owned; });
    if (!scanned.ok()) return scanned;
    if (owned == static_cast<size_t>(last - first)) {
      std::string lookup;
      const std::string index_key = absl::StrCat(kPseudonymIndex, pseudonym);
      auto exists = Get(*db_, index_key, &lookup);
      if (!exists.ok()) return exists.status();
      if (*exists) {
        batch.Delete(absl::StrCat(kSubjectPrefix, lookup));
        batch.Delete(index_key);
      }
    }
    first = last;
  }
  batch.Put(kRewritePendingKey, "");
  absl::Status written = WriteSynced(*db_, batch);
  if (!written.ok()) return written;
  absl::Status rewritten = RewriteLocked();
  if (!rewritten.ok()) return rewritten;
  return purged;
}

absl::StatusOr<size_t> SealedStore::CountValues(absl::string_view pseudonym) const {
  absl::ReaderMutexLock lock(&mu_);
  if (db_ == nullptr) return StoreClosed();
  size_t count = 0;
  absl::Status scanned =
      ForEachOwned(*db_, pseudonym, [&](const crypto::Sha256Digest&) { ++count; });
  if (!scanned.ok()) return scanned;
  return count;
}

}  // namespace ledger
}  // namespace vellum
