#include "api/client/monitor.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/client/http_log_reader.h"
#include "ledger/file_io.h"
#include "ledger/metrics/metrics.h"
#include "proof/cosigned_checkpoint.h"
#include "proof/crypto.h"
#include "proof/verify.h"

namespace vellum {
namespace api {
namespace {

// The log's own tree at size `m`, as its dynamic API tells it: the root (where the inclusion
// proof of leaf m-1 at size m leads) and the consistency proof from m to n. Requires 0 < m < n.
absl::StatusOr<ledger::PrefixProof> PrefixFromLog(LogFetcher& log, uint64_t m, uint64_t n) {
  absl::StatusOr<std::string> last = log.Get(absl::StrCat("/v1/entries/", m - 1));
  if (!last.ok()) return last.status();
  const Hash leaf_hash = HashLeaf(*last);
  absl::StatusOr<std::string> answer =
      log.Get(absl::StrCat("/v1/proof/inclusion?index=", m - 1, "&size=", m));
  if (!answer.ok()) return answer.status();
  absl::StatusOr<std::vector<Hash>> path = ParseInclusionAnswer(m - 1, m, leaf_hash, *answer);
  if (!path.ok()) return path.status();
  absl::StatusOr<Hash> root = RootFromInclusionProof(m - 1, m, leaf_hash, *path);
  if (!root.ok()) return root.status();
  absl::StatusOr<std::vector<Hash>> consistency = FetchConsistencyProof(log, m, n);
  if (!consistency.ok()) return consistency.status();
  return ledger::PrefixProof{m, *root, *std::move(consistency)};
}

// Evidence that the checkpoint of size prefix.size (note `smaller`) and the larger checkpoint
// (note `larger`) disagree, from the larger tree's prefix.
SplitViewEvidence PrefixEvidence(const std::string& smaller, const std::string& larger,
                                 ledger::PrefixProof prefix) {
  return SplitViewEvidence{smaller, larger, prefix.root, std::move(prefix.consistency)};
}

}  // namespace

int RoundResult::ExitCode() const {
  if (!findings.empty()) return 1;
  return errors.empty() ? 0 : 2;
}

absl::StatusOr<Peer> OpenPeer(absl::string_view url, const tls::ClientOptions& tls) {
  const size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) {
    return absl::InvalidArgumentError("peer URL: want http://HOST:PORT[/PATH]");
  }
  const size_t slash = url.find('/', scheme + 3);
  absl::string_view base = url;
  std::string target = "/checkpoint";
  if (slash != absl::string_view::npos) {
    absl::string_view rest = url.substr(slash);
    absl::string_view path = rest.substr(0, rest.find('?'));
    if (absl::EndsWith(path, "checkpoint")) {
      base = url.substr(0, slash);
      target = std::string(rest);
    }
  }
  HttpClient::Options options;
  options.timeout = absl::Seconds(10);
  options.max_response_bytes = kMaxNoteSize;
  options.tls = tls;
  absl::StatusOr<std::unique_ptr<HttpLogFetcher>> fetcher = HttpLogFetcher::Create(base, options);
  if (!fetcher.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("peer URL: ", fetcher.status().message()));
  }
  return Peer{std::string(url), *std::move(fetcher), std::move(target)};
}

absl::StatusOr<std::unique_ptr<Monitor>> Monitor::Open(const MonitorOptions& options) {
  if (options.log_key == nullptr) return absl::InvalidArgumentError("no log key");
  if (options.min_witnesses > options.witness_keys.size()) {
    return absl::InvalidArgumentError(absl::StrCat("--min-witnesses is ", options.min_witnesses,
                                                   ", want at most the ",
                                                   options.witness_keys.size(),
                                                   " witness keys"));
  }
  absl::StatusOr<std::unique_ptr<ledger::Mirror>> mirror =
      ledger::Mirror::Open(options.state_dir + "/db", *options.log_key);
  if (!mirror.ok()) return mirror.status();
  return std::unique_ptr<Monitor>(new Monitor(options, *std::move(mirror)));
}

Monitor::Monitor(MonitorOptions options, std::unique_ptr<ledger::Mirror> mirror)
    : options_(std::move(options)), mirror_(std::move(mirror)) {
  note_ = mirror_->note();
  health_.tree_size = mirror_->size();
}

std::string Monitor::CheckpointNote() const {
  absl::MutexLock lock(&mu_);
  return note_;
}

MonitorHealth Monitor::Health() const {
  absl::MutexLock lock(&mu_);
  return health_;
}

