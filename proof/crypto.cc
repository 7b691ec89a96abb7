#include "proof/crypto.h"

// SHA256_Init and friends are deprecated in OpenSSL 3 but are its fastest path for short
// inputs; the RSA, EC_KEY and ECDSA_SIG calls are deprecated there too, but they are the key API
// BoringSSL and OpenSSL 3 share (OpenSSL's EVP_PKEY_fromdata is not in BoringSSL). BoringSSL
// ignores this macro.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace crypto {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

struct RsaDeleter {
  void operator()(RSA* rsa) const { RSA_free(rsa); }
};
using RsaPtr = std::unique_ptr<RSA, RsaDeleter>;

struct EcKeyDeleter {
  void operator()(EC_KEY* key) const { EC_KEY_free(key); }
};
using EcKeyPtr = std::unique_ptr<EC_KEY, EcKeyDeleter>;

struct EcPointDeleter {
  void operator()(EC_POINT* point) const { EC_POINT_free(point); }
};
using EcPointPtr = std::unique_ptr<EC_POINT, EcPointDeleter>;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter>;

// Returns the unsigned big-endian integer `bytes` as a BIGNUM, or nullptr on allocation failure.
BnPtr BytesToBn(absl::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const uint8_t*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}


}  // namespace

Sha256Digest Sha256(std::initializer_list<absl::string_view> parts) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  for (absl::string_view part : parts) {
    SHA256_Update(&ctx, part.data(), part.size());
  }
  Sha256Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::string Sha256Hex(const Sha256Digest& digest) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Sha256Digest HmacSha256(absl::string_view key, absl::string_view data) {
  // HMAC() takes the key length as an int; a longer key is hashed to 32 bytes first, exactly as
  // HMAC itself does with keys longer than the block size, so the result is the same.
  Sha256Digest hashed_key;
  if (key.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    hashed_key = Sha256({key});
    key = absl::string_view(reinterpret_cast<const char*>(hashed_key.data()), hashed_key.size());
  }
  Sha256Digest out;
  unsigned int out_len = 0;
  // HMAC() fails only on allocation failure or an unknown digest; neither is input-dependent.
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const uint8_t*>(data.data()), data.size(), out.data(),
           &out_len) == nullptr ||
      out_len != out.size()) {
    std::abort();
  }
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status RandomBytes(absl::Span<uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return absl::OkStatus();
}

namespace {

absl::Status CheckGcmSizes(absl::string_view plaintext, absl::string_view aad) {
  if (plaintext.size() > kAesGcmMaxPlaintextSize || aad.size() > kAesGcmMaxPlaintextSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "AES-GCM: got ", plaintext.size(), " bytes of plaintext and ", aad.size(),
        " of associated data, want at most ", kAesGcmMaxPlaintextSize, " each"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> Aes256GcmSealWithNonce(const Aes256Key& key,
                                                   absl::Span<const uint8_t> nonce,
                                                   absl::string_view plaintext,
                                                   absl::string_view aad) {
  if (nonce.size() != kAesGcmNonceSize) {
    return absl::InvalidArgumentError(absl::StrCat("AES-GCM nonce: got ", nonce.size(),
                                                   " bytes, want ", kAesGcmNonceSize));
  }
  absl::Status sizes = CheckGcmSizes(plaintext, aad);
  if (!sizes.ok()) return sizes;
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::string out(kAesGcmNonceSize + plaintext.size() + kAesGcmTagSize, '\0');
  uint8_t* nonce_out = reinterpret_cast<uint8_t*>(&out[0]);
  uint8_t* body = nonce_out + kAesGcmNonceSize;
  std::copy(nonce.begin(), nonce.end(), nonce_out);
  int len = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kAesGcmNonceSize, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce_out) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(aad.data()),
                         static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() &&
       EVP_EncryptUpdate(ctx.get(), body, &len,
                         reinterpret_cast<const uint8_t*>(plaintext.data()),
                         static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), body + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                          body + plaintext.size()) != 1) {
    return absl::InternalError("AES-GCM encryption failed");
  }
  return out;
}

