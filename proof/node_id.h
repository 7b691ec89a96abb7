#ifndef VELLUM_PROOF_NODE_ID_H_
#define VELLUM_PROOF_NODE_ID_H_

#include <cstdint>
#include <ostream>
#include <tuple>
#include <utility>

namespace vellum {

// Names one node of the Merkle tree: the root of the perfect subtree over leaves
// [index << level, (index + 1) << level). Leaves are level 0. A node is stored (in a tile) only
// once all of its leaves exist; the imperfect nodes on a tree's right edge are never named.
struct NodeId {
  uint32_t level;
  uint64_t index;

  friend bool operator==(const NodeId& a, const NodeId& b) {
    return a.level == b.level && a.index == b.index;
  }
  friend bool operator!=(const NodeId& a, const NodeId& b) { return !(a == b); }

  // Orders by level, then by index.
  friend bool operator<(const NodeId& a, const NodeId& b) {
    return std::tie(a.level, a.index) < std::tie(b.level, b.index);
  }

  template <typename H>
  friend H AbslHashValue(H h, const NodeId& id) {
    return H::combine(std::move(h), id.level, id.index);
  }

  friend std::ostream& operator<<(std::ostream& os, const NodeId& id) {
    return os << "{level " << id.level << ", index " << id.index << "}";
  }
};

}  // namespace vellum

#endif  // VELLUM_PROOF_NODE_ID_H_
