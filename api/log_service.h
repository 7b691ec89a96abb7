#ifndef VELLUM_API_LOG_SERVICE_H_
#define VELLUM_API_LOG_SERVICE_H_

#include <atomic>
#include <string>
#include <vector>

#include "api/http.h"
#include "api/http_server.h"
#include "ledger/identity/quota.h"
#include "api/witness_collector.h"
#include "ledger/index_follower.h"
#include "ledger/leaf_index.h"
#include "ledger/prover.h"
#include "ledger/receipt_prover.h"
#include "ledger/metrics/metrics.h"
#include "ledger/sequencer.h"
#include "ledger/storage.h"
#include "ledger/tile_cache.h"

namespace vellum {
namespace api {

// The HTTP endpoints of a log (docs/api.md): the c2sp.org/tlog-tiles static API, appends with
// optional receipts, dynamic proofs, entries, log information, health and metrics. Handlers are
// thin: they parse, call the ledger and encode; the Authorizer in front of the service has
// checked the caller's permission. Thread-safe.
class LogService {
 public:
  struct Options {
    // The most entries one batch request may carry.
    size_t max_batch_request_entries = 10000;
    // Threads that finish appends (receipts) off the sequencer's writer thread.
    int worker_threads = 2;
    // Expanded tiles shared by every proof and receipt; nullptr expands them per request.
    ledger::TileCache* tile_cache = nullptr;
    // Look-ups by leaf hash; nullptr searches the tiles alone, which only suits small logs
    // (ledger::ProverOptions::max_leaf_scan).
    const ledger::LeafHashIndex* leaf_index = nullptr;
    // The follower that feeds leaf_index, for /metrics; may be nullptr.
    const ledger::IndexFollower* index_follower = nullptr;
    // The log's typed_from (ledger::LocalLog::typed_from()), served by /v1/log.
    uint64_t typed_from = 0;
    // When set, /checkpoint serves the newest checkpoint that met the witness policy, with its
    // cosignatures, and receipts may wait for one (?witnessed=1). Not owned.
    WitnessCollector* witnesses = nullptr;
    // Quotas per principal on appends; nullptr for none. Not owned.
    ledger::identity::Quotas* quotas = nullptr;
    // More of /metrics: the HTTP server's own counters, which it keeps; may be empty.
    std::function<void(std::string*)> more_metrics;
    // The log's minimum index (LogInfo.minimum_index): entry bundles below it and entries below
    // it are answered 404. Empty: 0.
    std::function<uint64_t()> minimum_index;
  };

  // `sequencer` and `storage` must outlive the service.
  LogService(ledger::Sequencer* sequencer, const ledger::LogReader* storage,
             std::string verifier_key, const Options& options);

  LogService(const LogService&) = delete;
  LogService& operator=(const LogService&) = delete;

  // Handles one request; `respond` may be called on another thread.
  void Handle(HttpRequest request, HttpServer::Respond respond);

 private:
  // `path` and `query` are request.target's parts (SplitTarget).
  void Route(const HttpRequest& request, absl::string_view path, absl::string_view query,
             const HttpServer::Respond& respond);
  HttpResponse GetCheckpoint() const;
  HttpResponse GetTile(absl::string_view path) const;
  HttpResponse GetEntryBundle(absl::string_view path) const;
  void PostEntry(const HttpRequest& request, absl::string_view query,
                 const HttpServer::Respond& respond);
  void PostEntries(const HttpRequest& request, const HttpServer::Respond& respond);
  HttpResponse GetInclusionProof(const HttpRequest& request, absl::string_view query) const;
  HttpResponse GetConsistencyProof(const HttpRequest& request, absl::string_view query) const;
  HttpResponse GetEntry(absl::string_view index) const;
  HttpResponse GetLogInfo(const HttpRequest& request) const;
  uint64_t MinimumIndex() const {
    return options_.minimum_index ? options_.minimum_index() : 0;
  }
  HttpResponse GetMetrics() const;

  // Answers an append that asked for a receipt once its entry is proved in `head`'s tree.
  void AddReceipt(uint64_t index, const Hash& leaf_hash,
                  std::shared_ptr<const ledger::LogHead> head, bool duplicate, bool protobuf,
                  HttpServer::Respond respond);

  ledger::Sequencer* const sequencer_;
  const ledger::LogReader* const storage_;
  const ledger::Prover prover_;
  const std::string verifier_key_;
  const Options options_;

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> client_errors_{0};
  std::atomic<uint64_t> server_errors_{0};
  ledger::Histogram request_seconds_{ledger::Histogram::LatencyBounds()};

  // Last, so that it is destroyed first: it runs the receipts still queued.
  ledger::ReceiptProver receipts_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_LOG_SERVICE_H_
