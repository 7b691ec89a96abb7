#include "tools/log_client.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/log.pb.h"
#include "api/message_codec.h"
#include "google/protobuf/util/json_util.h"
#include "proof/compact_range.h"
#include "proof/tile.h"
#include "proof/verify.h"

namespace vellum {
namespace cli {
namespace {

// Returns `bytes` as a hash, or InvalidArgument naming `what`.
absl::StatusOr<Hash> AnswerHash(absl::string_view bytes, absl::string_view what) {
  absl::StatusOr<Hash> hash = HashFromBytes(bytes);
  if (!hash.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", hash.status().message()));
  }
  return hash;
}

// Checks the tiles of a tree level by level as their bottom rows are recomputed from below.
// Holds one row of at most 256 hashes per tile level.
class TileAuditor {
 public:
  TileAuditor(LogFetcher& fetcher, uint64_t tree_size)
      : fetcher_(fetcher), tree_size_(tree_size) {}

  // Checks tile `index` of level `level`, whose bottom row should be `want`, and feeds the root
  // of a full tile to the level above.
  absl::Status CheckTile(uint8_t level, uint64_t index, std::vector<Hash> want) {
    const TileId tile{level, index, static_cast<uint16_t>(want.size())};
    absl::StatusOr<std::vector<Hash>> got = FetchTile(fetcher_, tile);
    if (!got.ok()) return got.status();
    tiles_++;
    for (size_t i = 0; i < want.size(); ++i) {
      if ((*got)[i] != want[i]) {
        const uint64_t below = index * kTileWidth + i;
        return absl::DataLossError(absl::StrCat(
            TilePath(tile), " hash ", i, ": got ", HashToBase64((*got)[i]), ", want ",
            HashToBase64(want[i]),
            level == 0 ? absl::StrCat(" (the leaf hash of entry ", below, ")")
                       : absl::StrCat(" (the root of ",
                                      TilePath({static_cast<uint8_t>(level - 1), below,
                                                kTileWidth}),
                                      ")")));
      }
    }
    if (!tile.is_full()) {
      partial_rows_[level] = std::move(want);
      return absl::OkStatus();
    }
    absl::StatusOr<Hash> root =
        HashFromTile(tile, want, NodeId{kTileHeight * (level + 1u), index});
    if (!root.ok()) return root.status();
    return AddHash(level + 1, *root);
  }

  // The root of the tree, from the peaks held in the partial tiles that CheckTile() has seen.
  absl::StatusOr<Hash> Root() const {
    for (size_t level = 0; level < rows_.size(); ++level) {
      if (!rows_[level].empty()) {
        return absl::InternalError(absl::StrCat("tile level ", level, " has ",
                                                rows_[level].size(), " unchecked hashes"));
      }
    }
    std::vector<Hash> peaks;
    for (NodeId peak : PeakNodes(tree_size_)) {
      absl::StatusOr<NodeTileLocation> where = LocateNode(peak, tree_size_);
      if (!where.ok()) return where.status();
      const std::vector<Hash>& row = partial_rows_[where->tile.level];
      if (where->tile.is_full() || row.size() != where->tile.width) {
        return absl::InternalError(absl::StrCat("peak ", peak.level, "/", peak.index,
                                                " is not in a checked partial tile"));
      }
      absl::StatusOr<Hash> hash = HashFromTile(where->tile, row, peak);
      if (!hash.ok()) return hash.status();
      peaks.push_back(*hash);
    }
    absl::StatusOr<CompactRange> range = CompactRange::FromPeaks(tree_size_, std::move(peaks));
    if (!range.ok()) return range.status();
    return range->Root();
  }

  uint64_t tiles() const { return tiles_; }

 private:
  static constexpr size_t kLevels = 8;

  absl::Status AddHash(size_t level, const Hash& hash) {
    if (level >= kLevels) return absl::InternalError("a tree of more than 2^64 leaves");
    std::vector<Hash>& row = rows_[level];
    row.push_back(hash);
    const uint64_t index = next_index_[level];
    const uint16_t width = TileWidth(static_cast<uint8_t>(level), index, tree_size_);
    if (row.size() < width) return absl::OkStatus();
    next_index_[level]++;
    std::vector<Hash> complete;
    complete.swap(row);
    row.reserve(kTileWidth);
    return CheckTile(static_cast<uint8_t>(level), index, std::move(complete));
  }

