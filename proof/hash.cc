#include "proof/hash.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "proof/base64.h"
#include "proof/crypto.h"

namespace vellum {
namespace {

constexpr char kLeafPrefix[1] = {0x00};
constexpr char kNodePrefix[1] = {0x01};

}  // namespace

Hash HashLeaf(absl::string_view entry) {
  return crypto::Sha256({absl::string_view(kLeafPrefix, 1), entry});
}

Hash HashChildren(const Hash& left, const Hash& right) {
  return crypto::Sha256({absl::string_view(kNodePrefix, 1), HashBytes(left), HashBytes(right)});
}

Hash EmptyRoot() { return crypto::Sha256({}); }

absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes) {
  if (bytes.size() != kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("hash is ", bytes.size(), " bytes, want ", kHashSize));
  }
  Hash hash;
  std::memcpy(hash.data(), bytes.data(), kHashSize);
  return hash;
}

std::string HashToBase64(const Hash& hash) { return absl::Base64Escape(HashBytes(hash)); }

absl::StatusOr<Hash> HashFromBase64(absl::string_view encoded) {
  absl::StatusOr<std::string> bytes = Base64DecodeStrict(encoded);
  if (!bytes.ok()) return bytes.status();
  return HashFromBytes(*bytes);
}

}  // namespace vellum
