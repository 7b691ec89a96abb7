#ifndef VELLUM_LEDGER_PRIVACY_SEALED_STORE_H_
#define VELLUM_LEDGER_PRIVACY_SEALED_STORE_H_

// The sealed store (docs/privacy.md): the personal field values of audit events, kept beside the
// log in their own LevelDB database and never in the tree, each encrypted under a key that only
// its subject's key k_s can derive.
//
// Key hierarchy:
//   K_lookup  a server key (32 bytes). A subject's record is found under HMAC(K_lookup, subject),
//             so the store's keys do not hold subject ids in clear.
//   k_s       32 random bytes per subject (a person or a service identity).
//   pseudonym "ps1_" + hex(HKDF-SHA256(k_s, salt "", info "vellum/pseudonym/v1", 16 bytes)):
//             stable while k_s exists; nobody can compute it from a subject id without k_s.
//   value key HKDF-SHA256(k_s, salt = the value's own 32 random bytes, info
//             "vellum/sealed-value/v1", 32 bytes): one AES-256-GCM key per value, so a key
//             encrypts one message and GCM's bound on random nonces per key is never approached.
//
// Erasing a subject deletes k_s, its lookup record and every value it sealed, then rewrites the
// database so that no file under the store's directory keeps a copy (blocks the file system has
// freed are beyond it: docs/privacy.md, "Limits").
//
// Every write is synced before it returns: a value is durable before the log entry that refers
// to it is appended, and an erasure or purge is durable before it is reported.
//
// Thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ledger/privacy/sealed_record.h"
#include "leveldb/db.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {

inline constexpr size_t kLookupKeySize = 32;
inline constexpr char kPseudonymPrefix[] = "ps1_";

// One personal value to seal: `value` at `path` of an event, belonging to `subject`.
struct SealRequest {
  std::string path;
  std::string subject;
  std::string value;
};

// What the log entry holds for a sealed value.
struct SealedRef {
  std::string path;
  std::string pseudonym;
  crypto::Sha256Digest commitment;
};

// A sealed value opened: the value and the commitment salt that, with the path, recompute the
// commitment (ledger/privacy/commitment.h).
struct OpenedValue {
  std::string path;
  std::string pseudonym;
  std::string value;
  std::string salt;
};

class SealedStore {
 public:
  static constexpr size_t kMaxSubjectBytes = 1024;
  static constexpr size_t kMaxPathBytes = kMaxSealedPathBytes;
  static constexpr size_t kMaxValueBytes = kMaxSealedValueBytes;
  static constexpr size_t kMaxValuesPerSeal = 256;

  // Opens (creating if needed) the store in `dir`, which must be private to this user when it
  // exists (ledger::CheckPrivateDirectory). `lookup_key` is K_lookup (kLookupKeySize bytes).
  static absl::StatusOr<std::unique_ptr<SealedStore>> Open(const std::string& dir,
                                                           absl::string_view lookup_key);

  // The store's folder in a log's data directory: <data_dir>/sealed.
  static std::string DirIn(absl::string_view data_dir);

  // Seals `values` in one synced write, creating a subject's key on first use (in a synced write
  // of its own, before), and returns one ref per value in the same order. Concurrent seals run
  // side by side, their writes merged into one sync by LevelDB; only key creation is serialized.
  // InvalidArgument (nothing written) for an empty subject or path, or a subject, path or value
  // past its limit; the message names the index and sizes, never the value. Aborted (no value
  // written) when a subject is erased while its values are being sealed.
  absl::StatusOr<std::vector<SealedRef>> Seal(absl::Span<const SealRequest> values,
                                              absl::Time now);

  // Returns the subject's pseudonym, or NotFound when it has no key (never sealed, or erased).
  // Creates nothing.
  absl::StatusOr<std::string> FindPseudonym(absl::string_view subject) const;

  // The subject's pseudonym, creating its key if it has none (a hold may name a subject before
  // any of their data is sealed). InvalidArgument for an empty subject or one past its limit.
  absl::StatusOr<std::string> PseudonymFor(absl::string_view subject, absl::Time now);

  // Whether a subject with this pseudonym has a key.
  absl::StatusOr<bool> HasPseudonym(absl::string_view pseudonym) const;

  // Opens the value a commitment refers to. NotFound when it is not in the store (erased,
  // purged, or never sealed here); DataLoss when the record does not decrypt.
  absl::StatusOr<OpenedValue> OpenValue(const crypto::Sha256Digest& commitment) const;

  // Erases the subject whose pseudonym this is: its key, its lookup record and every value it
  // sealed, synced, then rewritten away. Returns the number of values erased; NotFound when no
  // subject has the pseudonym (already erased, or never).
  absl::StatusOr<size_t> Erase(absl::string_view pseudonym);

  // Deletes the values with these commitments (those not present are skipped), and the key of
  // each subject left with no value, synced, then rewritten away. Returns how many values went.
  absl::StatusOr<size_t> Purge(absl::Span<const crypto::Sha256Digest> commitments);

  // The commitments of the values sealed at or after `since` (to the second), read by a scan of
  // every value record.
  absl::StatusOr<std::vector<crypto::Sha256Digest>> ValuesSealedSince(absl::Time since) const;

  // How many of these commitments' values the store holds.
  absl::StatusOr<size_t> CountPresent(absl::Span<const crypto::Sha256Digest> commitments) const;

  // The number of values the subject with this pseudonym has in the store (0 when none).
  absl::StatusOr<size_t> CountValues(absl::string_view pseudonym) const;

 private:
  SealedStore(std::string dir, std::unique_ptr<leveldb::DB> db, std::string lookup_key);

  // Makes a new copy of the database holding only its live records, swaps it in and destroys
  // the old one, so that no file keeps a deleted record (LevelDB's own compaction can leave one:
  // a memtable flushed to the last level keeps every version it held). Crash-safe with
  // RecoverRewrite at the next Open.
  absl::Status RewriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Finishes the rewrite a crash interrupted, if one is pending (the marker in the database).
  absl::Status FinishPendingRewriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  const std::string lookup_key_;
  // Writers hold it exclusively (so that two seals for a new subject do not both make a key, and
  // a rewrite can swap the database); readers share it.
  mutable absl::Mutex mu_;
  std::unique_ptr<leveldb::DB> db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_SEALED_STORE_H_
