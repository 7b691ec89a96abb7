#ifndef VELLUM_PROOF_CRYPTO_H_
#define VELLUM_PROOF_CRYPTO_H_

// The only module that calls the crypto library. It is written against the API that BoringSSL
// and OpenSSL 3 share, so the build can link either (see .bazelrc, --config=openssl).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace vellum {
namespace crypto {

using Sha256Digest = std::array<uint8_t, 32>;

inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Ed25519Seed = std::array<uint8_t, kEd25519SeedSize>;
using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

// Returns SHA-256 of the concatenation of `parts`. Uses the low-level digest calls, which cost
// about a quarter of OpenSSL 3's one-shot SHA256() on short inputs. Thread-safe.
Sha256Digest Sha256(std::initializer_list<absl::string_view> parts);

// Returns HMAC-SHA256(key, data) (RFC 2104). Keys of any length are accepted, as RFC 4231
// requires: a key longer than the 64-byte block is hashed first. Thread-safe.
Sha256Digest HmacSha256(absl::string_view key, absl::string_view data);

// Returns a == b, taking time that depends on the lengths but not on the contents, for comparing
// MACs and other secrets. Inputs of different lengths are unequal (lengths are not secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Fills `out` with bytes from the library's CSPRNG.
absl::Status RandomBytes(absl::Span<uint8_t> out);

// An Ed25519 private key, derived from a 32-byte seed (RFC 8032). Immutable after creation, so
// Sign() is thread-safe.
class Ed25519PrivateKey {
 public:
  static absl::StatusOr<std::unique_ptr<Ed25519PrivateKey>> Create(const Ed25519Seed& seed);
  ~Ed25519PrivateKey();

  Ed25519PrivateKey(const Ed25519PrivateKey&) = delete;
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey&) = delete;

  const Ed25519PublicKey& public_key() const { return public_key_; }

  // Returns the Ed25519 signature of `message`.
  absl::StatusOr<Ed25519Signature> Sign(absl::string_view message) const;

 private:
  struct Impl;
  Ed25519PrivateKey(std::unique_ptr<Impl> impl, const Ed25519PublicKey& public_key);

  std::unique_ptr<Impl> impl_;
  Ed25519PublicKey public_key_;
};

// Returns true if `signature` is a valid Ed25519 signature of `message` under `public_key`.
// Thread-safe.
bool Ed25519Verify(const Ed25519PublicKey& public_key, absl::string_view message,
                   absl::Span<const uint8_t> signature);

}  // namespace crypto
}  // namespace vellum

#endif  // VELLUM_PROOF_CRYPTO_H_