RoundResult Monitor::Round(LogFetcher& log, std::vector<Peer>& peers) {
  RoundResult result;
  absl::StatusOr<std::string> note = log.Get("/checkpoint");
  if (!note.ok()) {
    result.errors.push_back(absl::StrCat("the log: ", note.status().message()));
  } else {
    absl::StatusOr<CosignedCheckpoint> opened = OpenCosignedCheckpoint(
        *note, *options_.log_key, options_.witness_keys, options_.min_witnesses);
    if (!opened.ok()) {
      Record({absl::StrCat("the log's checkpoint does not verify: ", opened.status().message()),
              ""},
             &result);
    } else {
      CheckLog(log, opened->checkpoint, *note, &result);
    }
  }
  for (const Peer& peer : peers) {
    absl::StatusOr<std::string> peer_note = peer.fetcher->Get(peer.target);
    if (!peer_note.ok()) {
      result.errors.push_back(absl::StrCat("peer ", peer.url, ": ", peer_note.status().message()));
      continue;
    }
    absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(*peer_note, *options_.log_key);
    if (!checkpoint.ok()) {
      result.errors.push_back(absl::StrCat("peer ", peer.url, " serves a checkpoint that does not verify: ",
                                           checkpoint.status().message()));
      continue;
    }
    CheckPeer(log, peer, *checkpoint, *peer_note, &result);
  }
  result.tree_size = mirror_->size();
  absl::MutexLock lock(&mu_);
  note_ = mirror_->note();
  health_.rounds++;
  health_.tree_size = result.tree_size;
  health_.last_round_errors = result.errors.size();
  return result;
}

void Monitor::CheckLog(LogFetcher& log, const Checkpoint& checkpoint, const std::string& note,
                       RoundResult* result) {
  const Checkpoint ours = mirror_->checkpoint();
  const std::string our_note = mirror_->note();
  if (checkpoint.size == 0 && ours.size == 0) {
    if (checkpoint.root != ours.root) {
      Record({absl::StrCat("the log signed tree size 0 with root ", HashToBase64(checkpoint.root),
                           ", want the empty tree's ", HashToBase64(EmptyRoot())),
              ""},
             result);
    }
    return;
  }
  if (CompareWithMirror("the log's checkpoint", checkpoint, note, result)) return;
  std::vector<Hash> proof;
  if (ours.size > 0) {
    absl::StatusOr<std::vector<Hash>> fetched = FetchConsistencyProof(log, ours.size, checkpoint.size);
    if (!fetched.ok() && IsExchangeError(fetched.status())) {
      result->errors.push_back(absl::StrCat("the log: ", fetched.status().message()));
      return;
    }
    if (!fetched.ok()) {
      Record({absl::StrCat("the log's consistency proof from tree size ", ours.size, " to ",
                           checkpoint.size, ": ", fetched.status().message()),
              ""},
             result);
      return;
    }
    proof = *std::move(fetched);
  }
  absl::Status consistent = VerifyConsistency(ours.size, checkpoint.size, proof, ours.root, checkpoint.root);
  if (!consistent.ok()) {
    // The log's own account of its tree at our size may prove that it forked.
    absl::StatusOr<ledger::PrefixProof> theirs = PrefixFromLog(log, ours.size, checkpoint.size);
    if (theirs.ok() && theirs->root != ours.root &&
        VerifyConsistency(ours.size, checkpoint.size, theirs->consistency, theirs->root,
                          checkpoint.root)
            .ok()) {
      Report("the log's checkpoint", PrefixEvidence(our_note, note, *std::move(theirs)), result);
      return;
    }
    Record({absl::StrCat("the log's consistency proof from tree size ", ours.size, " to ",
                         checkpoint.size, " does not verify: ", consistent.message()),
            ""},
           result);
    return;
  }
  absl::Status extended = mirror_->Extend(HttpLogReader(log), checkpoint, note);
  if (extended.ok()) return;
  if (IsExchangeError(extended) || absl::IsInternal(extended)) {
    result->errors.push_back(absl::StrCat("extending the mirror to tree size ", checkpoint.size,
                                          ": ", extended.message()));
    return;
  }
  Record({absl::StrCat("the log's tree of size ", checkpoint.size,
                       " does not match what it serves: ", extended.message()),
          ""},
         result);
}

bool Monitor::CompareWithMirror(const std::string& what, const Checkpoint& checkpoint,
                                const std::string& note, RoundResult* result) {
  const Checkpoint& ours = mirror_->checkpoint();
  if (checkpoint.size > ours.size) return false;
  if (checkpoint.size == ours.size) {
    if (checkpoint.root != ours.root) {
      Report(what, SplitViewEvidence{mirror_->note(), note, {}, {}}, result);
    }
    return true;
  }
  absl::StatusOr<ledger::PrefixProof> prefix = mirror_->Prefix(checkpoint.size);
  if (!prefix.ok()) {
    result->errors.push_back(absl::StrCat("the mirror: ", prefix.status().message()));
  } else if (prefix->root != checkpoint.root) {
    Report(what, PrefixEvidence(note, mirror_->note(), *std::move(prefix)), result);
  }
  return true;
}

