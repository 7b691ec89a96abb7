#ifndef VELLUM_PROOF_CRYPTO_H_
#define VELLUM_PROOF_CRYPTO_H_

// The only module that calls the crypto library. It is written against the API that BoringSSL
// and OpenSSL 3 share, so the build can link either (see .bazelrc, --config=openssl).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

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

// The digest as 64 lowercase hex digits.
std::string Sha256Hex(const Sha256Digest& digest);

// Returns HMAC-SHA256(key, data) (RFC 2104). Keys of any length are accepted, as RFC 4231
// requires: a key longer than the 64-byte block is hashed first. Thread-safe.
Sha256Digest HmacSha256(absl::string_view key, absl::string_view data);

// Returns a == b, taking time that depends on the lengths but not on the contents, for comparing
// MACs and other secrets. Inputs of different lengths are unequal (lengths are not secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Fills `out` with bytes from the library's CSPRNG.
absl::Status RandomBytes(absl::Span<uint8_t> out);

inline constexpr size_t kAes256KeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;
inline constexpr size_t kAesGcmMaxPlaintextSize = 16 << 20;
using Aes256Key = std::array<uint8_t, kAes256KeySize>;

// AES-256-GCM (NIST SP 800-38D) with a fresh random 96-bit nonce; returns nonce || ciphertext ||
// tag. `aad` is authenticated, not encrypted. Random nonces are safe for at most 2^32 messages
// per key (SP 800-38D, 8.3): callers derive a fresh key per message or count. Plaintext and aad
// of at most kAesGcmMaxPlaintextSize bytes each (InvalidArgument otherwise). Thread-safe.
absl::StatusOr<std::string> Aes256GcmSeal(const Aes256Key& key, absl::string_view plaintext,
                                          absl::string_view aad);

// Aes256GcmSeal with a caller-chosen nonce (kAesGcmNonceSize bytes), for known-answer tests
// only: a nonce used twice under one key gives away the authentication key.
absl::StatusOr<std::string> Aes256GcmSealWithNonce(const Aes256Key& key,
                                                   absl::Span<const uint8_t> nonce,
                                                   absl::string_view plaintext,
                                                   absl::string_view aad);

// Opens nonce || ciphertext || tag. InvalidArgument when it is shorter than a nonce and a tag
// (with both lengths), or "does not authenticate" when the tag does not verify under `key` and
// `aad`; no plaintext is returned unless the whole message authenticates. Thread-safe.
absl::StatusOr<std::string> Aes256GcmOpen(const Aes256Key& key, absl::string_view sealed,
                                          absl::string_view aad);

// HKDF-SHA256 (RFC 5869): extract with `salt` (an empty salt is 32 zero bytes, as the RFC says),
// then expand with `info` into `out`, 1 to 255 * 32 bytes (InvalidArgument otherwise).
absl::Status HkdfSha256(absl::string_view ikm, absl::string_view salt, absl::string_view info,
                        absl::Span<uint8_t> out);

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

// An RSA public key for RSASSA-PKCS1-v1_5 with SHA-256 (RS256, RFC 7518 section 3.3). Immutable
// after creation, so Verify() is thread-safe.
class RsaPublicKey {
 public:
  static constexpr size_t kMinModulusBits = 2048;
  static constexpr size_t kMaxModulusBits = 8192;

  // Makes a key from the big-endian modulus and public exponent (leading zero bytes allowed).
  // Refuses a modulus outside [kMinModulusBits, kMaxModulusBits] bits or even, and an exponent
  // that is even, below 3, or 2^33 or more (BoringSSL's bound, applied in both builds).
  static absl::StatusOr<std::unique_ptr<RsaPublicKey>> Create(absl::string_view modulus,
                                                             absl::string_view exponent);
  ~RsaPublicKey();

  RsaPublicKey(const RsaPublicKey&) = delete;
  RsaPublicKey& operator=(const RsaPublicKey&) = delete;

  size_t modulus_bits() const { return modulus_bits_; }

  // Returns OK if `signature` is an RSASSA-PKCS1-v1_5 SHA-256 signature of `message`: exactly
  // as many bytes as the modulus (InvalidArgument otherwise, with both lengths), and one that
  // verifies (InvalidArgument "does not verify" otherwise).
  absl::Status VerifyPkcs1Sha256(absl::string_view message, absl::string_view signature) const;

 private:
  struct Impl;
  RsaPublicKey(std::unique_ptr<Impl> impl, size_t modulus_bits);

  std::unique_ptr<Impl> impl_;
  size_t modulus_bits_;
};

// An ECDSA public key on P-256 (secp256r1) for ES256 (RFC 7518 section 3.4). Immutable after
// creation, so Verify() is thread-safe.
class EcdsaP256PublicKey {
 public:
  static constexpr size_t kCoordinateSize = 32;
  static constexpr size_t kJwsSignatureSize = 64;

  // Makes a key from the affine coordinates, 32 big-endian bytes each. Refuses other lengths,
  // coordinates not below the field prime, and points not on the curve.
  static absl::StatusOr<std::unique_ptr<EcdsaP256PublicKey>> Create(absl::string_view x,
                                                                   absl::string_view y);
  ~EcdsaP256PublicKey();

  EcdsaP256PublicKey(const EcdsaP256PublicKey&) = delete;
  EcdsaP256PublicKey& operator=(const EcdsaP256PublicKey&) = delete;

  // Returns OK if `signature` is the JWS form of an ECDSA signature over SHA-256 of `message`:
  // R and S as 32 big-endian bytes each, concatenated (not DER). Refuses, with InvalidArgument,
  // any other length (so a DER signature), R or S zero or not below the group order, and a
  // signature that does not verify.
  absl::Status VerifySha256Jws(absl::string_view message, absl::string_view signature) const;

 private:
  struct Impl;
  explicit EcdsaP256PublicKey(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace crypto
}  // namespace vellum

#endif  // VELLUM_PROOF_CRYPTO_H_
