#include "ledger/prover.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ledger/tile_reader.h"
#include "proof/proof_nodes.h"
#include "proof/tile.h"

namespace vellum {
namespace ledger {
namespace {

absl::Status CheckSize(uint64_t size, uint64_t committed_size, absl::string_view what) {
  if (size > committed_size) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", size,
                                                   " is past the current tree size ",
                                                   committed_size));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Hash>> Prover::InclusionProof(uint64_t index, uint64_t size,
                                                         uint64_t committed_size) const {
  if (absl::Status s = CheckSize(size, committed_size, "tree size"); !s.ok()) return s;
  // Tiles are read at the committed size, whose partial tiles are sure to exist.
  TileNodeReader reader(storage_, committed_size, options_.tile_cache);
  return ProveInclusion(index, size, reader);
}

absl::StatusOr<std::vector<std::vector<Hash>>> Prover::InclusionProofs(
    absl::Span<const uint64_t> indices, uint64_t size, uint64_t committed_size) const {
  if (absl::Status s = CheckSize(size, committed_size, "tree size"); !s.ok()) return s;
  TileNodeReader reader(storage_, committed_size, options_.tile_cache);
  std::vector<std::vector<Hash>> proofs;
  proofs.reserve(indices.size());
  for (uint64_t index : indices) {
    absl::StatusOr<std::vector<Hash>> proof = ProveInclusion(index, size, reader);
    if (!proof.ok()) return proof.status();
    proofs.push_back(*std::move(proof));
  }
  return proofs;
}

absl::StatusOr<uint64_t> Prover::FindLeaf(const Hash& leaf_hash, uint64_t size,
                                          uint64_t committed_size) const {
  if (absl::Status s = CheckSize(size, committed_size, "tree size"); !s.ok()) return s;
  auto not_found = [&] {
    return absl::NotFoundError(absl::StrCat("no entry with leaf hash ", HashToBase64(leaf_hash),
                                            " in the tree of size ", size));
  };
  uint64_t covered = 0;
  if (options_.leaf_index != nullptr) {
    absl::StatusOr<LeafHashIndex::Lookup> lookup = options_.leaf_index->Find(leaf_hash);
    if (!lookup.ok()) return lookup.status();
    if (lookup->index.has_value()) {
      if (*lookup->index < size) return *lookup->index;
      return not_found();
    }
    covered = lookup->covered;
  }
  if (covered >= size) return not_found();
  if (size - covered > options_.max_leaf_scan) {
    return absl::UnavailableError(absl::StrCat("the leaf-hash index covers ", covered, " of ",
                                               size, " leaves, want at least ",
                                               size - options_.max_leaf_scan, "; retry shortly"));
  }
  // The leaves the index has not reached yet, normally the last batch or two.
  absl::StatusOr<std::vector<Hash>> tail = ReadLeafHashes(storage_, covered, size, committed_size);
  if (!tail.ok()) return tail.status();
  for (size_t i = 0; i < tail->size(); ++i) {
    if ((*tail)[i] == leaf_hash) return covered + i;
  }
  return not_found();
}

absl::StatusOr<std::vector<Hash>> Prover::ConsistencyProof(uint64_t from, uint64_t to,
                                                           uint64_t committed_size) const {
  if (absl::Status s = CheckSize(to, committed_size, "tree size"); !s.ok()) return s;
  TileNodeReader reader(storage_, committed_size, options_.tile_cache);
  return ProveConsistency(from, to, reader);
}

absl::StatusOr<std::string> Prover::Entry(uint64_t index, uint64_t committed_size) const {
  absl::StatusOr<EntryLocation> location = LocateEntry(index, committed_size);
  if (!location.ok()) return location.status();
  absl::StatusOr<std::vector<std::string>> entries =
      ReadBundleEntries(storage_, location->bundle.index, committed_size);
  if (!entries.ok()) return entries.status();
  return std::move((*entries)[location->position]);
}

}  // namespace ledger
}  // namespace vellum
