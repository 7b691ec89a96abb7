#ifndef VELLUM_PROOF_TILE_H_
#define VELLUM_PROOF_TILE_H_

// The static read API of c2sp.org/tlog-tiles: tile and entry-bundle paths, which tiles exist for
// a tree size, where a Merkle tree node is stored, and the tile and bundle byte formats.
//
// A tile at level L and index N holds up to 256 consecutive Merkle tree hashes of tree level 8L,
// starting at hash 256N: its "bottom row". The nodes at levels 8L+1 .. 8L+8 above that row are not
// stored; HashFromTile() recomputes them. A full tile has width 256; the rightmost tile of each
// level may be partial, with width 1..255. Entry bundles mirror the level-0 tiles: bundle N holds
// the entries whose leaf hashes make up tile 0/N.
//
// Everything here is pure arithmetic and parsing, and thread-safe.

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proof/hash.h"
#include "proof/node_id.h"

namespace vellum {

// Tiles are 2^8 = 256 hashes wide.
inline constexpr uint32_t kTileHeight = 8;
inline constexpr uint16_t kTileWidth = 256;
// The highest tile level a path may name (the spec's range is 0..63). With 64-bit tree sizes
// only levels 0..7 can hold hashes.
inline constexpr uint8_t kMaxTileLevel = 63;
// Entries are length-prefixed with a big-endian uint16.
inline constexpr size_t kMaxEntrySize = 65535;

// A Merkle tree tile: `width` hashes (1..256; 256 is a full tile) of tree level 8 * `level`,
// starting at hash 256 * `index` of that level.
struct TileId {
  uint8_t level;
  uint64_t index;
  uint16_t width;

  bool is_full() const { return width == kTileWidth; }
};

// An entry bundle: `width` entries (1..256; 256 is a full bundle) starting at entry 256 * `index`.
struct EntryBundleId {
  uint64_t index;
  uint16_t width;

  bool is_full() const { return width == kTileWidth; }
};

inline bool operator==(const TileId& a, const TileId& b) {
  return a.level == b.level && a.index == b.index && a.width == b.width;
}
inline bool operator!=(const TileId& a, const TileId& b) { return !(a == b); }
inline bool operator==(const EntryBundleId& a, const EntryBundleId& b) {
  return a.index == b.index && a.width == b.width;
}
inline bool operator!=(const EntryBundleId& a, const EntryBundleId& b) { return !(a == b); }

template <typename H>
H AbslHashValue(H state, const TileId& id) {
  return H::combine(std::move(state), id.level, id.index, id.width);
}
template <typename H>
H AbslHashValue(H state, const EntryBundleId& id) {
  return H::combine(std::move(state), id.index, id.width);
}

// --- Paths ---------------------------------------------------------------------------------------

// Returns the path `tile/<L>/<N>[.p/<W>]`, relative to the log's prefix. <N> is written in
// 3-digit groups, all but the last prefixed with "x": index 1234067 is "x001/x234/067". Requires
// level <= 63 and 1 <= width <= 256.
std::string TilePath(const TileId& tile);

// Returns the path `tile/entries/<N>[.p/<W>]`. Requires 1 <= width <= 256.
std::string EntryBundlePath(const EntryBundleId& bundle);

// Parses a path produced by TilePath(), accepting exactly the canonical form, so that
// TilePath(*ParseTilePath(p)) == p. Rejects with InvalidArgument, naming the fault: a missing
// "tile/" prefix, a level that is not 0..63 in decimal without leading zeros, index elements that
// are not "x" + 3 digits (or 3 digits for the last), a leading all-zero group, an index above
// UINT64_MAX, a width that is not 1..255 without leading zeros, empty elements and trailing
// slashes. Safe on untrusted input.
absl::StatusOr<TileId> ParseTilePath(absl::string_view path);

// As ParseTilePath(), for `tile/entries/<N>[.p/<W>]`.
absl::StatusOr<EntryBundleId> ParseEntryBundlePath(absl::string_view path);

// --- Which tiles exist ---------------------------------------------------------------------------

// The tiles of one level for a tree size: tiles 0 .. full_tiles - 1 are full, and if
// partial_width is not 0, tile `full_tiles` is partial with that width.
struct LevelTiles {
  uint8_t level;
  uint64_t full_tiles;
  uint16_t partial_width;

