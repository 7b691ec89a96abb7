#ifndef VELLUM_API_WITNESS_COLLECTOR_H_
#define VELLUM_API_WITNESS_COLLECTOR_H_

// The log's side of c2sp.org/tlog-witness: a background thread that sends the log's newest
// checkpoint to every configured witness with a consistency proof from the size that witness
// last cosigned, and publishes the newest checkpoint that at least `quorum` witnesses cosigned,
// with their cosignatures after the log's own signature. Appends never wait for it: a slow,
// unreachable or misbehaving witness only delays the published checkpoint, and shows in
// Status() and the metrics. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/client/http_client.h"
#include "api/tls/context.h"
#include "ledger/prover.h"
#include "ledger/sequencer.h"
#include "proof/note.h"

namespace vellum {
namespace api {

// What the log knows about one witness.
struct WitnessStatus {
  std::string name;         // The witness key's name.
  std::string url;
  uint64_t cosigned_size = 0;  // The size of the last checkpoint it cosigned for us.
  bool healthy = false;        // Its last exchange gave a cosignature.
  std::string last_error;      // Empty when healthy.
  uint64_t cosignatures = 0;   // Cosignatures received since start.
  uint64_t failures = 0;       // Failed exchanges since start.
};

class WitnessCollector {
 public:
  struct Witness {
    std::string url;  // http://HOST:PORT[/PREFIX], the submission prefix.
    std::unique_ptr<NoteVerifier> key;  // A cosigner key (type 0x04).
  };
  struct Options {
    size_t quorum = 1;  // 1 to the number of witnesses.
    // Rounds start at most this often, and only when the log has grown.
    absl::Duration interval = absl::Seconds(1);
    absl::Duration timeout = absl::Seconds(10);  // Per witness exchange.
    tls::ClientOptions tls;  // For https:// witnesses.
  };

  // Whether Start() would accept `witnesses` and `options` (keys, quorum, URLs), without
  // starting anything, so that a server can refuse bad flags before it creates anything.
  static absl::Status Check(const std::vector<Witness>& witnesses, const Options& options);

  // Starts the collector thread, after Check(). `sequencer` and `storage` must outlive it.
  static absl::StatusOr<std::unique_ptr<WitnessCollector>> Start(
      const ledger::Sequencer* sequencer, const ledger::LogReader* storage,
      std::vector<Witness> witnesses, const Options& options);
  // Stops the thread; pending and later waiters get Unavailable. Idempotent. Call it before the
  // sequencer goes away, since the thread reads the sequencer's head.
  void Stop();
  ~WitnessCollector();

  WitnessCollector(const WitnessCollector&) = delete;
  WitnessCollector& operator=(const WitnessCollector&) = delete;

  // The newest tree whose checkpoint met the policy, or nullptr if none has yet. Its
  // `checkpoint` note carries the log's signature first, then the cosignatures.
  std::shared_ptr<const ledger::LogHead> Published() const;

  // Calls `done` once a published checkpoint covers `size` leaves, with that checkpoint; or with
  // DeadlineExceeded at `deadline`; or with Unavailable if the collector stops first. `done`
  // runs on the collector's thread (or the caller's, when the answer is already known) and must
  // be quick.
  using Done = std::function<void(absl::StatusOr<std::shared_ptr<const ledger::LogHead>>)>;
  void WhenCovered(uint64_t size, absl::Time deadline, Done done);

  std::vector<WitnessStatus> Status() const;
  size_t quorum() const { return options_.quorum; }

  // Prometheus text: per-witness cosigned size, health and counters, and the published size.
  void RenderMetrics(std::string* out) const;

 private:
  struct Peer;
  struct Waiter {
    uint64_t size;
    absl::Time deadline;
    Done done;
  };

  WitnessCollector(const ledger::Sequencer* sequencer, const ledger::LogReader* storage,
                   std::vector<std::unique_ptr<Peer>> peers, const Options& options);

  void Run();
  // Sends `head` to every witness at once; returns the cosignatures received.
  std::vector<NoteSignature> Round(const ledger::LogHead& head);
  // One witness's add-checkpoint exchange, with one retry after a 409.
  absl::StatusOr<NoteSignature> Submit(Peer& peer, const ledger::LogHead& head);
  void Publish(std::shared_ptr<const ledger::LogHead> checkpoint);
  void ExpireWaiters(absl::Time now);

  const ledger::Sequencer* const sequencer_;
  const ledger::Prover prover_;
  const std::vector<std::unique_ptr<Peer>> peers_;
  const Options options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const ledger::LogHead> published_ ABSL_GUARDED_BY(mu_);
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_WITNESS_COLLECTOR_H_
