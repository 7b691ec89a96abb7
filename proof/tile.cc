#include "proof/tile.h"

#include <array>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "proof/big_endian.h"

namespace vellum {
namespace {

// <N> is written in base 1000, one 3-digit group per path element.
constexpr uint64_t kGroupBase = 1000;
// UINT64_MAX, 18446744073709551615, has 20 digits: 7 groups.
constexpr size_t kMaxIndexGroups = 7;
// Longest path: "tile/entries/", 7 groups of "xNNN/", ".p/255" is 53 bytes. Parsers reject longer
// input early; formatting has room for any uint8_t level and uint16_t width, so that ids outside
// the preconditions still format (and then fail to parse).
constexpr size_t kMaxPathSize = 64;

constexpr absl::string_view kTilePrefix = "tile/";
constexpr absl::string_view kEntriesPrefix = "tile/entries/";
constexpr absl::string_view kPartialSuffix = ".p";

// Writes `value` in decimal without leading zeros; returns the end.
char* WriteDecimal(uint32_t value, char* out) {
  char digits[10];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

bool IsDigits(absl::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Requires IsDigits(s) and s.size() <= 19.
uint64_t DigitsValue(absl::string_view s) {
  uint64_t value = 0;
  for (char c : s) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

// Quotes untrusted text for an error message; callers bound its length.
std::string Quote(absl::string_view s) { return absl::StrCat("\"", absl::CHexEscape(s), "\""); }

// Parses the `<N>[.p/<W>]` part of a tile or bundle path. On failure returns the reason, to be
// prefixed by the caller with the path.
absl::Status ParseIndexAndWidth(absl::string_view rest, uint64_t* index, uint16_t* width) {
  if (rest.empty()) return absl::InvalidArgumentError("missing index");
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  if (parts.back().empty()) return absl::InvalidArgumentError("trailing slash");

  *width = kTileWidth;
  if (parts.size() >= 2 && absl::EndsWith(parts[parts.size() - 2], kPartialSuffix)) {
    absl::string_view w = parts.back();
    if (!IsDigits(w)) {
      return absl::InvalidArgumentError(
          absl::StrCat("width ", Quote(w), " is not a decimal number"));
    }
    if (w.size() > 1 && w[0] == '0') {
      return absl::InvalidArgumentError(absl::StrCat("width ", Quote(w), " has a leading zero"));
    }
    uint64_t value = w.size() <= 3 ? DigitsValue(w) : std::numeric_limits<uint64_t>::max();
    if (value == kTileWidth) {
      return absl::InvalidArgumentError("width 256 is a full tile, whose path has no .p/ suffix");
    }
    if (value == 0 || value > kTileWidth) {
      return absl::InvalidArgumentError(absl::StrCat("width ", Quote(w), " is not in 1..255"));
    }
    *width = static_cast<uint16_t>(value);
    parts.pop_back();
    parts.back().remove_suffix(kPartialSuffix.size());
  } else if (absl::EndsWith(parts.back(), kPartialSuffix)) {
    return absl::InvalidArgumentError("partial suffix .p has no /<width>");
  }

  if (parts.size() > kMaxIndexGroups) {
    return absl::InvalidArgumentError(absl::StrCat(
        "index has ", parts.size(), " elements, but at most ", kMaxIndexGroups, " fit in 64 bits"));
  }
  uint64_t value = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::string_view part = parts[i];
    const bool last = i + 1 == parts.size();
    if (part.empty()) return absl::InvalidArgumentError("empty path element in index");
    absl::string_view digits = part;
    if (!last) {
      if (part[0] != 'x') {
        return absl::InvalidArgumentError(absl::StrCat(
            "index element ", Quote(part), " lacks the x prefix that all but the last need"));
      }
      digits.remove_prefix(1);
    } else if (part[0] == 'x') {
      return absl::InvalidArgumentError(
          absl::StrCat("last index element ", Quote(part), " must not start with x"));
    }
    if (digits.size() != 3 || !IsDigits(digits)) {
      return absl::InvalidArgumentError(absl::StrCat("index element ", Quote(part), " is not ",
                                                     last ? "" : "x followed by ", "3 digits"));
    }
    const uint64_t group = DigitsValue(digits);
    if (i == 0 && !last && group == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("index element ", Quote(part), " is a leading zero group"));
    }
    if (value > (std::numeric_limits<uint64_t>::max() - group) / kGroupBase) {
      return absl::InvalidArgumentError("index is above 2^64 - 1");
    }
    value = value * kGroupBase + group;
  }
  *index = value;
  return absl::OkStatus();
}

// Quotes at most kMaxPathSize bytes of the path.
absl::Status MalformedPath(absl::string_view kind, absl::string_view path,
                           absl::string_view reason) {
  const bool truncated = path.size() > kMaxPathSize;
  return absl::InvalidArgumentError(absl::StrCat("malformed ", kind, " path ",
                                                 Quote(path.substr(0, kMaxPathSize)),
                                                 truncated ? "..." : "", ": ", reason));
}

// Writes `<N>[.p/<W>]` at `out`, returns the end.
char* WriteIndexAndWidth(char* out, uint64_t index, uint16_t width) {
  std::array<uint16_t, kMaxIndexGroups> groups;
  size_t n = 0;
  do {
    groups[n++] = static_cast<uint16_t>(index % kGroupBase);
    index /= kGroupBase;
  } while (index != 0);
  while (n-- > 0) {
    const uint16_t g = groups[n];
    if (n != 0) *out++ = 'x';
    *out++ = static_cast<char>('0' + g / 100);
    *out++ = static_cast<char>('0' + g / 10 % 10);
    *out++ = static_cast<char>('0' + g % 10);
    if (n != 0) *out++ = '/';
  }
  if (width != kTileWidth) {
    std::memcpy(out, ".p/", 3);
    out += 3;
    out = WriteDecimal(width, out);
  }
  return out;
}

// The number of hashes at tree level 8 * level in a tree of tree_size leaves.
uint64_t HashesAtTileLevel(uint8_t level, uint64_t tree_size) {
  const uint32_t shift = kTileHeight * level;
  return shift >= 64 ? 0 : tree_size >> shift;
}

absl::StatusOr<std::vector<std::string>> ParseBundle(absl::string_view data, size_t max_entries,
                                                     bool exact) {
  std::vector<std::string> entries;
  size_t pos = 0;
  while (pos < data.size()) {
    if (entries.size() == max_entries) {
      if (exact) {
        return absl::InvalidArgumentError(absl::StrCat("entry bundle has ", data.size() - pos,
                                                       " trailing bytes after its ", max_entries,
                                                       " entries"));
      }
      return absl::InvalidArgumentError(
          absl::StrCat("entry bundle has more than ", max_entries, " entries"));
    }
    if (data.size() - pos < 2) {
      return absl::InvalidArgumentError(absl::StrCat("entry bundle is truncated: entry ",
                                                     entries.size(), " at offset ", pos,
                                                     " has 1 of its 2 length bytes"));
    }
    const size_t size = ReadBigEndian(data.substr(pos, 2));
    pos += 2;
    if (data.size() - pos < size) {
      return absl::InvalidArgumentError(
          absl::StrCat("entry bundle is truncated: entry ", entries.size(), " at offset ", pos - 2,
                       " is ", size, " bytes, but only ", data.size() - pos, " remain"));
    }
    entries.emplace_back(data.substr(pos, size));
    pos += size;
  }
  if (exact && entries.size() != max_entries) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry bundle has ", entries.size(), " entries, want ", max_entries));
  }
  if (entries.empty()) return absl::InvalidArgumentError("entry bundle is empty");
  return entries;
}

template <typename String>
absl::StatusOr<std::string> EncodeBundle(absl::Span<const String> entries) {
  if (entries.empty() || entries.size() > kTileWidth) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry bundle has ", entries.size(), " entries, want 1..", kTileWidth));
  }
  size_t total = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > kMaxEntrySize) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " is ", entries[i].size(),
                                                     " bytes, but at most ", kMaxEntrySize,
                                                     " fit an entry bundle"));
    }
    total += 2 + entries[i].size();
  }
  std::string out;
  out.reserve(total);
  for (const String& entry : entries) {
    AppendBigEndian(entry.size(), 2, &out);
    out.append(entry.data(), entry.size());
  }
  return out;
}

}  // namespace

