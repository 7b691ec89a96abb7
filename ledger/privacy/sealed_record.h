#ifndef VELLUM_LEDGER_PRIVACY_SEALED_RECORD_H_
#define VELLUM_LEDGER_PRIVACY_SEALED_RECORD_H_

// The decoders of the sealed store's records (sealed_record.proto). Every record read from the
// store goes through them, so a damaged or planted record is refused with DataLoss naming what
// is wrong, never half-used.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/privacy/sealed_record.pb.h"

namespace vellum {
namespace ledger {

inline constexpr size_t kSubjectKeySize = 32;
inline constexpr size_t kValueKeySaltSize = 32;
inline constexpr size_t kMaxSealedPathBytes = 512;
inline constexpr size_t kMaxSealedValueBytes = 64 * 1024;

// True if `pseudonym` has the form "ps1_" and 32 lowercase hex digits.
bool IsPseudonym(absl::string_view pseudonym);

// A SubjectKeyRecord with a 32-byte key and a well-formed pseudonym.
absl::StatusOr<SubjectKeyRecord> DecodeSubjectKeyRecord(absl::string_view bytes);

// A SealedValueRecord with a well-formed pseudonym, a path of 1..512 bytes, a 32-byte key salt
// and a ciphertext as long as a sealed value can make (nonce, salt, at most 64 KiB, tag).
absl::StatusOr<SealedValueRecord> DecodeSealedValueRecord(absl::string_view bytes);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_SEALED_RECORD_H_
