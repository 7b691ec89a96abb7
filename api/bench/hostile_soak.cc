#include "api/bench/hostile_soak.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "api/authorizer.h"
#include "api/bench/bench.h"
#include "api/bench/events_bench.h"
#include "api/bench/load_client.h"
#include "api/client/http_client.h"
#include "api/http.h"
#include "api/log.pb.h"
#include "api/message_codec.h"
#include "api/raw_connection.h"
#include "api/server/log_server.h"
#include "ledger/file_io.h"
#include "ledger/identity/token_file.h"
#include "proof/hash.h"
#include "proof/note.h"
#include "proof/tile.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

constexpr char kToken[] = "soak-token-honest-appender-3f7a";

// The process's resident set, in MiB, from /proc/self/status; 0 if it cannot be read.
double RssMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      uint64_t kib = 0;
      if (absl::SimpleAtoi(absl::StripSuffix(absl::StripAsciiWhitespace(rest), " kB"), &kib)) {
        return kib / 1024.0;
      }
    }
  }
  return 0;
}

// The hostile clients, each kind on its own thread(s), until Stop().
class Hostile {
 public:
  Hostile(uint16_t port, const SoakOptions& options) : port_(port), options_(options) {}
  ~Hostile() { Stop(); }

  void Start() {
    threads_.emplace_back([this] { SlowHeaders(); });
    threads_.emplace_back([this] { Idle(); });
    for (int i = 0; i < options_.garbage_threads; ++i) {
      threads_.emplace_back([this, i] { Garbage(i); });
    }
  }

  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  uint64_t attempts() const { return attempts_.load(); }