  LogFetcher& fetcher_;
  const uint64_t tree_size_;
  uint64_t tiles_ = 0;
  // rows_[L]: the recomputed bottom row of the next tile of level L >= 1, as far as known.
  std::array<std::vector<Hash>, kLevels> rows_;
  std::array<uint64_t, kLevels> next_index_{};
  // partial_rows_[L]: the checked bottom row of level L's partial tile.
  std::array<std::vector<Hash>, kLevels> partial_rows_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpLogFetcher>> HttpLogFetcher::Create(
    absl::string_view url, const api::HttpClient::Options& options) {
  absl::StatusOr<std::unique_ptr<api::HttpClient>> client = api::HttpClient::Create(url, options);
  if (!client.ok()) return client.status();
  return std::unique_ptr<HttpLogFetcher>(new HttpLogFetcher(*std::move(client)));
}

absl::StatusOr<std::string> HttpLogFetcher::Get(absl::string_view target) {
  absl::StatusOr<api::HttpResponse> response =
      client_->Send("GET", target, "", {{"Accept", api::kProtobufType}});
  if (!response.ok()) return response.status();
  if (response->status != 200) return FetchError(target, *response);
  return std::move(response->body);
}

absl::Status FetchError(absl::string_view target, const api::HttpResponse& response) {
  absl::Status status = api::StatusFromResponse(response);
  std::string message = absl::StrCat("GET ", target, ": ", status.message());
  if (response.status == 404) return absl::NotFoundError(message);
  return absl::UnavailableError(message);
}

absl::StatusOr<std::vector<Hash>> FetchTile(LogFetcher& fetcher, const TileId& tile) {
  const std::string path = TilePath(tile);
  absl::StatusOr<std::string> data = fetcher.Get(absl::StrCat("/", path));
  uint16_t served_width = tile.width;
  if (absl::IsNotFound(data.status()) && !tile.is_full()) {
    absl::StatusOr<std::string> full =
        fetcher.Get(absl::StrCat("/", TilePath({tile.level, tile.index, kTileWidth})));
    if (full.ok()) {
      data = std::move(full);
      served_width = kTileWidth;
    }
  }
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<Hash>> hashes = ParseTileData(*data, served_width);
  if (!hashes.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", hashes.status().message()));
  }
  hashes->resize(tile.width);
  return hashes;
}

absl::StatusOr<std::vector<std::string>> FetchBundle(LogFetcher& fetcher,
                                                     const EntryBundleId& bundle) {
  const std::string path = EntryBundlePath(bundle);
  absl::StatusOr<std::string> data = fetcher.Get(absl::StrCat("/", path));
  uint16_t served_width = bundle.width;
  if (absl::IsNotFound(data.status()) && !bundle.is_full()) {
    absl::StatusOr<std::string> full =
        fetcher.Get(absl::StrCat("/", EntryBundlePath({bundle.index, kTileWidth})));
    if (full.ok()) {
      data = std::move(full);
      served_width = kTileWidth;
    }
  }
  if (!data.ok()) return data.status();
  absl::StatusOr<std::vector<std::string>> entries = ParseEntryBundle(*data, served_width);
  if (!entries.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", entries.status().message()));
  }
  entries->resize(bundle.width);
  return entries;
}

absl::StatusOr<VerifiedCheckpoint> FetchCheckpoint(LogFetcher& fetcher,
                                                   const NoteVerifier& log_key) {
  absl::StatusOr<std::string> note = fetcher.Get("/checkpoint");
  if (absl::IsNotFound(note.status())) {
    return absl::UnavailableError(
        absl::StrCat(note.status().message(), " (is the URL the log's?)"));
  }
  if (!note.ok()) return note.status();
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(*note, log_key);
  if (!checkpoint.ok()) {
    return absl::Status(checkpoint.status().code(),
                        absl::StrCat("checkpoint: ", checkpoint.status().message()));
  }
  return VerifiedCheckpoint{*std::move(checkpoint), *std::move(note)};
}

absl::StatusOr<std::string> FetchVerifierKey(LogFetcher& fetcher) {
  absl::StatusOr<std::string> answer = fetcher.Get("/v1/log");
  if (absl::IsNotFound(answer.status())) return absl::UnavailableError(answer.status().message());
  if (!answer.ok()) return answer.status();
  api::LogInfo info;
  if (!info.ParseFromString(*answer) || info.verifier_key().empty()) {
    return absl::InvalidArgumentError("GET /v1/log: the answer is not a LogInfo with a key");
  }
  return info.verifier_key();
}

absl::StatusOr<std::vector<Hash>> FetchConsistencyProof(LogFetcher& fetcher, uint64_t from,
                                                        uint64_t to) {
  absl::StatusOr<std::string> answer =
      fetcher.Get(absl::StrCat("/v1/proof/consistency?from=", from, "&to=", to));
  if (!answer.ok()) return answer.status();
  api::ConsistencyProof message;
  if (!message.ParseFromArray(answer->data(), static_cast<int>(answer->size()))) {
    return absl::InvalidArgumentError("the consistency proof answer is not a ConsistencyProof");
  }
  if (message.from() != from || message.to() != to) {
    return absl::InvalidArgumentError(absl::StrCat("the consistency proof is from size ",
                                                   message.from(), " to ", message.to(),
                                                   ", want from ", from, " to ", to));
  }
  std::vector<Hash> proof;
  for (int i = 0; i < message.proof_size(); ++i) {
    absl::StatusOr<Hash> hash =
        AnswerHash(message.proof(i), absl::StrCat("consistency proof hash ", i));
    if (!hash.ok()) return hash.status();
    proof.push_back(*hash);
  }
  return proof;
}

absl::StatusOr<std::vector<Hash>> ParseInclusionAnswer(uint64_t index, uint64_t size,
                                                       const Hash& leaf_hash,
                                                       absl::string_view answer) {
  api::InclusionProof message;
  if (!message.ParseFromArray(answer.data(), static_cast<int>(answer.size()))) {
    return absl::InvalidArgumentError("the inclusion proof answer is not an InclusionProof");
  }
  if (message.index() != index || message.tree_size() != size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the inclusion proof is for index ", message.index(), " in tree size ",
        message.tree_size(), ", want index ", index, " in tree size ", size));
  }
  if (!message.leaf_hash().empty() && message.leaf_hash() != HashBytes(leaf_hash)) {
    return absl::InvalidArgumentError("the inclusion proof names another leaf hash");
  }
  std::vector<Hash> proof;
  for (int i = 0; i < message.proof_size(); ++i) {
    absl::StatusOr<Hash> hash = AnswerHash(message.proof(i), absl::StrCat("proof hash ", i));
    if (!hash.ok()) return hash.status();
    proof.push_back(*hash);
  }
  return proof;
}

absl::StatusOr<ProvedEntry> VerifyInclusionAnswer(const Checkpoint& checkpoint, uint64_t index,
                                                  absl::string_view entry,
                                                  absl::string_view proof_answer) {
  ProvedEntry proved;
  proved.index = index;
  proved.tree_size = checkpoint.size;
  proved.entry = std::string(entry);
  proved.leaf_hash = HashLeaf(entry);
  proved.root = checkpoint.root;
  absl::StatusOr<std::vector<Hash>> proof =
      ParseInclusionAnswer(index, checkpoint.size, proved.leaf_hash, proof_answer);
  if (!proof.ok()) return proof.status();
  proved.proof = *std::move(proof);
  absl::Status status =
      VerifyInclusion(index, checkpoint.size, proved.leaf_hash, proved.proof, checkpoint.root);
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat("inclusion proof of entry ", index, ": ",
                                                    status.message()));
  }
  return proved;
}