std::string TilePath(const TileId& tile) {
  char buf[kMaxPathSize];
  char* p = buf;
  std::memcpy(p, kTilePrefix.data(), kTilePrefix.size());
  p += kTilePrefix.size();
  p = WriteDecimal(tile.level, p);
  *p++ = '/';
  p = WriteIndexAndWidth(p, tile.index, tile.width);
  return std::string(buf, p);
}

std::string EntryBundlePath(const EntryBundleId& bundle) {
  char buf[kMaxPathSize];
  std::memcpy(buf, kEntriesPrefix.data(), kEntriesPrefix.size());
  char* p = WriteIndexAndWidth(buf + kEntriesPrefix.size(), bundle.index, bundle.width);
  return std::string(buf, p);
}

absl::StatusOr<TileId> ParseTilePath(absl::string_view path) {
  constexpr absl::string_view kKind = "tile";
  if (path.empty()) return absl::InvalidArgumentError("empty tile path");
  if (path.size() > kMaxPathSize) {
    return MalformedPath(kKind, path, absl::StrCat("longer than ", kMaxPathSize, " bytes"));
  }
  if (!absl::StartsWith(path, kTilePrefix)) {
    return MalformedPath(kKind, path, "does not start with \"tile/\"");
  }
  absl::string_view rest = path.substr(kTilePrefix.size());
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) return MalformedPath(kKind, path, "missing index");
  absl::string_view level = rest.substr(0, slash);
  rest.remove_prefix(slash + 1);
  if (level.empty()) return MalformedPath(kKind, path, "empty level");
  if (level == "entries") {
    return MalformedPath(kKind, path, "this is an entry bundle path, not a tile path");
  }
  if (!IsDigits(level)) {
    return MalformedPath(kKind, path,
                         absl::StrCat("level ", Quote(level), " is not a decimal number"));
  }
  if (level.size() > 1 && level[0] == '0') {
    return MalformedPath(kKind, path, absl::StrCat("level ", Quote(level), " has a leading zero"));
  }
  if (level.size() > 2 || DigitsValue(level) > kMaxTileLevel) {
    return MalformedPath(kKind, path, absl::StrCat("level ", Quote(level), " is above 63"));
  }
  TileId tile;
  tile.level = static_cast<uint8_t>(DigitsValue(level));
  absl::Status status = ParseIndexAndWidth(rest, &tile.index, &tile.width);
  if (!status.ok()) return MalformedPath(kKind, path, status.message());
  return tile;
}