 private:
  // Connections that send a header a byte at a time, forever; reopened when the server cuts
  // them off.
  void SlowHeaders() {
    std::vector<std::unique_ptr<RawConnection>> connections(options_.slow_header_clients);
    while (!stop_) {
      for (auto& c : connections) {
        if (c == nullptr || !c->Send("a")) {
          c = std::make_unique<RawConnection>(port_, "127.0.0.2");
          c->Send("POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
          attempts_++;
        }
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  // Connections that never send a byte, more than one address may hold; the closed ones are
  // reopened, at most 200 every 200 ms.
  void Idle() {
    std::vector<std::unique_ptr<RawConnection>> connections(options_.idle_clients);
    while (!stop_) {
      int reopened = 0;
      for (auto& c : connections) {
        if (reopened < 200 && (c == nullptr || c->PeerClosed())) {
          c = std::make_unique<RawConnection>(port_, "127.0.0.3");
          attempts_++;
          reopened++;
        }
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  // One bad request after another, each on a new connection, read to its end.
  void Garbage(int thread) {
    const std::string junk(1000, '\x01');
    const std::string big_header = absl::StrCat("GET /checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                                                "X-Big: ", std::string(10000, 'a'), "\r\n\r\n");
    for (uint64_t n = thread; !stop_; n += options_.garbage_threads) {
      RawConnection c(port_, "127.0.0.4");
      switch (n % 4) {
        case 0:
          c.Send(junk);
          break;
        case 1:  // No credential, a body that never comes.
          c.Send("POST /v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 9999999\r\n\r\n");
          break;
        case 2:
          c.Send(big_header);
          break;
        default:  // A wrong credential.
          c.Send("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong\r\n"
                 "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
          break;
      }
      bool closed = false;
      c.ReadUntilClosed(&closed);
      attempts_++;
    }
  }

  const uint16_t port_;
  const SoakOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> attempts_{0};
  std::vector<std::thread> threads_;
};

struct Acknowledged {
  uint64_t index;
  std::string leaf_hash;
};

}  // namespace

absl::StatusOr<SoakReport> RunSoak(const SoakOptions& options) {
  if (mkdir(options.work_dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", options.work_dir, ": it must not exist"));
  }
  const std::string data_dir = absl::StrCat(options.work_dir, "/log");
  if (mkdir(data_dir.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot create ", data_dir));
  }
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("soak.vellum.example/hostile");
  if (!key.ok()) return key.status();
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer = NoteSigner::Create(key->signer_key);
  if (!signer.ok()) return signer.status();
  absl::StatusOr<std::unique_ptr<ledger::identity::TokenSet>> tokens =
      ledger::identity::TokenSet::Parse(ledger::identity::TokenSet::Line(kToken, "soak"));
  if (!tokens.ok()) return tokens.status();
  absl::StatusOr<std::shared_ptr<const AccessRules>> access = TokenFileRules(*std::move(tokens));
  if (!access.ok()) return access.status();

  LogServerOptions server_options;
  server_options.data_dir = data_dir;
  server_options.signer = signer->get();
  server_options.access = *std::move(access);
  server_options.http.port = 0;
  absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(std::move(server_options));
  if (!server.ok()) return server.status();
  const std::string url = absl::StrCat("http://127.0.0.1:", (*server)->port());

  // Events to search.
  const absl::Time first_logged = absl::Now();
  EventIngestBenchOptions prefill;
  prefill.url = url;
  prefill.requests = options.prefill_events;
  prefill.token = kToken;
  absl::StatusOr<EventIngestBenchResult> events = RunEventIngestBench(prefill);
  if (!events.ok()) return events.status();
  const absl::Time last_logged = absl::Now();

  SoakReport report;
  std::vector<std::vector<Acknowledged>> acknowledged(options.appenders);
  const uint64_t nonce = RunNonce();
  uint64_t next_number = 0;  // Entry numbers stay distinct across phases.
  for (int round = 1; round <= options.rounds; ++round) {
    for (bool hostile : {false, true}) {
      SoakPhase phase;
      phase.round = round;
      phase.hostile = hostile;
      Hostile attackers((*server)->port(), options);
      if (hostile) attackers.Start();

      LoadOptions appends =
          ClosedLoop(url, tls::ClientOptions(), options.appenders, uint64_t{1} << 40, options.phase);
      appends.method = "POST";
      appends.headers = {{"Accept", std::string(kProtobufType)},
                         {"Authorization", absl::StrCat("Bearer ", kToken)}};
      const uint64_t base = next_number;
      auto fill_append = [&](int, uint64_t number, LoadRequest* request) {
        request->target = "/v1/entries?receipt=1";
        request->body = BenchEntry(nonce, base + number, 300);
      };
      auto check_append = [&](int connection, const LoadRequest&,
                              const std::string& body) -> absl::Status {
        AppendResponse answer;
        if (!answer.ParseFromString(body) || answer.receipt().empty()) {
          return absl::InvalidArgumentError("malformed AppendResponse or no receipt");
        }
        acknowledged[connection].push_back({answer.index(), answer.leaf_hash()});
        return absl::OkStatus();
      };
      LoadOptions searches =
          ClosedLoop(url, tls::ClientOptions(), options.searchers, uint64_t{1} << 40, options.phase);
      searches.headers = {{"Authorization", absl::StrCat("Bearer ", kToken)}};
      std::vector<std::mt19937_64> randoms;
      for (int i = 0; i < options.searchers; ++i) randoms.emplace_back(round * 100 + i);
      auto fill_search = [&](int connection, uint64_t number, LoadRequest* request) {
        request->target = BenchQueryTarget(kQueryShapes[number % 4], false, first_logged,
                                           last_logged, randoms[connection]);
      };
      auto accept = [](int, const LoadRequest&, const std::string&) { return absl::OkStatus(); };

      std::atomic<bool> sampling{true};
      std::thread memory([&] {
        while (sampling) {
          phase.max_rss_mib = std::max(phase.max_rss_mib, RssMib());
          absl::SleepFor(absl::Milliseconds(250));
        }
      });
      absl::StatusOr<BenchResult> search_result;
      std::thread searcher([&] { search_result = RunLoad(searches, fill_search, accept); });
      absl::StatusOr<BenchResult> append_result = RunLoad(appends, fill_append, check_append);
      searcher.join();
      sampling = false;
      memory.join();
      phase.hostile_attempts = attackers.attempts();
      attackers.Stop();
      if (!append_result.ok()) return append_result.status();
      if (!search_result.ok()) return search_result.status();
      next_number += append_result->operations + append_result->errors + options.appenders;
      phase.appends_per_second = PerSecond(append_result->operations, append_result->seconds);
      phase.searches_per_second = PerSecond(search_result->operations, search_result->seconds);
      phase.append_p99_ms = append_result->latency.Percentile(99) * 1000;
      phase.honest_errors = append_result->errors + search_result->errors;
      phase.first_error = !append_result->first_error.empty() ? append_result->first_error
                                                              : search_result->first_error;
      absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Create(url, {});
      if (!client.ok()) return client.status();
      absl::StatusOr<std::string> metrics = (*client)->Get("/metrics");
      if (!metrics.ok()) return metrics.status();
      for (absl::string_view line : absl::StrSplit(*metrics, '\n')) {
        if (!absl::StartsWith(line, "#") &&
            (absl::StrContains(line, "_refused_total") || absl::StrContains(line, "timed_out"))) {
          absl::StrAppend(&phase.server_refusals, "  ", line, "\n");
        }
      }
      report.phases.push_back(std::move(phase));
    }
  }

  // Every acknowledged entry is in the log, with the leaf hash its answer named.
  ledger::Sequencer& sequencer = (*server)->sequencer();
  report.tree_size = sequencer.Head()->size;
  std::map<uint64_t, std::vector<std::string>> bundles;
  for (const auto& list : acknowledged) {
    for (const Acknowledged& a : list) {
      report.acknowledged++;
      const uint64_t b = a.index / kTileWidth;
      auto it = bundles.find(b);
      if (it == bundles.end()) {
        const uint64_t width = std::min<uint64_t>(kTileWidth, report.tree_size - b * kTileWidth);
        absl::StatusOr<std::string> data = (*server)->log().storage().ReadEntryBundle(
            EntryBundleId{b, static_cast<uint16_t>(width)});
        std::vector<std::string> entries;
        if (data.ok()) {
          absl::StatusOr<std::vector<std::string>> parsed = ParseEntryBundle(*data);
          if (parsed.ok()) entries = *std::move(parsed);
        }
        it = bundles.emplace(b, std::move(entries)).first;
      }
      const size_t offset = a.index % kTileWidth;
      if (offset >= it->second.size() ||
          HashBytes(HashLeaf(it->second[offset])) != a.leaf_hash) {
        report.missing++;
      }
    }
  }
  (*server)->Shutdown();
  return report;
}

std::string SoakSummary(const SoakReport& report) {
  std::string out;
  std::vector<double> append_ratios, search_ratios;
  const SoakPhase* quiet = nullptr;
  for (const SoakPhase& p : report.phases) {
    absl::StrAppendFormat(
        &out,
        "round %d %s: %.0f appends/s (p99 %.1f ms), %.1f searches/s, honest errors %d%s, "
        "hostile attempts %d, max RSS %.0f MiB\n%s",
        p.round, p.hostile ? "hostile" : "quiet  ", p.appends_per_second, p.append_p99_ms,
        p.searches_per_second, p.honest_errors,
        p.first_error.empty() ? "" : absl::StrCat(" (", p.first_error, ")"), p.hostile_attempts,
        p.max_rss_mib, p.hostile ? p.server_refusals : "");
    if (!p.hostile) {
      quiet = &p;
    } else if (quiet != nullptr) {
      append_ratios.push_back(p.appends_per_second / quiet->appends_per_second);
      search_ratios.push_back(p.searches_per_second / quiet->searches_per_second);
    }
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  out += "hostile / quiet, by round: appends";
  for (double r : append_ratios) absl::StrAppendFormat(&out, " %.2f", r);
  out += ", searches";
  for (double r : search_ratios) absl::StrAppendFormat(&out, " %.2f", r);
  absl::StrAppendFormat(&out, "; medians %.2f and %.2f (goal at least 0.50)\n",
                        median(append_ratios), median(search_ratios));
  absl::StrAppendFormat(&out, "acknowledged appends %d, missing from the log %d, tree size %d\n",
                        report.acknowledged, report.missing, report.tree_size);
  return out;
}

}  // namespace bench
}  // namespace api
}  // namespace vellum
