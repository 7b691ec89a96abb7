#include "api/bench/bench.h"

#include <errno.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "api/client/http_client.h"
#include "api/http.h"
#include "api/log.pb.h"
#include "api/message_codec.h"
#include "api/server/log_server.h"
#include "ledger/sequencer.h"
#include "proof/crypto.h"
#include "proof/note.h"
#include "proof/tile.h"

namespace vellum {
namespace api {
namespace bench {
double PerSecond(uint64_t count, double seconds) { return seconds > 0 ? count / seconds : 0; }

void AddCommonFields(BenchResult& result, JsonObject& json) {
  json.Add("seconds", result.seconds)
      .Add("p50_ms", result.latency.Percentile(50) * 1e3)
      .Add("p99_ms", result.latency.Percentile(99) * 1e3)
      .Add("max_ms", result.latency.Max() * 1e3)
      .Add("errors", result.errors);
  if (result.deadline_hit) json.Add("stopped_at_deadline", "true");
  if (!result.first_error.empty()) json.Add("first_error", result.first_error);
}

absl::Status CheckClients(int clients, uint64_t operations) {
  if (clients < 1 || clients > 1024) {
    return absl::InvalidArgumentError(absl::StrCat("clients: got ", clients, ", want 1 to 1024"));
  }
  if (operations == 0) return absl::InvalidArgumentError("nothing to do: the count is 0");
  return absl::OkStatus();
}

LoadOptions ClosedLoop(absl::string_view url, const tls::ClientOptions& tls, int clients,
                       uint64_t requests, absl::Duration max_time) {
  LoadOptions load;
  load.url = std::string(url);
  load.tls = tls;
  load.connections = clients;
  load.requests = requests;
  load.max_time = max_time;
  return load;
}

HttpClient::Options ProbeOptions(const tls::ClientOptions& tls) {
  HttpClient::Options options;
  options.tls = tls;
  return options;
}

std::vector<std::pair<std::string, std::string>> ProtobufHeaders(const std::string& token) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", api::kProtobufType}};
  if (!token.empty()) headers.emplace_back("Authorization", absl::StrCat("Bearer ", token));
  return headers;
}

uint64_t RunNonce() {
  uint64_t nonce = 0;
  crypto::RandomBytes(absl::MakeSpan(reinterpret_cast<uint8_t*>(&nonce), sizeof(nonce)))
      .IgnoreError();
  return nonce;
}

JsonObject& JsonObject::Add(absl::string_view key, uint64_t value) {
  fields_.emplace_back(std::string(key), absl::StrCat(value));
  return *this;
}

JsonObject& JsonObject::Add(absl::string_view key, double value) {
  fields_.emplace_back(std::string(key),
                       std::isfinite(value) ? absl::StrFormat("%.3f", value) : "null");
  return *this;
}

JsonObject& JsonObject::Add(absl::string_view key, absl::string_view value) {
  fields_.emplace_back(std::string(key), absl::StrCat("\"", api::JsonEscape(value), "\""));
  return *this;
}

std::string JsonObject::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < fields_.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ", "\"", fields_[i].first, "\": ", fields_[i].second);
  }
  out += "}";
  return out;
}

namespace {

constexpr size_t kBenchHeaderBytes = 47;  // "vellum bench " + 16 + " " + 16 + " "

// Writes the first min(bytes, kBenchHeaderBytes) bytes of a bench entry to `out`.
void WriteBenchHeader(uint64_t nonce, uint64_t number, char* out, size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  char header[kBenchHeaderBytes];
  memcpy(header, "vellum bench ", 13);
  for (int i = 0; i < 16; ++i) {
    header[13 + i] = kHex[(nonce >> (60 - 4 * i)) & 0xf];
    header[30 + i] = kHex[(number >> (60 - 4 * i)) & 0xf];
  }
  header[29] = ' ';
  header[46] = ' ';
  memcpy(out, header, std::min(bytes, kBenchHeaderBytes));
}

void WriteBenchEntry(uint64_t nonce, uint64_t number, char* out, size_t bytes) {
  WriteBenchHeader(nonce, number, out, bytes);
  for (size_t i = kBenchHeaderBytes; i < bytes; ++i) out[i] = static_cast<char>('a' + i % 26);
}

// Runs `body(i, tally)` on `clients` threads at once, and returns the merged tallies and the
// wall time from the start signal to the last thread's end.
template <typename Body>
BenchResult RunClients(int clients, Body body) {
  std::vector<BenchResult> tallies(clients);
  absl::Notification start;
  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      start.WaitForNotification();
      body(i, tallies[i]);
    });
  }
  const absl::Time begin = absl::Now();
  start.Notify();
  for (std::thread& t : threads) t.join();
  BenchResult result;
  result.seconds = absl::ToDoubleSeconds(absl::Now() - begin);
  for (const BenchResult& tally : tallies) result.Merge(tally);
  return result;
}

void AppendVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

}  // namespace

std::string BenchEntry(uint64_t nonce, uint64_t number, size_t bytes) {
  std::string entry(bytes, '\0');
  WriteBenchEntry(nonce, number, entry.data(), bytes);
  return entry;
}

BatchPayload::BatchPayload(uint64_t nonce, size_t count, size_t bytes)
    : nonce_(nonce), bytes_(bytes) {
  offsets_.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    encoded_.push_back(0x0a);  // Field 1 (entries), length-delimited.
    AppendVarint(&encoded_, bytes);
    offsets_.push_back(encoded_.size());
    encoded_.resize(encoded_.size() + bytes);
    WriteBenchEntry(nonce, k, &encoded_[offsets_.back()], bytes);
  }
}

const std::string& BatchPayload::Renumber(uint64_t first) {
  for (size_t k = 0; k < offsets_.size(); ++k) {
    WriteBenchHeader(nonce_, first + k, &encoded_[offsets_[k]], bytes_);
  }
  return encoded_;
}

// --- bench append ---------------------------------------------------------------------------

absl::StatusOr<AppendBenchResult> RunAppendBench(const AppendBenchOptions& options) {
  if (absl::Status s = CheckClients(options.clients, options.entries); !s.ok()) return s;
  if (options.batch < 1 || options.entry_bytes < 1 ||
      options.entry_bytes > kMaxEntrySize || options.max_batch_entries < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "want batch >= 1, entry bytes 1 to ", kMaxEntrySize,
        " and max batch entries >= 1; got ", options.batch, ", ", options.entry_bytes, " and ",
        options.max_batch_entries));
  }
  if (mkdir(options.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::UnavailableError(absl::StrCat("cannot create ", options.data_dir));
  }
  const std::string db_dir = options.data_dir + "/db";
  struct stat st;
  if (stat(db_dir.c_str(), &st) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(options.data_dir, " already holds a log; give a new directory"));
  }
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("bench.vellum.example/log");
  if (!key.ok()) return key.status();
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer = NoteSigner::Create(key->signer_key);
  if (!signer.ok()) return signer.status();
  // The log with its leaf-hash index kept up to date, as vellumd runs it, without HTTP.
  api::LogServerOptions server_options;
  server_options.data_dir = options.data_dir;
  server_options.signer = signer->get();
  server_options.sequencer.max_batch_entries = options.max_batch_entries;
  server_options.sequencer.max_batch_delay = options.max_batch_delay;
  server_options.events = false;
  server_options.serve_http = false;
  absl::StatusOr<std::unique_ptr<api::LogServer>> server =
      api::LogServer::Open(std::move(server_options));
  if (!server.ok()) return server.status();
  ledger::Sequencer* sequencer = &(*server)->sequencer();
  ledger::IndexFollower* follower = &(*server)->log().follower();

  const uint64_t nonce = RunNonce();
  std::atomic<uint64_t> next{0};
  absl::Time deadline;
  std::vector<std::vector<uint64_t>> head_sizes(options.clients);
  auto body = [&](int i, BenchResult& tally) {
    for (;;) {
      if (absl::Now() > deadline) {
        tally.deadline_hit = true;
        return;
      }
      const uint64_t first = next.fetch_add(options.batch);
      if (first >= options.entries) return;
      const uint64_t count = std::min<uint64_t>(options.batch, options.entries - first);
      std::vector<std::string> entries;
      entries.reserve(count);
      for (uint64_t i = 0; i < count; ++i) {
        entries.push_back(BenchEntry(nonce, first + i, options.entry_bytes));
      }
      const absl::Time start = absl::Now();
      absl::StatusOr<ledger::Sequencer::Appended> appended =
          sequencer->Append(std::move(entries));
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      if (!appended.ok()) {
        tally.Error(appended.status().message());
        continue;
      }
      tally.operations++;
      tally.entries += count;
      tally.latency.Add(seconds);
      head_sizes[i].push_back(appended->head->size);
    }
  };
  deadline = absl::Now() + options.max_time;
  AppendBenchResult result;
  result.bench = RunClients(options.clients, body);
  std::vector<uint64_t> heads;
  for (const std::vector<uint64_t>& sizes : head_sizes) {
    heads.insert(heads.end(), sizes.begin(), sizes.end());
  }
  std::sort(heads.begin(), heads.end());
  result.batches = std::unique(heads.begin(), heads.end()) - heads.begin();
  result.tree_size = sequencer->Head()->size;
  // The index trails the acknowledgements; say how long it took to cover the whole log.
  const absl::Time acked = absl::Now();
  if (!follower->WaitFor(result.tree_size, options.max_time)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "the leaf-hash index did not cover the ", result.tree_size, " leaves within ",
        absl::FormatDuration(options.max_time), ": ", follower->Health().ToString()));
  }
  result.index_lag_seconds = absl::ToDoubleSeconds(absl::Now() - acked);
  sequencer->RenderMetrics(&result.metrics);
  follower->RenderMetrics(&result.metrics);
  (*server)->Shutdown();
  return result;
}

