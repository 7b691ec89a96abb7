#include "proof/crypto.h"

// SHA256_Init and friends are deprecated in OpenSSL 3 but are its fastest path for short
// inputs; BoringSSL ignores this macro.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <limits>
#include <utility>

#include "absl/status/status.h"
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

}  // namespace crypto
}  // namespace vellum
