#ifndef VELLUM_API_CLIENT_MONITOR_H_
#define VELLUM_API_CLIENT_MONITOR_H_

// `vellum monitor`: follows a log, verifies and mirrors everything its checkpoints commit to,
// and compares its view with other parties' (peer monitors, witnesses) to catch split views,
// writing offline-verifiable evidence (proof/evidence.h) when it can prove one.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "api/client/log_client.h"
#include "api/http.h"
#include "api/tls/context.h"
#include "ledger/mirror.h"
#include "proof/evidence.h"
#include "proof/note.h"

namespace vellum {
namespace api {

// Another party's view of the log: the checkpoint a peer monitor serves at /checkpoint, or the
// one a witness serves at /v1/witness/checkpoint?origin=....
struct Peer {
  std::string url;  // As configured, for messages.
  std::unique_ptr<LogFetcher> fetcher;
  std::string target;  // The request target of the checkpoint.
};

// Parses a peer URL: a base URL http://HOST:PORT[/PREFIX] means PREFIX/checkpoint; a URL whose
// path ends in "checkpoint" (with any query) is fetched as it is. Answers are limited to
// kMaxNoteSize bytes and 10 seconds. An https:// peer is verified with `tls`. InvalidArgument
// for a malformed URL or TLS files that cannot be loaded.
absl::StatusOr<Peer> OpenPeer(absl::string_view url, const tls::ClientOptions& tls = {});

struct MonitorOptions {
  std::string state_dir;                         // Holds the mirror (db/) and evidence files.
  const NoteVerifier* log_key = nullptr;         // Not owned.
  std::vector<const NoteVerifier*> witness_keys;  // Not owned.
  size_t min_witnesses = 0;                      // At most witness_keys.size().
};

// Something the monitor found wrong with what the log signed or served.
struct Finding {
  std::string message;
  // The evidence file when the finding proves a split view offline, else "".
  std::string evidence_path;
};

// What one round saw.
struct RoundResult {
  uint64_t tree_size = 0;             // The mirror's size after the round.
  std::vector<Finding> findings;      // Split views and inconsistencies.
  std::vector<std::string> undecided;  // Peer views that cannot be compared yet.
  std::vector<std::string> errors;    // Failed exchanges with the log or peers.

  // 1 if anything was found, else 2 if an exchange failed, else 0.
  int ExitCode() const;
};

// Health as /healthz and /metrics report it.
struct MonitorHealth {
  uint64_t rounds = 0;
  uint64_t tree_size = 0;
  uint64_t findings = 0;         // Distinct findings since start.
  uint64_t evidence_files = 0;   // Distinct evidence files written since start.
  uint64_t last_round_errors = 0;
  std::string last_finding;
};

// Runs monitor rounds over a ledger::Mirror in options.state_dir. Round() is called from one
// thread at a time; CheckpointNote() and Health() are thread-safe.
class Monitor {
 public:
  static absl::StatusOr<std::unique_ptr<Monitor>> Open(const MonitorOptions& options);

  // One round: fetches the log's checkpoint, verifies it (signature, witness policy), and
  // checks it against the mirror: the same size must have the same root; a smaller size must be
  // a prefix of the mirror; a larger one must come with a consistency proof that verifies, and
  // then the mirror is extended to it (Mirror::Extend, reading the log through an
  // HttpLogReader). Then compares each peer's checkpoint with the mirror's: same size and root,
  // or a prefix of the mirror, or (for a larger peer) a consistency proof from the log that
  // verifies. Split views are written as evidence files.
  RoundResult Round(LogFetcher& log, std::vector<Peer>& peers);

  // The latest verified checkpoint note ("" before the first), cosignatures included.
  std::string CheckpointNote() const;
  MonitorHealth Health() const;

  // Answers GET /checkpoint (404 before the first verified checkpoint), /healthz (200 "ok", or
  // 503 naming the last finding) and /metrics (Prometheus text).
  HttpResponse Serve(const HttpRequest& request) const;

 private:
  Monitor(MonitorOptions options, std::unique_ptr<ledger::Mirror> mirror);

  // Checks the log's verified `checkpoint` (signed note `note`) against the mirror and extends
  // the mirror to it.
  void CheckLog(LogFetcher& log, const Checkpoint& checkpoint, const std::string& note,
                RoundResult* result);
  // Compares a verified checkpoint no larger than the mirror's tree with the mirror: the same
  // size with another root, or a size whose root differs from the mirror's prefix, is a split
  // view reported as `what`. Returns false, comparing nothing, for a larger checkpoint.
  bool CompareWithMirror(const std::string& what, const Checkpoint& checkpoint,
                         const std::string& note, RoundResult* result);
  // Compares a peer's verified checkpoint with the mirror's.
  void CheckPeer(LogFetcher& log, const Peer& peer, const Checkpoint& checkpoint,
                 const std::string& note, RoundResult* result);
  // Verifies `evidence`, writes it to the state directory and records the finding.
  void Report(const std::string& what, const SplitViewEvidence& evidence, RoundResult* result);
  void Record(Finding finding, RoundResult* result);

  const MonitorOptions options_;
  std::unique_ptr<ledger::Mirror> mirror_;

  mutable absl::Mutex mu_;
  std::string note_ ABSL_GUARDED_BY(mu_);
  MonitorHealth health_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CLIENT_MONITOR_H_