std::string AppendBenchJson(const AppendBenchOptions& options, AppendBenchResult& result) {
  BenchResult& bench = result.bench;
  JsonObject json;
  json.Add("benchmark", "append")
      .Add("entries", bench.entries)
      .Add("entry_bytes", static_cast<uint64_t>(options.entry_bytes))
      .Add("clients", static_cast<uint64_t>(options.clients))
      .Add("entries_per_call", static_cast<uint64_t>(options.batch))
      .Add("max_batch_entries", static_cast<uint64_t>(options.max_batch_entries))
      .Add("max_batch_delay_us",
           static_cast<uint64_t>(absl::ToInt64Microseconds(options.max_batch_delay)))
      .Add("entries_per_second", PerSecond(bench.entries, bench.seconds))
      .Add("calls", bench.operations)
      .Add("batches", result.batches)
      .Add("entries_per_batch",
           result.batches > 0 ? static_cast<double>(bench.entries) / result.batches : 0.0)
      .Add("tree_size", result.tree_size)
      .Add("index_lag_seconds", result.index_lag_seconds);
  AddCommonFields(bench, json);
  return json.ToString();
}

// --- bench http -----------------------------------------------------------------------------

absl::StatusOr<BenchResult> RunHttpAppendBench(const HttpAppendBenchOptions& options) {
  if (absl::Status s = CheckClients(options.clients, options.requests); !s.ok()) return s;
  if (options.batch < 1 || options.entry_bytes < 1 ||
      options.entry_bytes > kMaxEntrySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("want batch >= 1 and entry bytes 1 to ", kMaxEntrySize, "; got ",
                     options.batch, " and ", options.entry_bytes));
  }
  if (options.receipt && options.batch > 1) {
    return absl::InvalidArgumentError("receipts are for single-entry appends (batch 1)");
  }
  LoadOptions load =
      ClosedLoop(options.url, options.tls, options.clients, options.requests, options.max_time);
  load.method = "POST";
  load.headers = {{"Accept", api::kProtobufType}};
  if (!options.token.empty()) {
    load.headers.emplace_back("Authorization", absl::StrCat("Bearer ", options.token));
  }
  if (options.batch > 1) load.headers.emplace_back("Content-Type", api::kProtobufType);
  const std::string target = options.batch > 1  ? "/v1/entries:batch"
                             : options.receipt ? "/v1/entries?receipt=1"
                                               : "/v1/entries";

  // Each connection renumbers its own payload in place.
  const uint64_t nonce = RunNonce();
  std::vector<BatchPayload> batches;
  for (int i = 0; options.batch > 1 && i < options.clients; ++i) {
    batches.emplace_back(nonce, options.batch, options.entry_bytes);
  }
  auto fill = [&](int connection, uint64_t number, LoadRequest* request) {
    if (request->target.empty()) request->target = target;
    if (options.batch > 1) {
      request->body = batches[connection].Renumber(number * options.batch);
    } else if (request->body.empty()) {
      request->body = BenchEntry(nonce, number, options.entry_bytes);
    } else {
      WriteBenchHeader(nonce, number, request->body.data(), request->body.size());
    }
  };
  auto check = [&](int, const LoadRequest&, const std::string& body) -> absl::Status {
    if (options.batch > 1) {
      api::AppendBatchResponse answer;
      if (!answer.ParseFromString(body)) {
        return absl::InvalidArgumentError("malformed AppendBatchResponse");
      }
      if (answer.count() != options.batch) {
        return absl::InvalidArgumentError(absl::StrCat(
            "AppendBatchResponse count: got ", answer.count(), ", want ", options.batch));
      }
      return absl::OkStatus();
    }
    api::AppendResponse answer;
    if (!answer.ParseFromString(body)) {
      return absl::InvalidArgumentError("malformed AppendResponse");
    }
    if (options.receipt && answer.receipt().empty()) {
      return absl::InvalidArgumentError("AppendResponse without a receipt");
    }
    return absl::OkStatus();
  };
  absl::StatusOr<BenchResult> result = RunLoad(load, fill, check);
  if (result.ok()) result->entries = result->operations * options.batch;
  return result;
}

