#include "ledger/leaf_index.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kPrefix = "i/leaf/";

std::string KeyPrefix(const Hash& leaf_hash) { return absl::StrCat(kPrefix, HashBytes(leaf_hash)); }

}  // namespace

absl::Status LeafHashIndex::Add(const CommittedLeaves& leaves, leveldb::WriteBatch* records) {
  std::string key = KeyPrefix(Hash{});
  const size_t hash_at = kPrefix.size();
  key.resize(hash_at + kHashSize + 8);
  for (size_t i = 0; i < leaves.leaf_hashes.size(); ++i) {
    std::copy(leaves.leaf_hashes[i].begin(), leaves.leaf_hashes[i].end(), key.begin() + hash_at);
    uint64_t index = leaves.first + i;
    for (size_t b = key.size(); b > hash_at + kHashSize; --b, index >>= 8) {
      key[b - 1] = static_cast<char>(index & 0xff);
    }
    records->Put(key, leveldb::Slice());
  }
  return absl::OkStatus();
}

absl::StatusOr<LeafHashIndex::Lookup> LeafHashIndex::Find(const Hash& leaf_hash) const {
  Lookup lookup;
  // Read first: every leaf below it is in the store before the seek.
  lookup.covered = store_->position();
  const std::string prefix = KeyPrefix(leaf_hash);
  absl::StatusOr<absl::optional<std::string>> key = store_->FirstKey(prefix);
  if (!key.ok()) return key.status();
  if (!key->has_value()) return lookup;
  if ((*key)->size() != prefix.size() + 8) {
    return absl::DataLossError(absl::StrCat("leaf index key is ", (*key)->size(), " bytes, want ",
                                            prefix.size() + 8));
  }
  uint64_t index = 0;
  for (size_t b = prefix.size(); b < (*key)->size(); ++b) {
    index = (index << 8) | static_cast<uint8_t>((**key)[b]);
  }
  if (index < lookup.covered) lookup.index = index;
  return lookup;
}

}  // namespace ledger
}  // namespace vellum
