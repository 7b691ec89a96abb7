#ifndef VELLUM_PROOF_HASH_H_
#define VELLUM_PROOF_HASH_H_

// RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256.

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256(0x00 || entry): the hash of a leaf.
Hash HashLeaf(absl::string_view entry);

// SHA-256(0x01 || left || right): the hash of an interior node.
Hash HashChildren(const Hash& left, const Hash& right);

// SHA-256 of the empty string: the root of the tree of size 0.
Hash EmptyRoot();

// The hash's 32 bytes, as a view valid while `hash` lives.
inline absl::string_view HashBytes(const Hash& hash) {
  return absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size());
}

// Returns `bytes` as a Hash; requires exactly 32 bytes.
absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes);

// Standard padded base64 of the 32 bytes, as in checkpoints and proofs.
std::string HashToBase64(const Hash& hash);

// Parses strict standard base64 of exactly 32 bytes.
absl::StatusOr<Hash> HashFromBase64(absl::string_view encoded);

}  // namespace vellum

#endif  // VELLUM_PROOF_HASH_H_