std::string HttpAppendBenchJson(const HttpAppendBenchOptions& options, BenchResult& result) {
  JsonObject json;
  json.Add("benchmark", "http")
      .Add("requests", result.operations)
      .Add("entries", result.entries)
      .Add("clients", static_cast<uint64_t>(options.clients))
      .Add("entries_per_request", static_cast<uint64_t>(options.batch))
      .Add("receipt", options.receipt ? "true" : "false")
      .Add("entry_bytes", static_cast<uint64_t>(options.entry_bytes))
      .Add("requests_per_second", PerSecond(result.operations, result.seconds))
      .Add("entries_per_second", PerSecond(result.entries, result.seconds));
  AddCommonFields(result, json);
  return json.ToString();
}

// --- bench proofs ---------------------------------------------------------------------------

absl::StatusOr<ProofBenchResult> RunProofBench(const ProofBenchOptions& options) {
  if (absl::Status s = CheckClients(options.clients, options.requests); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<api::HttpClient>> info_client =
      api::HttpClient::Create(options.url, ProbeOptions(options.tls));
  if (!info_client.ok()) return info_client.status();
  absl::StatusOr<api::HttpResponse> info_answer =
      (*info_client)->Send("GET", "/v1/log", "", {{"Accept", api::kProtobufType}});
  if (!info_answer.ok()) return info_answer.status();
  if (info_answer->status != 200) return api::StatusFromResponse(*info_answer);
  api::LogInfo info;
  if (!info.ParseFromString(info_answer->body)) {
    return absl::InvalidArgumentError("GET /v1/log: the answer is not a LogInfo");
  }
  const uint64_t size = info.size();
  if (size == 0) return absl::FailedPreconditionError("the log is empty: nothing to prove");

  LoadOptions load =
      ClosedLoop(options.url, options.tls, options.clients, options.requests, options.max_time);
  load.headers = {{"Accept", api::kProtobufType}};
  std::vector<std::mt19937_64> randoms;
  for (int i = 0; i < options.clients; ++i) randoms.emplace_back(options.seed + i);
  std::vector<uint64_t> asked(options.clients);  // The index each connection asked for last.
  auto fill = [&](int connection, uint64_t, LoadRequest* request) {
    asked[connection] = std::uniform_int_distribution<uint64_t>(0, size - 1)(randoms[connection]);
    request->target.clear();
    absl::StrAppend(&request->target, "/v1/proof/inclusion?index=", asked[connection],
                    "&size=", size);
  };
  auto check = [&](int connection, const LoadRequest&, const std::string& body) -> absl::Status {
    // Reused, so that parsing allocates nothing for the proof's hashes (as the server does).
    api::InclusionProof& proof = api::ThreadMessage<api::InclusionProof>();
    if (!proof.ParseFromString(body)) return absl::InvalidArgumentError("malformed InclusionProof");
    if (proof.index() != asked[connection]) {
      return absl::InvalidArgumentError(absl::StrCat("InclusionProof index: got ", proof.index(),
                                                     ", want ", asked[connection]));
    }
    return absl::OkStatus();
  };
  absl::StatusOr<BenchResult> bench = RunLoad(load, fill, check);
  if (!bench.ok()) return bench.status();
  ProofBenchResult result;
  result.tree_size = size;
  result.bench = *std::move(bench);
  return result;
}

std::string ProofBenchJson(const ProofBenchOptions& options, ProofBenchResult& result) {
  JsonObject json;
  json.Add("benchmark", "proofs")
      .Add("requests", result.bench.operations)
      .Add("clients", static_cast<uint64_t>(options.clients))
      .Add("tree_size", result.tree_size)
      .Add("requests_per_second", PerSecond(result.bench.operations, result.bench.seconds));
  AddCommonFields(result.bench, json);
  return json.ToString();
}

}  // namespace bench
}  // namespace api
}  // namespace vellum