absl::StatusOr<std::string> Aes256GcmSeal(const Aes256Key& key, absl::string_view plaintext,
                                          absl::string_view aad) {
  uint8_t nonce[kAesGcmNonceSize];
  absl::Status status = RandomBytes(absl::MakeSpan(nonce));
  if (!status.ok()) return status;
  return Aes256GcmSealWithNonce(key, nonce, plaintext, aad);
}

absl::StatusOr<std::string> Aes256GcmOpen(const Aes256Key& key, absl::string_view sealed,
                                          absl::string_view aad) {
  if (sealed.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return absl::InvalidArgumentError(absl::StrCat("AES-GCM message: got ", sealed.size(),
                                                   " bytes, want at least ",
                                                   kAesGcmNonceSize + kAesGcmTagSize));
  }
  const size_t body_size = sealed.size() - kAesGcmNonceSize - kAesGcmTagSize;
  absl::Status sizes = CheckGcmSizes(absl::string_view(sealed.data(), body_size), aad);
  if (!sizes.ok()) return sizes;
  const uint8_t* nonce = reinterpret_cast<const uint8_t*>(sealed.data());
  const uint8_t* body = nonce + kAesGcmNonceSize;
  // The tag is passed through a copy: the ctrl call takes a non-const pointer.
  uint8_t tag[kAesGcmTagSize];
  std::copy(body + body_size, body + body_size + kAesGcmTagSize, tag);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::string out(body_size, '\0');
  uint8_t* plain = reinterpret_cast<uint8_t*>(&out[0]);
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kAesGcmNonceSize, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(aad.data()),
                         static_cast<int>(aad.size())) != 1) ||
      (body_size != 0 &&
       EVP_DecryptUpdate(ctx.get(), plain, &len, body, static_cast<int>(body_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag) != 1) {
    return absl::InternalError("AES-GCM decryption failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), plain + body_size, &len) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("AES-GCM message does not authenticate");
  }
  return out;
}

absl::Status HkdfSha256(absl::string_view ikm, absl::string_view salt, absl::string_view info,
                        absl::Span<uint8_t> out) {
  constexpr size_t kHashSize = sizeof(Sha256Digest);
  if (out.empty() || out.size() > 255 * kHashSize) {
    return absl::InvalidArgumentError(absl::StrCat("HKDF-SHA256 output: got ", out.size(),
                                                   " bytes, want 1 to ", 255 * kHashSize));
  }
  const Sha256Digest zero_salt{};
  if (salt.empty()) {
    salt = absl::string_view(reinterpret_cast<const char*>(zero_salt.data()), kHashSize);
  }
  const Sha256Digest prk = HmacSha256(salt, ikm);
  const absl::string_view prk_view(reinterpret_cast<const char*>(prk.data()), kHashSize);
  std::string block;  // T(i-1) || info || i
  Sha256Digest t{};
  size_t done = 0;
  for (uint8_t i = 1; done < out.size(); ++i) {
    block.assign(i == 1 ? "" : std::string(reinterpret_cast<const char*>(t.data()), kHashSize));
    block.append(info.data(), info.size());
    block.push_back(static_cast<char>(i));
    t = HmacSha256(prk_view, block);
    const size_t n = std::min(kHashSize, out.size() - done);
    std::copy(t.begin(), t.begin() + n, out.begin() + done);
    done += n;
  }
  return absl::OkStatus();
}

struct Ed25519PrivateKey::Impl {
  PkeyPtr pkey;
};

Ed25519PrivateKey::Ed25519PrivateKey(std::unique_ptr<Impl> impl,
                                     const Ed25519PublicKey& public_key)
    : impl_(std::move(impl)), public_key_(public_key) {}

Ed25519PrivateKey::~Ed25519PrivateKey() = default;

absl::StatusOr<std::unique_ptr<Ed25519PrivateKey>> Ed25519PrivateKey::Create(
    const Ed25519Seed& seed) {
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (pkey == nullptr) {
    return absl::InternalError("EVP_PKEY_new_raw_private_key(ED25519) failed");
  }
  Ed25519PublicKey public_key;
  size_t public_key_len = public_key.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), public_key.data(), &public_key_len) != 1 ||
      public_key_len != public_key.size()) {
    return absl::InternalError("EVP_PKEY_get_raw_public_key(ED25519) failed");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  return std::unique_ptr<Ed25519PrivateKey>(
      new Ed25519PrivateKey(std::move(impl), public_key));
}

