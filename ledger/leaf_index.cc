#include "ledger/leaf_index.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kPrefix = "i/leaf/";

std::string KeyPrefix(const Hash& leaf_hash) { return absl::StrCat(kPrefix, HashBytes(leaf_hash)); }

}  // namespace

absl::Status LeafHashIndex::Add(const CommittedLeaves& leaves, leveldb::WriteBatch* records) {
  // Keys are inserted in key order: consecutive inserts then walk mostly the same path of
  // LevelDB's memtable skip list, which is otherwise a cache miss per level for random hashes.
  using Suffix = std::array<char, kHashSize + 8>;
  std::vector<Suffix> suffixes(leaves.leaf_hashes.size());
  for (size_t i = 0; i < suffixes.size(); ++i) {
    Suffix& suffix = suffixes[i];
    std::copy(leaves.leaf_hashes[i].begin(), leaves.leaf_hashes[i].end(), suffix.begin());
    uint64_t index = leaves.first + i;
    for (size_t b = suffix.size(); b > kHashSize; --b, index >>= 8) {
      suffix[b - 1] = static_cast<char>(index & 0xff);
    }
  }
  std::sort(suffixes.begin(), suffixes.end());
  std::string key(kPrefix);
  for (const Suffix& suffix : suffixes) {
    key.replace(kPrefix.size(), suffix.size(), suffix.data(), suffix.size());
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
