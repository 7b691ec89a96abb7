#include "proof/proof_nodes.h"

#include "absl/numeric/bits.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace {

// x >> n, defined for every n (C++ leaves shifts by 64 or more undefined).
uint64_t ShiftRight(uint64_t x, int n) { return n >= 64 ? 0 : x >> n; }

// Appends to `out` the nodes proving that the perfect node (level, index) is in the tree of `size`
// leaves, bottom-up: in RFC 9162 terms, the audit path from that node to the root. Requires the
// node to lie within [0, size).
void AppendPath(uint32_t level, uint64_t index, uint64_t size, ProofNodes* out) {
  const uint64_t last = (size - 1) >> level;  // The node at `level` holding the last leaf.
  // Below relative height `fork` the paths from `index` and from `last` to the root are apart;
  // from `fork` up they share their nodes, which lie on the right edge of the tree.
  const int fork = absl::bit_width(index ^ last);
  // The sibling just below the fork holds the last leaf, and may be cut short by the tree's end:
  // it covers `remaining` leaves from `begin`.
  const uint32_t top = fork > 0 ? level + fork - 1 : level;
  const uint64_t sibling = fork > 0 ? (index >> (fork - 1)) ^ 1 : index;
  const uint64_t begin = sibling << top;
  const uint64_t remaining = fork > 0 ? size - begin : 0;
  out->ids.reserve(out->ids.size() + (fork > 0 ? fork - 1 : 0) + absl::popcount(remaining) +
                   absl::popcount(ShiftRight(index, fork)));

  // Siblings below the fork lie left of the subtree holding the last leaf, so they are perfect.
  for (int i = 0; i + 1 < fork; ++i) {
    out->ids.push_back(NodeId{level + i, (index >> i) ^ 1});
  }

  if (fork > 0) {
    if (remaining == (uint64_t{1} << top)) {
      out->ids.push_back(NodeId{top, sibling});
    } else {
      // Cover [begin, size) with perfect nodes, one per set bit of `remaining`, from the right.
      const size_t first = out->ids.size();
      uint64_t end = size;
      for (int b = 0; b < 64; ++b) {
        if ((remaining >> b) & 1) {
          end -= uint64_t{1} << b;
          out->ids.push_back(NodeId{static_cast<uint32_t>(b), end >> b});
        }
      }
      if (out->ids.size() - first >= 2) {
        out->rehash_begin = first;
        out->rehash_end = out->ids.size();
      }
    }
  }

  // Above the fork, each right-edge node that is a right child has a perfect left sibling.
  for (int i = fork; i < 64; ++i) {
    const uint64_t ancestor = ShiftRight(index, i);
    if (ancestor == 0) break;
    if (ancestor & 1) out->ids.push_back(NodeId{level + i, ancestor - 1});
  }
}

absl::Status CheckReadCount(size_t got, size_t want) {
  if (got == want) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("node reader returned ", got, " hashes for ", want, " nodes"));
}

absl::StatusOr<std::vector<Hash>> Assemble(const ProofNodes& nodes, NodeReader& reader) {
  if (nodes.ids.empty()) return std::vector<Hash>();
  absl::StatusOr<std::vector<Hash>> hashes = reader.ReadNodes(nodes.ids);
  if (!hashes.ok()) return hashes.status();
  if (absl::Status s = CheckReadCount(hashes->size(), nodes.ids.size()); !s.ok()) return s;
  if (nodes.proof_size() == nodes.ids.size()) return hashes;
  return nodes.Rehash(*hashes);
}

}  // namespace

absl::StatusOr<std::vector<Hash>> ProofNodes::Rehash(absl::Span<const Hash> hashes) const {
  if (hashes.size() != ids.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", hashes.size(), " hashes, want ", ids.size()));
  }
  if (rehash_begin > rehash_end || rehash_end > ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("bad rehash range [", rehash_begin, ", ",
                                                   rehash_end, ") for ", ids.size(), " ids"));
  }
  std::vector<Hash> proof;
  proof.reserve(proof_size());
  proof.insert(proof.end(), hashes.begin(), hashes.begin() + rehash_begin);
  if (rehash_begin < rehash_end) {
    Hash folded = hashes[rehash_begin];
    for (size_t i = rehash_begin + 1; i < rehash_end; ++i) {
      folded = HashChildren(hashes[i], folded);
    }
    proof.push_back(folded);
  }
  proof.insert(proof.end(), hashes.begin() + rehash_end, hashes.end());
  return proof;
}

absl::StatusOr<ProofNodes> InclusionNodes(uint64_t index, uint64_t size) {
  if (index >= size) {
    return absl::OutOfRangeError(absl::StrCat("index ", index, " is past tree size ", size));
  }
  ProofNodes nodes;
  AppendPath(0, index, size, &nodes);
  return nodes;
}

absl::StatusOr<ProofNodes> ConsistencyNodes(uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        absl::StrCat("size1 ", size1, " is greater than size2 ", size2));
  }
  ProofNodes nodes;
  if (size1 == 0 || size1 == size2) return nodes;

  // The smallest peak of the size1 tree: its last perfect subtree. Proving that this node is in
  // the size2 tree proves the whole size1 tree is, since the rest of size1 lies to its left.
  const uint32_t level = absl::countr_zero(size1);
  const uint64_t index = (size1 - 1) >> level;
  // When size1 is a power of two, that node is the size1 root, which the verifier already has.
  if (index != 0) nodes.ids.push_back(NodeId{level, index});
  AppendPath(level, index, size2, &nodes);
  return nodes;
}

absl::StatusOr<std::vector<Hash>> ProveInclusion(uint64_t index, uint64_t size,
                                                 NodeReader& reader) {
  absl::StatusOr<ProofNodes> nodes = InclusionNodes(index, size);
  if (!nodes.ok()) return nodes.status();
  return Assemble(*nodes, reader);
}

absl::StatusOr<std::vector<Hash>> ProveConsistency(uint64_t size1, uint64_t size2,
                                                   NodeReader& reader) {
  absl::StatusOr<ProofNodes> nodes = ConsistencyNodes(size1, size2);
  if (!nodes.ok()) return nodes.status();
  return Assemble(*nodes, reader);
}

}  // namespace vellum