absl::StatusOr<EntryBundleId> ParseEntryBundlePath(absl::string_view path) {
  constexpr absl::string_view kKind = "entry bundle";
  if (path.empty()) return absl::InvalidArgumentError("empty entry bundle path");
  if (path.size() > kMaxPathSize) {
    return MalformedPath(kKind, path, absl::StrCat("longer than ", kMaxPathSize, " bytes"));
  }
  if (!absl::StartsWith(path, kEntriesPrefix)) {
    return MalformedPath(kKind, path, "does not start with \"tile/entries/\"");
  }
  EntryBundleId bundle;
  absl::Status status =
      ParseIndexAndWidth(path.substr(kEntriesPrefix.size()), &bundle.index, &bundle.width);
  if (!status.ok()) return MalformedPath(kKind, path, status.message());
  return bundle;
}

std::vector<LevelTiles> TilesForSize(uint64_t tree_size) {
  std::vector<LevelTiles> levels;
  for (uint8_t level = 0;; ++level) {
    const uint64_t hashes = HashesAtTileLevel(level, tree_size);
    if (hashes == 0) break;
    levels.push_back(
        LevelTiles{level, hashes / kTileWidth, static_cast<uint16_t>(hashes % kTileWidth)});
  }
  return levels;
}

uint16_t PartialTileWidth(uint8_t level, uint64_t tree_size) {
  return static_cast<uint16_t>(HashesAtTileLevel(level, tree_size) % kTileWidth);
}