absl::StatusOr<ProvedEntry> FetchAndVerifyInclusion(LogFetcher& fetcher,
                                                    const Checkpoint& checkpoint,
                                                    uint64_t index) {
  if (index >= checkpoint.size) {
    return absl::OutOfRangeError(
        absl::StrCat("index ", index, " is past the checkpoint's tree size ", checkpoint.size));
  }
  absl::StatusOr<std::string> entry = fetcher.Get(absl::StrCat("/v1/entries/", index));
  if (!entry.ok()) return entry.status();
  absl::StatusOr<std::string> answer = fetcher.Get(
      absl::StrCat("/v1/proof/inclusion?index=", index, "&size=", checkpoint.size));
  if (!answer.ok()) return answer.status();
  return VerifyInclusionAnswer(checkpoint, index, *entry, *answer);
}

absl::StatusOr<Receipt> VerifyAppendAnswer(absl::string_view json_answer, absl::string_view entry,
                                           const NoteVerifier& log_key) {
  api::AppendResponse message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json_answer.data(), json_answer.size()), &message, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the answer is not an AppendResponse: ", parsed.message().as_string()));
  }
  const Hash leaf_hash = HashLeaf(entry);
  if (message.leaf_hash() != HashBytes(leaf_hash)) {
    absl::StatusOr<Hash> got = AnswerHash(message.leaf_hash(), "leafHash");
    return absl::InvalidArgumentError(
        absl::StrCat("leafHash: got ", got.ok() ? HashToBase64(*got) : "a malformed hash",
                     ", want ", HashToBase64(leaf_hash)));
  }
  if (message.receipt().empty()) return absl::InvalidArgumentError("the answer has no receipt");
  absl::StatusOr<Receipt> receipt = ParseReceipt(message.receipt());
  if (!receipt.ok()) {
    return absl::Status(receipt.status().code(),
                        absl::StrCat("receipt: ", receipt.status().message()));
  }
  if (receipt->index != message.index()) {
    return absl::InvalidArgumentError(absl::StrCat("receipt index: got ", receipt->index,
                                                   ", want the answer's ", message.index()));
  }
  absl::Status status = VerifyReceipt(*receipt, entry, log_key);
  if (!status.ok()) return status;
  absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(receipt->checkpoint, log_key);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->size != message.tree_size()) {
    return absl::InvalidArgumentError(absl::StrCat("receipt tree size: got ", checkpoint->size,
                                                   ", want the answer's ", message.tree_size()));
  }
  return receipt;
}

