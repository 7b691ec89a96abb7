// Drives every endpoint of api::LogService directly, without HTTP parsing: the first bytes pick
// the method, the endpoint and the headers; the rest is the path suffix, query string or body.
// Besides raw parameters, some endpoints get structured ones (indices and sizes near the tree's
// size, leaf hashes of real entries, tile paths that exist) so that the success paths are
// reached as often as the error paths.
//
// The service runs over a real ledger::Sequencer and an in-memory ledger::LogStorage with a
// fixed test key, created once and pre-filled with kInitialEntries entries in batches of growing
// size. Appends require a bearer token. They are taken until the log holds kMaxLogSize entries,
// then skipped, so the log (and memory) stays bounded.
//
// Invariants checked on every response:
//   * `respond` is called exactly once; the status is in 200..599 and never 5xx (storage is in
//     memory and cannot fail);
//   * errors are application/json with a one-line body {"error":"..."}\n holding a well-formed
//     JSON string (valid escapes, no raw control characters, valid UTF-8);
//   * 405 carries Allow; appends succeed only with the right token;
//   * successful answers are right: checkpoints verify with the log's key and match the head;
//     proofs verify against the roots the log had at those sizes; tiles and bundles have the
//     requested width and agree with each other; append answers and receipts verify.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/types/optional.h"
#include "api/http.h"
#include "api/log.pb.h"
#include "api/log_service.h"
#include "fuzz/fuzz_checks.h"
#include "fuzz/service_log.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/receipt.h"
#include "proof/tile.h"
#include "proof/verify.h"

namespace vellum {
namespace {

using fuzz::Check;
using fuzz::CheckOk;
using fuzz::CheckResponseShape;

constexpr char kToken[] = "fuzz-append-token-0123456789";
constexpr uint64_t kInitialEntries = 700;
constexpr uint64_t kMaxLogSize = 4000;

// Reads the input front to back; past the end everything is zero or empty.
class Input {
 public:
  Input(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }
  uint64_t Number() {
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n = n << 8 | Byte();
    return n;
  }
  // Up to the first newline (dropped), or everything.
  absl::string_view Line() {
    const size_t newline = rest_.find('\n');
    absl::string_view line = rest_.substr(0, newline);
    rest_.remove_prefix(newline == absl::string_view::npos ? rest_.size() : newline + 1);
    return line;
  }
  absl::string_view Rest() {
    absl::string_view rest = rest_;
    rest_ = absl::string_view();
    return rest;
  }