absl::StatusOr<Ed25519Signature> Ed25519PrivateKey::Sign(absl::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1) {
    return absl::InternalError("EVP_DigestSignInit(ED25519) failed");
  }
  Ed25519Signature signature;
  size_t signature_len = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &signature_len,
                     reinterpret_cast<const uint8_t*>(message.data()), message.size()) != 1 ||
      signature_len != signature.size()) {
    return absl::InternalError("EVP_DigestSign(ED25519) failed");
  }
  return signature;
}

bool Ed25519Verify(const Ed25519PublicKey& public_key, absl::string_view message,
                   absl::Span<const uint8_t> signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(),
                                           public_key.size()));
  if (pkey == nullptr) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const uint8_t*>(message.data()), message.size()) == 1;
}

struct RsaPublicKey::Impl {
  RsaPtr rsa;
};

RsaPublicKey::RsaPublicKey(std::unique_ptr<Impl> impl, size_t modulus_bits)
    : impl_(std::move(impl)), modulus_bits_(modulus_bits) {}

RsaPublicKey::~RsaPublicKey() = default;

absl::StatusOr<std::unique_ptr<RsaPublicKey>> RsaPublicKey::Create(absl::string_view modulus,
                                                                 absl::string_view exponent) {
  // Bound the sizes before handing them to BN_bin2bn, which takes an int.
  constexpr size_t kMaxModulusBytes = kMaxModulusBits / 8;
  while (!modulus.empty() && modulus.front() == '\0') modulus.remove_prefix(1);
  while (!exponent.empty() && exponent.front() == '\0') exponent.remove_prefix(1);
  if (modulus.size() > kMaxModulusBytes) {
    return absl::InvalidArgumentError(absl::StrCat("RSA modulus: got more than ",
                                                   kMaxModulusBits, " bits (", modulus.size(),
                                                   " bytes), want at most ", kMaxModulusBits));
  }
  if (exponent.size() > 5) {
    return absl::InvalidArgumentError(absl::StrCat("RSA exponent: got ", exponent.size(),
                                                   " bytes, want less than 2^33"));
  }
  BnPtr n = BytesToBn(modulus);
  BnPtr e = BytesToBn(exponent);
  if (n == nullptr || e == nullptr) return absl::InternalError("BN_bin2bn failed");
  const size_t bits = BN_num_bits(n.get());
  if (bits < kMinModulusBits) {
    return absl::InvalidArgumentError(absl::StrCat("RSA modulus: got ", bits,
                                                   " bits, want at least ", kMinModulusBits));
  }
  if (!BN_is_odd(n.get())) return absl::InvalidArgumentError("RSA modulus: got an even number");
  if (BN_num_bits(e.get()) > 33 || !BN_is_odd(e.get()) || BN_cmp(e.get(), BN_value_one()) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RSA exponent: got a ", BN_num_bits(e.get()), "-bit ",
        BN_is_odd(e.get()) ? "odd" : "even", " number, want an odd number in [3, 2^33)"));
  }
  RsaPtr rsa(RSA_new());
  if (rsa == nullptr || RSA_set0_key(rsa.get(), n.get(), e.get(), nullptr) != 1) {
    return absl::InternalError("RSA_set0_key failed");
  }
  n.release();  // Owned by rsa now.
  e.release();
  auto impl = std::make_unique<Impl>();
  impl->rsa = std::move(rsa);
  return std::unique_ptr<RsaPublicKey>(new RsaPublicKey(std::move(impl), bits));
}

