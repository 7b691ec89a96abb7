// Feeds arbitrary bytes as a log server's answers through the client's parsers: the first input
// byte picks the answer (a tile or entry bundle read through api::HttpLogReader by the full
// audit, /checkpoint, an inclusion or consistency proof, /v1/log, or the JSON answer of an
// append), the second picks which tile or bundle, the rest is the body. A tile or bundle that
// differs from the real one must fail the audit with DataLoss; nothing may crash.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "api/client/http_log_reader.h"
#include "api/client/log_client.h"
#include "ledger/log_audit.h"
#include "ledger/memory_storage.h"
#include "ledger/sequencer.h"
#include "proof/checkpoint.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/tile.h"

namespace vellum {
namespace {

// A log of 600 entries in memory, its checkpoint, and the request targets of its tiles and
// bundles; built once.
struct ClientLog {
  ClientLog() {
    GeneratedKey key = *GenerateNoteKey("fuzz.example/log");
    signer = *NoteSigner::Create(key.signer_key);
    verifier = *NoteVerifier::Create(key.verifier_key);
    std::unique_ptr<ledger::Sequencer> sequencer =
        *ledger::Sequencer::Create(&storage, signer.get(), {});
    std::vector<std::string> entries;
    for (int i = 0; i < 600; ++i) entries.push_back(absl::StrCat("entry ", i));
    if (!sequencer->Append(entries).ok()) __builtin_trap();
    note = sequencer->Head()->checkpoint;
    checkpoint = *OpenCheckpoint(note, *verifier);
    for (const LevelTiles& level : TilesForSize(600)) {
      for (uint64_t n = 0; n < level.tile_count(); ++n) {
        const TileId tile{level.level, n, TileWidth(level.level, n, 600)};
        targets.push_back("/" + TilePath(tile));
        if (level.level == 0) targets.push_back("/" + EntryBundlePath({n, tile.width}));
      }
    }
  }

  ledger::MemoryStorage storage;
  std::unique_ptr<NoteSigner> signer;
  std::unique_ptr<NoteVerifier> verifier;
  std::string note;
  Checkpoint checkpoint;
  std::vector<std::string> targets;
};

const ClientLog& Log() {
  static const ClientLog* log = new ClientLog();
  return *log;
}

// Serves the log's real answers, except `body` for `target`.
class FuzzFetcher : public api::LogFetcher {
 public:
  FuzzFetcher(const ClientLog& log, std::string target, absl::string_view body)
      : log_(log), target_(std::move(target)), body_(body) {}

  absl::StatusOr<std::string> Get(absl::string_view target) override {
    if (target == target_) return std::string(body_);
    if (target == "/checkpoint") return log_.note;
    absl::string_view path = target.substr(1);
    if (absl::StatusOr<EntryBundleId> bundle = ParseEntryBundlePath(path); bundle.ok()) {
      return log_.storage.ReadEntryBundle(*bundle);
    }
    if (absl::StatusOr<TileId> tile = ParseTilePath(path); tile.ok()) {
      return log_.storage.ReadTile(*tile);
    }
    return absl::NotFoundError(absl::StrCat("GET ", target, ": HTTP 404"));
  }

 private:
  const ClientLog& log_;
  const std::string target_;
  const absl::string_view body_;
};

// The real answer for one of the log's tile or bundle targets.
std::string Real(const ClientLog& log, const std::string& target) {
  FuzzFetcher fetcher(log, "", "");
  return *fetcher.Get(target);
}

}  // namespace
}  // namespace vellum

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vellum;  // NOLINT: a fuzz entry point.
  if (size < 2) return 0;
  const ClientLog& log = Log();
  const absl::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  switch (data[0] % 6) {
    case 0: {  // A tile or entry bundle, read by the audit.
      const std::string& target = log.targets[data[1] % log.targets.size()];
      FuzzFetcher fetcher(log, target, body);
      api::HttpLogReader reader(fetcher);
      absl::StatusOr<ledger::AuditResult> result = ledger::AuditLog(reader, log.checkpoint, {});
      if (result.ok() != (body == Real(log, target))) __builtin_trap();
      if (result.ok() && result->root != log.checkpoint.root) __builtin_trap();
      if (!result.ok() && !absl::IsDataLoss(result.status())) __builtin_trap();
      break;
    }
    case 1: {  // /checkpoint, unverified and verified.
      FuzzFetcher fetcher(log, "/checkpoint", body);
      api::HttpLogReader reader(fetcher);
      absl::StatusOr<std::pair<uint64_t, std::string>> read = reader.ReadCheckpoint();
      if (read.ok() && read->second != body) __builtin_trap();
      absl::StatusOr<api::VerifiedCheckpoint> verified =
          api::FetchCheckpoint(fetcher, *log.verifier);
      if (verified.ok() && (!read.ok() || verified->checkpoint.size != read->first)) {
        __builtin_trap();
      }
      break;
    }
    case 2: {  // An inclusion proof of leaf 7 at the log's size.
      absl::StatusOr<api::ProvedEntry> proved =
          api::VerifyInclusionAnswer(log.checkpoint, 7, "entry 7", body);
      if (proved.ok() && proved->root != log.checkpoint.root) __builtin_trap();
      break;
    }
    case 3: {  // A consistency proof from 300 to 600.
      FuzzFetcher fetcher(log, "/v1/proof/consistency?from=300&to=600", body);
      (void)api::FetchConsistencyProof(fetcher, 300, 600);
      break;
    }
    case 4: {  // /v1/log.
      FuzzFetcher fetcher(log, "/v1/log", body);
      absl::StatusOr<std::string> key = api::FetchVerifierKey(fetcher);
      if (key.ok() && key->empty()) __builtin_trap();
      break;
    }
    case 5: {  // The JSON answer of an append with a receipt.
      (void)api::VerifyAppendAnswer(body, "entry 599", *log.verifier);
      break;
    }
  }
  return 0;
}
