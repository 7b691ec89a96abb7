#include "ledger/leaf_index.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proof/big_endian.h"

namespace vellum {
namespace ledger {
namespace {

constexpr absl::string_view kPrefix = "i/leaf/";

std::string KeyPrefix(const Hash& leaf_hash) { return absl::StrCat(kPrefix, HashBytes(leaf_hash)); }

}  // namespace

absl::Status LeafHashIndex::Add(const CommittedLeaves& leaves, IndexRecords* records) {
  // Keys are inserted about in key order: consecutive inserts then walk mostly the same path of
  // LevelDB's memtable skip list, which is otherwise a cache miss per level for random hashes.
  // Ordering by the first 8 bytes of the hash is enough for that, and cheap; the keys are unique
  // whatever their order.
  struct Leaf {
    uint64_t prefix;  // The hash's first 8 bytes, big-endian.
    size_t i;
  };
  std::vector<Leaf> order(leaves.leaf_hashes.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = {ReadBigEndian(HashBytes(leaves.leaf_hashes[i]).substr(0, 8)), i};
  }
  std::sort(order.begin(), order.end(),
            [](const Leaf& a, const Leaf& b) { return a.prefix < b.prefix; });
  std::string key(kPrefix);
  key.reserve(kPrefix.size() + kHashSize + 8);
  for (const Leaf& leaf : order) {
    key.resize(kPrefix.size());
    key.append(HashBytes(leaves.leaf_hashes[leaf.i]).data(), kHashSize);
    AppendBigEndian(leaves.first + leaf.i, 8, &key);
    records->Put(key);
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
  const uint64_t index = ReadBigEndian(absl::string_view(**key).substr(prefix.size()));
  if (index < lookup.covered) lookup.index = index;
  return lookup;
}

}  // namespace ledger
}  // namespace vellum