absl::Status RsaPublicKey::VerifyPkcs1Sha256(absl::string_view message,
                                            absl::string_view signature) const {
  const size_t want = RSA_size(impl_->rsa.get());
  if (signature.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("RS256 signature: got ", signature.size(),
                                                   " bytes, want ", want));
  }
  const Sha256Digest digest = Sha256({message});
  if (RSA_verify(NID_sha256, digest.data(), digest.size(),
                 reinterpret_cast<const uint8_t*>(signature.data()), signature.size(),
                 impl_->rsa.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("RS256 signature does not verify");
  }
  return absl::OkStatus();
}

struct EcdsaP256PublicKey::Impl {
  EcKeyPtr key;
};

EcdsaP256PublicKey::EcdsaP256PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EcdsaP256PublicKey::~EcdsaP256PublicKey() = default;

absl::StatusOr<std::unique_ptr<EcdsaP256PublicKey>> EcdsaP256PublicKey::Create(
    absl::string_view x, absl::string_view y) {
  if (x.size() != kCoordinateSize || y.size() != kCoordinateSize) {
    return absl::InvalidArgumentError(absl::StrCat("P-256 point: got coordinates of ", x.size(),
                                                   " and ", y.size(), " bytes, want ",
                                                   kCoordinateSize, " each"));
  }
  EcKeyPtr key(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  if (key == nullptr) return absl::InternalError("EC_KEY_new_by_curve_name(P-256) failed");
  const EC_GROUP* group = EC_KEY_get0_group(key.get());
  BnPtr bx = BytesToBn(x);
  BnPtr by = BytesToBn(y);
  BnPtr p(BN_new());
  EcPointPtr point(EC_POINT_new(group));
  if (bx == nullptr || by == nullptr || p == nullptr || point == nullptr ||
      EC_GROUP_get_curve_GFp(group, p.get(), nullptr, nullptr, nullptr) != 1) {
    return absl::InternalError("P-256 point: allocation failed");
  }
  if (BN_cmp(bx.get(), p.get()) >= 0 || BN_cmp(by.get(), p.get()) >= 0) {
    return absl::InvalidArgumentError("P-256 point: got a coordinate not below the field prime");
  }
  if (EC_POINT_set_affine_coordinates_GFp(group, point.get(), bx.get(), by.get(), nullptr) != 1 ||
      EC_POINT_is_on_curve(group, point.get(), nullptr) != 1 ||
      EC_KEY_set_public_key(key.get(), point.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("P-256 point: got a point not on the curve");
  }
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return std::unique_ptr<EcdsaP256PublicKey>(new EcdsaP256PublicKey(std::move(impl)));
}

absl::Status EcdsaP256PublicKey::VerifySha256Jws(absl::string_view message,
                                                absl::string_view signature) const {
  if (signature.size() != kJwsSignatureSize) {
    return absl::InvalidArgumentError(absl::StrCat("ES256 signature: got ", signature.size(),
                                                   " bytes, want ", kJwsSignatureSize,
                                                   " (R || S, not DER)"));
  }
  BnPtr r = BytesToBn(signature.substr(0, kCoordinateSize));
  BnPtr s = BytesToBn(signature.substr(kCoordinateSize));
  if (r == nullptr || s == nullptr) return absl::InternalError("BN_bin2bn failed");
  const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(impl_->key.get()));
  if (BN_is_zero(r.get()) || BN_is_zero(s.get()) || BN_cmp(r.get(), order) >= 0 ||
      BN_cmp(s.get(), order) >= 0) {
    return absl::InvalidArgumentError(
        "ES256 signature: got R or S outside [1, n-1] for the P-256 group order n");
  }
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (sig == nullptr || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return absl::InternalError("ECDSA_SIG_set0 failed");
  }
  r.release();  // Owned by sig now.
  s.release();
  const Sha256Digest digest = Sha256({message});
  if (ECDSA_do_verify(digest.data(), digest.size(), sig.get(), impl_->key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("ES256 signature does not verify");
  }
  return absl::OkStatus();
}

}  // namespace crypto
}  // namespace vellum
