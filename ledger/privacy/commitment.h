#ifndef VELLUM_LEDGER_PRIVACY_COMMITMENT_H_
#define VELLUM_LEDGER_PRIVACY_COMMITMENT_H_

// The commitment a log entry holds for each sealed field (docs/privacy.md, "Commitments"):
//
//   commitment = SHA-256(salt || path || 0x00 || value)
//
// where salt is 32 fresh random bytes, path the field's path in the event ("actor.subject",
// "context.labels.k8s.user") and value the field's UTF-8 bytes. Whoever is given the value and
// its salt can check them against the signed tree with nothing but SHA-256; without the salt,
// guessing the value (an e-mail address) cannot be checked against the commitment.

#include <algorithm>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {

inline constexpr size_t kCommitmentSaltSize = 32;

// The digest's 32 bytes as a string_view, as entries and store keys hold a commitment.
inline absl::string_view DigestBytes(const crypto::Sha256Digest& digest) {
  return absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// The inverse: a commitment from the 32 bytes an entry holds; nullopt for any other length.
inline absl::optional<crypto::Sha256Digest> CommitmentFromBytes(absl::string_view bytes) {
  crypto::Sha256Digest digest{};
  if (bytes.size() != digest.size()) return absl::nullopt;
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

// Returns the commitment to `value` at `path` under `salt` (kCommitmentSaltSize bytes; any other
// length gives a commitment that no sealed field holds).
crypto::Sha256Digest FieldCommitment(absl::string_view salt, absl::string_view path,
                                     absl::string_view value);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_COMMITMENT_H_