  uint64_t tile_count() const { return full_tiles + (partial_width != 0 ? 1 : 0); }
};

// Returns, for each tile level that holds at least one hash in a tree of `tree_size` leaves, its
// tiles: at most 8 elements, in level order; none for the empty tree. Level 0 also describes the
// entry bundles.
std::vector<LevelTiles> TilesForSize(uint64_t tree_size);

// Returns the width of the partial tile at `level` for a tree of `tree_size` leaves,
// floor(tree_size / 256^level) mod 256, or 0 if that level has no partial tile.
uint16_t PartialTileWidth(uint8_t level, uint64_t tree_size);

// Returns how many hashes tile `index` of `level` holds in a tree of `tree_size` leaves: 256 for
// a full tile, 1..255 for the partial tile, 0 if that tile does not exist at this size.
uint16_t TileWidth(uint8_t level, uint64_t index, uint64_t tree_size);

// Calls `visit` for every tile that exists at `new_tree_size` but not at `old_tree_size`: the
// tiles that became full, and the new partial tile of each level whose hash count changed. These
// are the tiles a log must write when it grows; full tiles never change. Visits level by level,
// in index order. Requires old_tree_size <= new_tree_size; visits nothing otherwise.
void ForEachNewTile(uint64_t old_tree_size, uint64_t new_tree_size,
                    absl::FunctionRef<void(const TileId&)> visit);

// --- Where nodes and entries live ----------------------------------------------------------------

// Where a Merkle tree node is stored: its subtree's hashes at the tile's bottom row are
// positions [begin, end) of `tile`, and the node is `level_in_tile` (0..7) levels above that row.
// end - begin == 2^level_in_tile.
struct NodeTileLocation {
  TileId tile;
  uint8_t level_in_tile;
  uint16_t begin;
  uint16_t end;
};

// Returns the tile holding node `node`, with the least width that covers it (tile.width == end),
// as tlog.TileForIndex does for height 8. A node at a level that is a multiple of 8 is a hash of
// the bottom row (level_in_tile 0); nodes at 8L+1 .. 8L+7 are computed from tile level L. Fails
// with InvalidArgument if node.level > 8 * 63 + 7, beyond the tile levels paths can express.
absl::StatusOr<NodeTileLocation> LocateNode(NodeId node);

// As LocateNode(node), but returns the tile as it exists in a tree of `tree_size` leaves (its
// width is TileWidth() at that size). Fails with OutOfRange if the node is not in that tree, that
// is if its subtree extends past leaf tree_size - 1.
absl::StatusOr<NodeTileLocation> LocateNode(NodeId node, uint64_t tree_size);

// Returns the hash of `node` computed from `hashes`, the bottom row of `tile`. The node may be at
// any level from 8 * tile.level (a stored hash) to 8 * tile.level + 8 (the root of a full tile).
// Fails with InvalidArgument if hashes.size() != tile.width or the node is not above this tile,
// and with OutOfRange if the node's subtree extends past the tile's width. Costs 2^k - 1 hashes for
// a node k levels above the bottom row.
absl::StatusOr<Hash> HashFromTile(const TileId& tile, absl::Span<const Hash> hashes, NodeId node);

// Where an entry is stored: entry `position` of `bundle`.
struct EntryLocation {
  EntryBundleId bundle;
  uint16_t position;
};

// Returns the entry bundle holding entry `entry_index` as it exists in a tree of `tree_size`
// leaves. Fails with OutOfRange if entry_index >= tree_size.
absl::StatusOr<EntryLocation> LocateEntry(uint64_t entry_index, uint64_t tree_size);

// --- Tile data -----------------------------------------------------------------------------------

// Parses tile data: exactly `want_width` concatenated 32-byte hashes. Fails with InvalidArgument
// if the size is not 32 * want_width or want_width is not 1..256.
absl::StatusOr<std::vector<Hash>> ParseTileData(absl::string_view data, uint16_t want_width);

// Returns the concatenation of `hashes`. Requires 1..256 hashes for a servable tile.
std::string EncodeTileData(absl::Span<const Hash> hashes);

// --- Entry bundles -------------------------------------------------------------------------------
//
// A bundle is its entries, each prefixed by its length as a big-endian uint16. The spec bounds an
// entry by the prefix alone, so an entry is 0..65535 bytes: RFC 6962 defines the hash of the empty
// leaf, and a bundle must be able to carry it. Whether a log accepts empty entries is the append
// path's policy, not the format's. A bundle holds 1..256 entries; empty bundles are never served.

// Returns the encoded bundle. Fails with InvalidArgument if there are no entries or more than 256,
// or an entry is longer than 65535 bytes.
absl::StatusOr<std::string> EncodeEntryBundle(absl::Span<const absl::string_view> entries);
absl::StatusOr<std::string> EncodeEntryBundle(absl::Span<const std::string> entries);

// Parses a bundle strictly: fails with InvalidArgument on a truncated length prefix, a truncated
// entry, an empty bundle, or more than 256 entries. EncodeEntryBundle() of the result is `data`.
absl::StatusOr<std::vector<std::string>> ParseEntryBundle(absl::string_view data);

// As ParseEntryBundle(data), and fails with InvalidArgument unless the bundle holds exactly
// `want_count` entries (the width of the bundle that was requested).
absl::StatusOr<std::vector<std::string>> ParseEntryBundle(absl::string_view data,
                                                          uint16_t want_count);

// Prints the fields, for test failure messages.
std::ostream& operator<<(std::ostream& os, const TileId& tile);
std::ostream& operator<<(std::ostream& os, const EntryBundleId& bundle);

}  // namespace vellum

#endif  // VELLUM_PROOF_TILE_H_
