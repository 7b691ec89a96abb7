#include "ledger/privacy/sealed_record.h"

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/privacy/commitment.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kPrefix = "ps1_";
constexpr size_t kPseudonymHexDigits = 32;

absl::Status BadRecord(absl::string_view record, absl::string_view why) {
  return absl::DataLossError(absl::StrCat("sealed store: a ", record, " ", why));
}

}  // namespace

bool IsPseudonym(absl::string_view pseudonym) {
  if (!absl::StartsWith(pseudonym, kPrefix)) return false;
  absl::string_view hex = pseudonym.substr(kPrefix.size());
  return hex.size() == kPseudonymHexDigits && absl::c_all_of(hex, [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

absl::StatusOr<SubjectKeyRecord> DecodeSubjectKeyRecord(absl::string_view bytes) {
  SubjectKeyRecord record;
  if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return BadRecord("subject key record", "does not parse");
  }
  if (record.key().size() != kSubjectKeySize) {
    return BadRecord("subject key record", absl::StrCat("holds a key of ", record.key().size(),
                                                        " bytes, want ", kSubjectKeySize));
  }
  if (!IsPseudonym(record.pseudonym())) {
    return BadRecord("subject key record", "holds a malformed pseudonym");
  }
  return record;
}

absl::StatusOr<SealedValueRecord> DecodeSealedValueRecord(absl::string_view bytes) {
  SealedValueRecord record;
  if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return BadRecord("value record", "does not parse");
  }
  if (!IsPseudonym(record.pseudonym())) {
    return BadRecord("value record", "holds a malformed pseudonym");
  }
  if (record.path().empty() || record.path().size() > kMaxSealedPathBytes) {
    return BadRecord("value record", absl::StrCat("holds a path of ", record.path().size(),
                                                  " bytes, want 1 to ", kMaxSealedPathBytes));
  }
  if (record.key_salt().size() != kValueKeySaltSize) {
    return BadRecord("value record", absl::StrCat("holds a key salt of ",
                                                  record.key_salt().size(), " bytes, want ",
                                                  kValueKeySaltSize));
  }
  const size_t overhead = crypto::kAesGcmNonceSize + kCommitmentSaltSize + crypto::kAesGcmTagSize;
  const size_t size = record.ciphertext().size();
  if (size < overhead || size > overhead + kMaxSealedValueBytes) {
    return BadRecord("value record",
                     absl::StrCat("holds a ciphertext of ", size, " bytes, want ", overhead,
                                  " to ", overhead + kMaxSealedValueBytes));
  }
  return record;
}

}  // namespace ledger
}  // namespace vellum
