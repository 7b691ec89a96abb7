#include "api/witness_collector.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ledger/metrics/metrics.h"
#include "proof/add_checkpoint.h"

namespace vellum {
namespace api {

// One witness: its fixed configuration, its connection (used by one round at a time), and what
// the log knows of it.
struct WitnessCollector::Peer {
  std::string url;
  std::unique_ptr<NoteVerifier> key;
  std::unique_ptr<HttpClient> client;

  mutable absl::Mutex mu;
  WitnessStatus status ABSL_GUARDED_BY(mu);
};

namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

}  // namespace

absl::Status WitnessCollector::Check(const std::vector<Witness>& witnesses,
                                     const Options& options) {
  if (witnesses.empty()) return absl::InvalidArgumentError("no witnesses");
  if (options.quorum < 1 || options.quorum > witnesses.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "witness quorum %d: want 1 to %d (the number of witnesses)", options.quorum,
        witnesses.size()));
  }
  for (size_t i = 0; i < witnesses.size(); ++i) {
    const Witness& witness = witnesses[i];
    if (witness.key == nullptr || witness.key->type() != kNoteSignatureTypeCosignatureV1) {
      return absl::InvalidArgumentError(
          absl::StrCat("witness ", witness.url, ": want a cosigner verifier key (type 0x04)"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (witnesses[j].key->name() == witness.key->name()) {
        return absl::InvalidArgumentError(
            absl::StrCat("witness ", witness.key->name(), " is configured twice"));
      }
    }
    if (absl::StatusOr<ServerUrl> url = ParseServerUrl(witness.url); !url.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("witness ", witness.url, ": ", url.status().message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WitnessCollector>> WitnessCollector::Start(
    const ledger::Sequencer* sequencer, const ledger::LogReader* storage,
    std::vector<Witness> witnesses, const Options& options) {
  if (absl::Status s = Check(witnesses, options); !s.ok()) return s;
  std::vector<std::unique_ptr<Peer>> peers;
  for (Witness& witness : witnesses) {
    HttpClient::Options client_options;
    client_options.timeout = options.timeout;
    client_options.max_response_bytes = kMaxAnswerBytes;
    client_options.tls = options.tls;
    absl::StatusOr<std::unique_ptr<HttpClient>> client =
        HttpClient::Create(witness.url, client_options);
    if (!client.ok()) return client.status();  // Check() parsed the URL already.
    auto peer = std::make_unique<Peer>();
    peer->url = witness.url;
    peer->key = std::move(witness.key);
    peer->client = *std::move(client);
    {
      absl::MutexLock lock(&peer->mu);
      peer->status.name = peer->key->name();
      peer->status.url = peer->url;
      peer->status.last_error = "no exchange yet";
    }
    peers.push_back(std::move(peer));
  }
  return std::unique_ptr<WitnessCollector>(
      new WitnessCollector(sequencer, storage, std::move(peers), options));
}

WitnessCollector::WitnessCollector(const ledger::Sequencer* sequencer,
                                   const ledger::LogReader* storage,
                                   std::vector<std::unique_ptr<Peer>> peers,
                                   const Options& options)
    : sequencer_(sequencer), prover_(*storage), peers_(std::move(peers)), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

WitnessCollector::~WitnessCollector() { Stop(); }

void WitnessCollector::Stop() {
  std::vector<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  {
    absl::MutexLock lock(&mu_);
    waiters.swap(waiters_);
  }
  for (Waiter& waiter : waiters) {
    waiter.done(absl::UnavailableError("the log is shutting down"));
  }
}

std::shared_ptr<const ledger::LogHead> WitnessCollector::Published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

void WitnessCollector::WhenCovered(uint64_t size, absl::Time deadline, Done done) {
  std::shared_ptr<const ledger::LogHead> ready;
  {
    absl::MutexLock lock(&mu_);
    if (published_ != nullptr && published_->size >= size) {
      ready = published_;
    } else if (!stopping_) {
      waiters_.push_back({size, deadline, std::move(done)});
      return;
    }
  }
  if (ready != nullptr) {
    done(ready);
  } else {
    done(absl::UnavailableError("the log is shutting down"));
  }
}

std::vector<WitnessStatus> WitnessCollector::Status() const {
  std::vector<WitnessStatus> out;
  for (const auto& peer : peers_) {
    absl::MutexLock lock(&peer->mu);
    out.push_back(peer->status);
  }
  return out;
}

void WitnessCollector::RenderMetrics(std::string* out) const {
  std::shared_ptr<const ledger::LogHead> published = Published();
  ledger::RenderMetric("vellum_witnessed_tree_size", "gauge",
                       "Size of the newest checkpoint that met the witness policy.",
                       published == nullptr ? uint64_t{0} : published->size, out);
  struct Series {
    const char* name;
    const char* type;
    const char* help;
    uint64_t (*value)(const WitnessStatus&);
  };
  static const Series kSeries[] = {
      {"vellum_witness_cosigned_size", "gauge", "Size of the last checkpoint the witness cosigned.",
       [](const WitnessStatus& s) { return s.cosigned_size; }},
      {"vellum_witness_healthy", "gauge", "1 if the last exchange with the witness succeeded.",
       [](const WitnessStatus& s) { return uint64_t{s.healthy}; }},
      {"vellum_witness_cosignatures_total", "counter", "Cosignatures received from the witness.",
       [](const WitnessStatus& s) { return s.cosignatures; }},
      {"vellum_witness_failures_total", "counter", "Failed exchanges with the witness.",
       [](const WitnessStatus& s) { return s.failures; }},
  };
  std::vector<WitnessStatus> statuses = Status();
  for (const Series& series : kSeries) {
    ledger::RenderMetricHeader(series.name, series.type, series.help, out);
    for (const WitnessStatus& s : statuses) {
      ledger::RenderLabeledSample(series.name, "witness", s.name, series.value(s), out);
    }
  }
}

void WitnessCollector::Run() {
  while (true) {
    absl::Time round_start = absl::Now();
    std::shared_ptr<const ledger::LogHead> head = sequencer_->Head();
    std::shared_ptr<const ledger::LogHead> published = Published();
    if (published == nullptr || published->size < head->size) {
      std::vector<NoteSignature> cosignatures = Round(*head);
      if (cosignatures.size() >= options_.quorum) {
        absl::StatusOr<std::string> note = AppendNoteSignatures(head->checkpoint, cosignatures);
        if (note.ok()) {
          auto witnessed = std::make_shared<ledger::LogHead>(*head);
          witnessed->checkpoint = *std::move(note);
          Publish(std::move(witnessed));
        }
      }
    }
    absl::Time next_round = round_start + options_.interval;
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      absl::Time wake = next_round;
      for (const Waiter& waiter : waiters_) wake = std::min(wake, waiter.deadline);
      mu_.AwaitWithDeadline(absl::Condition(&stopping_), wake);
      if (stopping_) break;
      mu_.Unlock();
      ExpireWaiters(absl::Now());
      mu_.Lock();
      if (absl::Now() >= next_round) break;
    }
    if (stopping_) return;
  }
}

std::vector<NoteSignature> WitnessCollector::Round(const ledger::LogHead& head) {
  std::vector<absl::StatusOr<NoteSignature>> results(peers_.size(),
                                                     absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < peers_.size(); ++i) {
    threads.emplace_back([this, i, &head, &results] {
      Peer& peer = *peers_[i];
      results[i] = Submit(peer, head);
      absl::MutexLock lock(&peer.mu);
      peer.status.healthy = results[i].ok();
      if (results[i].ok()) {
        peer.status.last_error.clear();
        ++peer.status.cosignatures;
      } else {
        peer.status.last_error = std::string(results[i].status().message());
        ++peer.status.failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<NoteSignature> cosignatures;
  for (absl::StatusOr<NoteSignature>& result : results) {
    if (result.ok()) cosignatures.push_back(*std::move(result));
  }
  return cosignatures;
}

absl::StatusOr<NoteSignature> WitnessCollector::Submit(Peer& peer, const ledger::LogHead& head) {
  for (int attempt = 0;; ++attempt) {
    uint64_t old_size;
    {
      absl::MutexLock lock(&peer.mu);
      old_size = peer.status.cosigned_size;
    }
    if (old_size > head.size) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "the witness cosigned size %d, larger than the log's %d: it has seen another tree",
          old_size, head.size));
    }
    std::vector<Hash> proof;
    if (old_size > 0) {
      absl::StatusOr<std::vector<Hash>> proved =
          prover_.ConsistencyProof(old_size, head.size, head.size);
      if (!proved.ok()) return proved.status();
      proof = *std::move(proved);
    }
    std::string body = FormatAddCheckpoint(old_size, proof, head.checkpoint);
    absl::StatusOr<HttpResponse> response =
        peer.client->Send("POST", "/add-checkpoint", body, {{"Content-Type", "text/plain"}});
    if (!response.ok()) return response.status();
    if (response->status == 200) {
      const NoteVerifier* keys[] = {peer.key.get()};
      absl::StatusOr<Note> note =
          OpenNote(absl::StrCat(NoteText(head.checkpoint), "\n", response->body), keys);
      if (!note.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("the witness answered without a valid cosignature: ",
                         note.status().message()));
      }
      absl::MutexLock lock(&peer.mu);
      peer.status.cosigned_size = head.size;
      return note->verified[0];
    }
    // The spec's type, with any parameters another witness may add.
    if (response->status == 409 && absl::StartsWith(response->content_type, "text/x.tlog.size")) {
      absl::StatusOr<uint64_t> size = ParseTlogSize(response->body);
      if (!size.ok()) return size.status();
      {
        absl::MutexLock lock(&peer.mu);
        peer.status.cosigned_size = *size;
      }
      if (attempt == 0 && *size != old_size) continue;
      return absl::FailedPreconditionError(absl::StrFormat(
          "the witness refuses the checkpoint of size %d: it holds another tree at size %d",
          head.size, *size));
    }
    return absl::UnavailableError(absl::StrFormat(
        "the witness answered HTTP %d: %s", response->status, BodyExcerpt(response->body, 160)));
  }
}

void WitnessCollector::Publish(std::shared_ptr<const ledger::LogHead> checkpoint) {
  std::vector<Waiter> ready;
  {
    absl::MutexLock lock(&mu_);
    published_ = checkpoint;
    auto covered = std::stable_partition(waiters_.begin(), waiters_.end(), [&](const Waiter& w) {
      return w.size > checkpoint->size;
    });
    ready.assign(std::make_move_iterator(covered), std::make_move_iterator(waiters_.end()));
    waiters_.erase(covered, waiters_.end());
  }
  for (Waiter& waiter : ready) waiter.done(checkpoint);
}

void WitnessCollector::ExpireWaiters(absl::Time now) {
  std::vector<Waiter> expired;
  {
    absl::MutexLock lock(&mu_);
    auto late = std::stable_partition(waiters_.begin(), waiters_.end(),
                                      [&](const Waiter& w) { return w.deadline > now; });
    expired.assign(std::make_move_iterator(late), std::make_move_iterator(waiters_.end()));
    waiters_.erase(late, waiters_.end());
  }
  for (Waiter& waiter : expired) {
    waiter.done(absl::DeadlineExceededError(absl::StrFormat(
        "no checkpoint of size %d or more met the witness policy (%d of %d) in time",
        waiter.size, options_.quorum, peers_.size())));
  }
}

}  // namespace api
}  // namespace vellum