uint16_t TileWidth(uint8_t level, uint64_t index, uint64_t tree_size) {
  const uint64_t hashes = HashesAtTileLevel(level, tree_size);
  const uint64_t full_tiles = hashes / kTileWidth;
  if (index < full_tiles) return kTileWidth;
  if (index == full_tiles) return static_cast<uint16_t>(hashes % kTileWidth);
  return 0;
}

void ForEachNewTile(uint64_t old_tree_size, uint64_t new_tree_size,
                    absl::FunctionRef<void(const TileId&)> visit) {
  if (old_tree_size > new_tree_size) return;
  for (uint8_t level = 0;; ++level) {
    const uint64_t old_hashes = HashesAtTileLevel(level, old_tree_size);
    const uint64_t new_hashes = HashesAtTileLevel(level, new_tree_size);
    // Equal counts here mean equal counts at every level above.
    if (new_hashes == old_hashes) break;
    for (uint64_t n = old_hashes / kTileWidth; n < new_hashes / kTileWidth; ++n) {
      visit(TileId{level, n, kTileWidth});
    }
    if (new_hashes % kTileWidth != 0) {
      visit(TileId{level, new_hashes / kTileWidth, static_cast<uint16_t>(new_hashes % kTileWidth)});
    }
  }
}

absl::StatusOr<NodeTileLocation> LocateNode(NodeId node) {
  constexpr uint32_t kMaxNodeLevel = kTileHeight * kMaxTileLevel + kTileHeight - 1;
  if (node.level > kMaxNodeLevel) {
    return absl::InvalidArgumentError(absl::StrCat(
        "node level ", node.level, " is above the highest tiled level ", kMaxNodeLevel));
  }
  const uint32_t k = node.level % kTileHeight;
  const uint32_t shift = kTileHeight - k;  // 1..8: node positions per tile at this level.
  const uint64_t position = node.index & ((uint64_t{1} << shift) - 1);
  NodeTileLocation loc;
  loc.level_in_tile = static_cast<uint8_t>(k);
  loc.begin = static_cast<uint16_t>(position << k);
  loc.end = static_cast<uint16_t>((position + 1) << k);
  loc.tile = TileId{static_cast<uint8_t>(node.level / kTileHeight), node.index >> shift, loc.end};
  return loc;
}

absl::StatusOr<NodeTileLocation> LocateNode(NodeId node, uint64_t tree_size) {
  // The node's subtree covers leaves [index * 2^level, (index + 1) * 2^level).
  if (node.level >= 64 || node.index >= (tree_size >> node.level)) {
    return absl::OutOfRangeError(absl::StrCat("node at level ", node.level, " index ", node.index,
                                              " is not in the tree of size ", tree_size));
  }
  absl::StatusOr<NodeTileLocation> loc = LocateNode(node);
  if (!loc.ok()) return loc.status();
  loc->tile.width = TileWidth(loc->tile.level, loc->tile.index, tree_size);
  return loc;
}