 private:
  absl::string_view rest_;
};

template <typename Message>
bool Decode(const api::HttpResponse& response, Message* message) {
  if (response.content_type == "application/x-protobuf") {
    return message->ParseFromString(response.body);
  }
  Check(response.content_type == "application/json", "an answer that is neither JSON nor proto");
  Check(absl::EndsWith(response.body, "\n"), "a JSON answer without a final newline");
  return google::protobuf::util::JsonStringToMessage(response.body, message).ok();
}

std::vector<Hash> Hashes(const google::protobuf::RepeatedPtrField<std::string>& bytes) {
  std::vector<Hash> hashes;
  for (const std::string& b : bytes) {
    absl::StatusOr<Hash> h = HashFromBytes(b);
    Check(h.ok(), "a proof hash that is not 32 bytes");
    hashes.push_back(*h);
  }
  return hashes;
}

// The log and its service, created once. Entry 650 repeats entry 3: look-ups by leaf hash
// must find the first.
fuzz::ServiceLog& Log() {
  static fuzz::ServiceLog* log = new fuzz::ServiceLog(
      {kToken, kInitialEntries,
       [](uint64_t i) { return absl::StrCat("entry ", i == 650 ? 3 : i); }});
  return *log;
}

enum Endpoint : uint8_t {
  kCheckpoint,
  kTile,
  kEntryBundle,
  kAppend,
  kAppendBatch,
  kEntry,
  kInclusion,
  kConsistency,
  kLogInfo,
  kHealth,
  kMetrics,
  kRawTarget,
  kInclusionByIndex,  // Structured from here on.
  kInclusionByLeafHash,
  kConsistencySizes,
  kTileAndBundle,
  kEndpointCount,
};

std::string Method(uint8_t b) {
  static const char* const kOthers[] = {"HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "get", ""};
  if (b % 16 < 9) return "GET";
  if (b % 16 < 13) return "POST";
  return kOthers[(b >> 4) % 7];
}

// A number in 0..limit, with the edges more likely than the middle.
uint64_t Near(uint64_t n, uint64_t limit) {
  switch (n % 8) {
    case 0: return 0;
    case 1: return limit;
    case 2: return limit > 0 ? limit - 1 : 0;
    default: return (n >> 3) % (limit + 1);
  }
}

// `queried_leaf` is the leaf_hash parameter of a structured query, and `leaf_index` the index of
// an entry with that hash, when the query took it from one.
void CheckInclusionAnswer(fuzz::ServiceLog& log, const api::HttpResponse& response,
                          absl::optional<Hash> queried_leaf, absl::optional<uint64_t> leaf_index) {
  api::InclusionProof message;
  Check(Decode(response, &message), "an inclusion proof answer that does not decode");
  Check(message.index() < message.tree_size(), "inclusion proof index past its size");
  Check(message.tree_size() <= log.size(), "inclusion proof past the committed size");
  Hash leaf = HashLeaf(log.Entry(message.index()));
  if (queried_leaf.has_value()) {
    Check(message.leaf_hash() == HashBytes(*queried_leaf), "answer for another leaf hash");
    Check(leaf == *queried_leaf, "the entry at the answered index has another leaf hash");
    Check(!leaf_index.has_value() || message.index() <= *leaf_index,
          "a look-up by leaf hash did not find the first entry with it");
  }
  std::vector<Hash> proof = Hashes(message.proof());
  if (const Hash* root = log.RootAt(message.tree_size())) {
    CheckOk(VerifyInclusion(message.index(), message.tree_size(), leaf, proof, *root),
            "served inclusion proof");
  } else {
    CheckOk(RootFromInclusionProof(message.index(), message.tree_size(), leaf, proof).status(),
            "served inclusion proof length");
  }
}

void CheckConsistencyAnswer(fuzz::ServiceLog& log, const api::HttpResponse& response) {
  api::ConsistencyProof message;
  Check(Decode(response, &message), "a consistency proof answer that does not decode");
  Check(message.from() <= message.to() && message.to() <= log.size(),
        "consistency proof sizes out of order");
  const Hash* root1 = log.RootAt(message.from());
  const Hash* root2 = log.RootAt(message.to());
  if (root1 != nullptr && root2 != nullptr) {
    CheckOk(VerifyConsistency(message.from(), message.to(), Hashes(message.proof()), *root1,
                              *root2),
            "served consistency proof");
  }
}

}  // namespace
}  // namespace vellum

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  vellum::fuzz::DisablePerInputLeakChecks(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum;  // NOLINT: a fuzz target's entry point.
  fuzz::ServiceLog& log = Log();
  Input in(data, size);
  api::HttpRequest request;
  request.method = Method(in.Byte());
  const uint8_t endpoint = in.Byte() % kEndpointCount;
  const uint8_t flags = in.Byte();
  const bool protobuf = flags & 1;
  const int auth = (flags >> 1) & 3;
  const int content_type = (flags >> 3) & 3;
  request.remote_address = "127.0.0.1";
  if (protobuf) request.headers["accept"] = "application/x-protobuf";
  switch (auth) {
    case 1: request.headers["authorization"] = absl::StrCat("Bearer ", kToken); break;
    case 2: request.headers["authorization"] = "Bearer not-the-token"; break;
    case 3: request.headers["authorization"] = absl::StrCat("Basic ", kToken); break;
    default: break;
  }
  static const char* const kContentTypes[] = {"application/json", "application/x-protobuf",
                                              "application/json; charset=utf-8", ""};
  if (content_type != 3) request.headers["content-type"] = kContentTypes[content_type];

  const uint64_t tree_size = log.size();
  absl::optional<Hash> queried_leaf;
  absl::optional<uint64_t> leaf_index;
  uint16_t tile_width = 0;
  switch (endpoint) {
    case kCheckpoint: request.target = "/checkpoint"; break;
    case kTile: request.target = absl::StrCat("/tile/", in.Rest()); break;
    case kEntryBundle: request.target = absl::StrCat("/tile/entries/", in.Rest()); break;
    case kAppend:
      request.target = absl::StrCat("/v1/entries?", in.Line());
      request.body = std::string(in.Rest());
      break;
    case kAppendBatch:
      request.target = "/v1/entries:batch";
      request.body = std::string(in.Rest());
      break;
    case kEntry: request.target = absl::StrCat("/v1/entries/", in.Rest()); break;
    case kInclusion: request.target = absl::StrCat("/v1/proof/inclusion?", in.Rest()); break;
    case kConsistency: request.target = absl::StrCat("/v1/proof/consistency?", in.Rest()); break;
    case kLogInfo: request.target = "/v1/log"; break;
    case kHealth: request.target = "/healthz"; break;
    case kMetrics: request.target = "/metrics"; break;
    case kRawTarget:
      request.target = std::string(in.Line());
      request.body = std::string(in.Rest());
      break;
    case kInclusionByIndex: {
      const uint64_t index = Near(in.Number(), tree_size + 1);
      const uint64_t param = Near(in.Number(), tree_size + 1);
      request.target = absl::StrCat("/v1/proof/inclusion?index=", index);
      if (flags & 0x20) absl::StrAppend(&request.target, "&size=", param);
      break;
    }
    case kInclusionByLeafHash: {
      const uint64_t index = Near(in.Number(), tree_size);
      const uint64_t param = Near(in.Number(), tree_size + 1);
      Hash leaf{};
      if (index < tree_size) {
        leaf = HashLeaf(log.Entry(index));
        leaf_index = index;
      } else {
        absl::string_view bytes = in.Rest().substr(0, leaf.size());
        std::memcpy(leaf.data(), bytes.data(), bytes.size());
      }
      queried_leaf = leaf;
      std::string encoded = absl::WebSafeBase64Escape(HashBytes(leaf));  // Unpadded.
      if (flags & 0x40) encoded += "=";
      request.target = absl::StrCat("/v1/proof/inclusion?leaf_hash=", encoded);
      if (flags & 0x20) absl::StrAppend(&request.target, "&size=", param);
      break;
    }
    case kConsistencySizes: {
      const uint64_t from = Near(in.Number(), tree_size + 1);
      const uint64_t to = Near(in.Number(), tree_size + 1);
      request.target = absl::StrCat("/v1/proof/consistency?from=", from);
      if (flags & 0x20) absl::StrAppend(&request.target, "&to=", to);
      break;
    }
    case kTileAndBundle: {
      const uint8_t level = in.Byte() % 3;
      uint64_t hashes = tree_size;
      for (int i = 0; i < level; ++i) hashes /= 256;
      const uint64_t index = Near(in.Number(), hashes / 256 + 1);
      const uint8_t w = in.Byte();
      tile_width = w == 0 ? 256 : w;
      const TileId tile{level, index, tile_width};
      request.target = absl::StrCat("/", (flags & 0x20) != 0 && level == 0
                                             ? EntryBundlePath({index, tile_width})
                                             : TilePath(tile));
      break;
    }
    default: break;
  }
  const bool append = request.method == "POST" &&
                      (absl::StartsWith(request.target, "/v1/entries") || endpoint == kRawTarget);
  if (append && tree_size >= kMaxLogSize) return 0;

  const bool good_token = auth == 1;
  const api::HttpResponse response = log.Call(request);  // A copy: `request` stays for checks.
  const std::string& body = request.body;
  if (std::getenv("FUZZ_VERBOSE") != nullptr) {
    std::fprintf(stderr, "%s %s -> %d %s\n", request.method.c_str(),
                 absl::CHexEscape(request.target).c_str(), response.status,
                 absl::CHexEscape(response.body.substr(0, 300)).c_str());
  }

  // A credential that does not verify is refused, never taken for anonymous: every request
  // that carries one gets 401, reads included.
  const bool bad_credential = auth == 2 || auth == 3;
  Check(!bad_credential || response.status == 401, "a request with a bad credential got past");
  if (response.status != 200) {
    if (bad_credential) return 0;
    if (endpoint == kInclusionByIndex || endpoint == kConsistencySizes ||
        endpoint == kInclusionByLeafHash || endpoint == kTileAndBundle) {
      Check(request.method != "GET" || response.status == 400 || response.status == 404,
            "a structured query failed with an unexpected status");
    }
    return 0;
  }
  Check(!append || good_token, "an append without the right token succeeded");
  const absl::string_view path = api::SplitTarget(request.target).first;
  if (path == "/checkpoint") {
    absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(response.body, log.verifier());
    CheckOk(checkpoint.status(), "served checkpoint");
    Check(checkpoint->size == log.size(), "the checkpoint is not the latest");
    const Hash* root = log.RootAt(checkpoint->size);
    Check(root != nullptr && *root == checkpoint->root, "the checkpoint root is wrong");
  } else if (path == "/v1/proof/inclusion") {
    CheckInclusionAnswer(log, response, queried_leaf, leaf_index);
  } else if (path == "/v1/proof/consistency") {
    CheckConsistencyAnswer(log, response);
  } else if (path == "/v1/log") {
    api::LogInfo message;
    Check(Decode(response, &message), "a log info answer that does not decode");
    Check(message.size() <= log.size(), "log info past the committed size");
    const Hash* root = log.RootAt(message.size());
    Check(root != nullptr && message.root_hash() == HashBytes(*root), "log info root is wrong");
    Check(message.verifier_key() == log.verifier_key(), "log info names another key");
  } else if (path == "/v1/entries") {
    api::AppendResponse message;
    Check(Decode(response, &message), "an append answer that does not decode");
    Check(message.leaf_hash() == HashBytes(HashLeaf(body)), "append answer leaf hash");
    Check(message.index() < message.tree_size() && message.tree_size() <= log.size(),
          "append answer index and size");
    Check(log.Entry(message.index()) == body, "the appended entry is not at its index");
    if (!message.receipt().empty()) {
      absl::StatusOr<Receipt> receipt = ParseReceipt(message.receipt());
      CheckOk(receipt.status(), "served receipt");
      CheckOk(VerifyReceipt(*receipt, body, log.verifier()), "served receipt");
    }
  } else if (path == "/v1/entries:batch") {
    api::AppendBatchResponse message;
    Check(Decode(response, &message), "a batch answer that does not decode");
    Check(message.count() > 0 && message.first_index() + message.count() <= message.tree_size(),
          "batch answer indices");
  } else if (endpoint == kTileAndBundle) {
    Check(response.headers.size() == 1 && response.headers[0].first == "Cache-Control",
          "a tile or bundle without Cache-Control");
    absl::StatusOr<TileId> tile = ParseTilePath(path.substr(1));
    if (!tile.ok()) {
      CheckOk(ParseEntryBundle(response.body, tile_width).status(), "served entry bundle");
    } else {
      Check(response.body.size() == 32u * tile_width, "a tile of the wrong width");
      if (tile->level == 0) {
        // The bundle of the same index and width holds the entries whose leaf hashes make up
        // the tile.
        api::HttpResponse bundle =
            log.Get(absl::StrCat("/", EntryBundlePath({tile->index, tile->width})));
        if (bundle.status == 200) {
          absl::StatusOr<std::vector<std::string>> entries =
              ParseEntryBundle(bundle.body, tile->width);
          CheckOk(entries.status(), "served entry bundle");
          for (size_t i = 0; i < entries->size(); ++i) {
            Check(absl::string_view(response.body).substr(32 * i, 32) ==
                      HashBytes(HashLeaf((*entries)[i])),
                  "a tile disagrees with its entry bundle");
          }
        }
      }
    }
  }
  return 0;
}