absl::StatusOr<AuditResult> AuditLog(LogFetcher& fetcher, const Checkpoint& checkpoint,
                                     const AuditOptions& options) {
  const uint64_t size = checkpoint.size;
  AuditResult result;
  TileAuditor auditor(fetcher, size);
  const uint64_t bundles = (size + kTileWidth - 1) / kTileWidth;
  auto report = [&] {
    if (!options.progress) return;
    options.progress(AuditProgress{size, result.entries, result.bundles, auditor.tiles()});
  };
  for (uint64_t index = 0; index < bundles; ++index) {
    const uint16_t width = TileWidth(0, index, size);
    absl::StatusOr<std::vector<std::string>> entries =
        FetchBundle(fetcher, EntryBundleId{index, width});
    if (!entries.ok()) return entries.status();
    result.bundles++;
    std::vector<Hash> leaf_hashes;
    leaf_hashes.reserve(width);
    for (const std::string& entry : *entries) leaf_hashes.push_back(HashLeaf(entry));
    if (absl::Status s = auditor.CheckTile(0, index, std::move(leaf_hashes)); !s.ok()) return s;
    result.entries += width;
    if (options.progress_every_bundles != 0 &&
        result.bundles % options.progress_every_bundles == 0) {
      report();
    }
  }
  absl::StatusOr<Hash> root = auditor.Root();
  if (!root.ok()) return root.status();
  if (*root != checkpoint.root) {
    return absl::DataLossError(absl::StrCat("root of tree size ", size, " from the tiles: got ",
                                            HashToBase64(*root), ", want the checkpoint's ",
                                            HashToBase64(checkpoint.root)));
  }
  uint64_t want_tiles = 0;
  for (const LevelTiles& level : TilesForSize(size)) want_tiles += level.tile_count();
  if (auditor.tiles() != want_tiles) {
    return absl::InternalError(absl::StrCat("checked ", auditor.tiles(), " tiles, want ",
                                            want_tiles));
  }
  result.tiles = auditor.tiles();
  result.root = *root;
  report();
  return result;
}

}  // namespace cli
}  // namespace vellum