absl::StatusOr<Hash> HashFromTile(const TileId& tile, absl::Span<const Hash> hashes, NodeId node) {
  if (tile.width < 1 || tile.width > kTileWidth || tile.level > kMaxTileLevel) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid tile: level ", tile.level, " width ", tile.width));
  }
  if (hashes.size() != tile.width) {
    return absl::InvalidArgumentError(absl::StrCat("tile ", TilePath(tile), " has ", hashes.size(),
                                                   " hashes, want ", tile.width));
  }
  const uint32_t base = kTileHeight * tile.level;
  if (node.level < base || node.level > base + kTileHeight) {
    return absl::InvalidArgumentError(absl::StrCat("node at level ", node.level, " is not in tile ",
                                                   TilePath(tile), ", which spans levels ", base,
                                                   "..", base + kTileHeight));
  }
  const uint32_t k = node.level - base;
  const uint32_t shift = kTileHeight - k;
  const uint64_t tile_index = shift == 0 ? node.index : node.index >> shift;
  if (tile_index != tile.index) {
    return absl::InvalidArgumentError(absl::StrCat("node at level ", node.level, " index ",
                                                   node.index, " is in tile index ", tile_index,
                                                   ", not in tile ", TilePath(tile)));
  }
  const uint64_t position = shift == 0 ? 0 : node.index & ((uint64_t{1} << shift) - 1);
  const size_t begin = static_cast<size_t>(position << k);
  const size_t end = static_cast<size_t>((position + 1) << k);
  if (end > tile.width) {
    return absl::OutOfRangeError(absl::StrCat("node at level ", node.level, " index ", node.index,
                                              " needs hashes [", begin, ", ", end, ") of tile ",
                                              TilePath(tile), ", which has ", tile.width));
  }
  if (k == 0) return hashes[begin];
  // Hash pairs level by level, in place in a scratch row of half the width.
  std::array<Hash, kTileWidth / 2> row;
  size_t n = (end - begin) / 2;
  for (size_t i = 0; i < n; ++i)
    row[i] = HashChildren(hashes[begin + 2 * i], hashes[begin + 2 * i + 1]);
  for (; n > 1; n /= 2) {
    for (size_t i = 0; i < n / 2; ++i) row[i] = HashChildren(row[2 * i], row[2 * i + 1]);
  }
  return row[0];
}

absl::StatusOr<EntryLocation> LocateEntry(uint64_t entry_index, uint64_t tree_size) {
  if (entry_index >= tree_size) {
    return absl::OutOfRangeError(
        absl::StrCat("entry index ", entry_index, " is not in the tree of size ", tree_size));
  }
  const uint64_t bundle = entry_index / kTileWidth;
  return EntryLocation{EntryBundleId{bundle, TileWidth(0, bundle, tree_size)},
                       static_cast<uint16_t>(entry_index % kTileWidth)};
}

absl::StatusOr<std::vector<Hash>> ParseTileData(absl::string_view data, uint16_t want_width) {
  if (want_width < 1 || want_width > kTileWidth) {
    return absl::InvalidArgumentError(
        absl::StrCat("tile width ", want_width, " is not in 1..", kTileWidth));
  }
  const size_t want_size = size_t{want_width} * kHashSize;
  if (data.size() != want_size) {
    return absl::InvalidArgumentError(absl::StrCat("tile data is ", data.size(), " bytes, want ",
                                                   want_size, " (", want_width, " hashes)"));
  }
  std::vector<Hash> hashes(want_width);
  std::memcpy(hashes.data(), data.data(), want_size);
  return hashes;
}

std::string EncodeTileData(absl::Span<const Hash> hashes) {
  std::string out(hashes.size() * kHashSize, '\0');
  if (!hashes.empty()) std::memcpy(&out[0], hashes.data(), out.size());
  return out;
}

absl::StatusOr<std::string> EncodeEntryBundle(absl::Span<const absl::string_view> entries) {
  return EncodeBundle(entries);
}

absl::StatusOr<std::string> EncodeEntryBundle(absl::Span<const std::string> entries) {
  return EncodeBundle(entries);
}

absl::StatusOr<std::vector<std::string>> ParseEntryBundle(absl::string_view data) {
  return ParseBundle(data, kTileWidth, /*exact=*/false);
}

absl::StatusOr<std::vector<std::string>> ParseEntryBundle(absl::string_view data,
                                                          uint16_t want_count) {
  if (want_count < 1 || want_count > kTileWidth) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry bundle width ", want_count, " is not in 1..", kTileWidth));
  }
  return ParseBundle(data, want_count, /*exact=*/true);
}

std::ostream& operator<<(std::ostream& os, const TileId& tile) {
  return os << "TileId{" << static_cast<int>(tile.level) << ", " << tile.index << ", " << tile.width
            << "}";
}

std::ostream& operator<<(std::ostream& os, const EntryBundleId& bundle) {
  return os << "EntryBundleId{" << bundle.index << ", " << bundle.width << "}";
}

}  // namespace vellum
