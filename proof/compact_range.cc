#include "proof/compact_range.h"

#include <utility>

#include "absl/numeric/bits.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace {

// A tree of up to 2^64 - 1 leaves has at most 64 peaks.
constexpr size_t kMaxPeaks = 64;

}  // namespace

std::vector<NodeId> PeakNodes(uint64_t size) {
  std::vector<NodeId> ids;
  ids.reserve(absl::popcount(size));
  for (int level = 63; level >= 0; --level) {
    if ((size >> level) & 1) {
      // The peak at `level` ends where the lower set bits of `size` begin.
      ids.push_back(NodeId{static_cast<uint32_t>(level), (size >> level) - 1});
    }
  }
  return ids;
}

CompactRange::CompactRange() : size_(0) { peaks_.reserve(kMaxPeaks); }

CompactRange::CompactRange(uint64_t size, std::vector<Hash> peaks)
    : size_(size), peaks_(std::move(peaks)) {
  peaks_.reserve(kMaxPeaks);
}

absl::StatusOr<CompactRange> CompactRange::FromPeaks(uint64_t size, std::vector<Hash> peaks) {
  const size_t want = absl::popcount(size);
  if (peaks.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("wrong number of peaks for tree size ", size,
                                                   ": got ", peaks.size(), ", want ", want));
  }
  return CompactRange(size, std::move(peaks));
}

void CompactRange::Append(const Hash& leaf_hash, Visitor visitor) {
  visitor(NodeId{0, size_}, leaf_hash);
  Hash hash = leaf_hash;
  uint32_t level = 0;
  // Each trailing one bit of the old size is a peak that the new node completes a parent for.
  for (uint64_t index = size_; index & 1; index >>= 1) {
    hash = HashChildren(peaks_.back(), hash);
    peaks_.pop_back();
    ++level;
    visitor(NodeId{level, index >> 1}, hash);
  }
  peaks_.push_back(hash);
  ++size_;
}

void CompactRange::Append(const Hash& leaf_hash) {
  Append(leaf_hash, [](NodeId, const Hash&) {});
}

Hash CompactRange::Root() const {
  if (peaks_.empty()) return EmptyRoot();
  Hash root = peaks_.back();
  for (size_t i = peaks_.size() - 1; i > 0; --i) {
    root = HashChildren(peaks_[i - 1], root);
  }
  return root;
}

}  // namespace vellum