void Monitor::CheckPeer(LogFetcher& log, const Peer& peer, const Checkpoint& checkpoint,
                        const std::string& note, RoundResult* result) {
  const Checkpoint& ours = mirror_->checkpoint();
  const std::string what = absl::StrCat("peer ", peer.url);
  // The log's own size-0 checkpoint is checked in CheckLog.
  if (checkpoint.size == 0 && ours.size == 0) return;
  if (CompareWithMirror(what, checkpoint, note, result)) return;
  absl::Status consistent;
  if (ours.size == 0) {
    consistent = absl::FailedPreconditionError("the mirror is empty");
  } else {
    absl::StatusOr<std::vector<Hash>> proof =
        FetchConsistencyProof(log, ours.size, checkpoint.size);
    consistent = proof.ok() ? VerifyConsistency(ours.size, checkpoint.size, *proof, ours.root,
                                                checkpoint.root)
                            : proof.status();
  }
  if (consistent.ok()) return;
  result->undecided.push_back(absl::StrCat(
      what, " has tree size ", checkpoint.size, ", past the mirror's ", ours.size,
      ", and the log proves no consistency with it (", consistent.message(),
      "): undecided until the mirror reaches that size"));
}

void Monitor::Report(const std::string& what, const SplitViewEvidence& evidence,
                     RoundResult* result) {
  absl::StatusOr<SplitView> view = VerifyEvidence(evidence, *options_.log_key);
  if (!view.ok()) {
    // The checks above only report what the evidence proves; this is a bug.
    Record({absl::StrCat(what, ": inconsistent, but the evidence does not verify: ",
                         view.status().message()),
            ""},
           result);
    return;
  }
  const std::string text = FormatEvidence(evidence);
  const crypto::Sha256Digest digest = crypto::Sha256({text});
  const std::string path = absl::StrCat(
      options_.state_dir, "/evidence-",
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest.data()), 8)),
      ".txt");
  absl::Status written = ledger::WriteNewFile(path, text, 0644);
  if (!written.ok() && !absl::IsAlreadyExists(written)) {
    result->errors.push_back(absl::StrCat("writing evidence: ", written.message()));
  }
  Record({absl::StrCat("SPLIT VIEW: ", what, " and the mirror disagree: ", view->description),
          written.ok() || absl::IsAlreadyExists(written) ? path : ""},
         result);
}

void Monitor::Record(Finding finding, RoundResult* result) {
  {
    absl::MutexLock lock(&mu_);
    if (seen_.insert(finding.message).second) {
      health_.findings++;
      if (!finding.evidence_path.empty()) health_.evidence_files++;
    }
    health_.last_finding = finding.message;
  }
  result->findings.push_back(std::move(finding));
}

HttpResponse Monitor::Serve(const HttpRequest& request) const {
  if (request.method != "GET") return ErrorResponse(405, "only GET is supported");
  const absl::string_view path = SplitTarget(request.target).first;
  HttpResponse response;
  if (path == "/checkpoint") {
    std::string note = CheckpointNote();
    if (note.empty()) return ErrorResponse(404, "no verified checkpoint yet");
    response.body = std::move(note);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }
  const MonitorHealth health = Health();
  if (path == "/healthz") {
    if (health.findings == 0) {
      response.body = "ok\n";
    } else {
      response.status = 503;
      response.body = absl::StrCat(health.findings, " findings; the last: ", health.last_finding,
                                   "\n");
    }
    return response;
  }
  if (path == "/metrics") {
    response.content_type = "text/plain; version=0.0.4";
    std::string& out = response.body;
    ledger::RenderMetric("vellum_monitor_rounds_total", "counter", "Monitor rounds run.",
                         health.rounds, &out);
    ledger::RenderMetric("vellum_monitor_tree_size", "gauge",
                         "Tree size of the latest verified checkpoint.", health.tree_size, &out);
    ledger::RenderMetric("vellum_monitor_findings_total", "counter",
                         "Distinct split views and inconsistencies found.", health.findings, &out);
    ledger::RenderMetric("vellum_monitor_evidence_files_total", "counter",
                         "Distinct split-view evidence files written.", health.evidence_files,
                         &out);
    ledger::RenderMetric("vellum_monitor_last_round_errors", "gauge",
                         "Failed exchanges in the last round.", health.last_round_errors, &out);
    return response;
  }
  return ErrorResponse(404, "no such endpoint");
}

}  // namespace api
}  // namespace vellum
