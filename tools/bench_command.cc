#include "tools/bench_command.h"

#include <algorithm>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "api/bench/bench.h"
#include "api/bench/events_bench.h"
#include "api/bench/gate_bench.h"
#include "api/events/event_batch.h"
#include "ledger/file_io.h"
#include "proof/tile.h"
#include "tools/command_support.h"

namespace vellum {
namespace cli {

const char kBenchAppendUsage[] =
    "vellum bench append --data-dir DIR --entries N [--entry-bytes 300] [--clients 32]\n"
    "                    [--batch 128] [--max-batch-entries 4096] [--max-batch-delay-us 0]\n"
    "                    [--max-seconds 300] [--metrics]\n"
    "  Measures durable appends in-process: creates a new log in DIR (which must not hold one)\n"
    "  and appends N entries through the real sequencer and LevelDB store, every batch synced\n"
    "  before it is acknowledged. C client threads each call Append with --batch entries at a\n"
    "  time; the sequencer merges concurrent calls into group commits of at most\n"
    "  --max-batch-entries. Prints a summary, then as the last line one JSON object: entries,\n"
    "  seconds, entries_per_second, batches, p50/p99/max Append latency. --metrics also\n"
    "  prints the sequencer's metrics (batch sizes, commit latency histograms).\n";

const FlagSpec kBenchAppendFlags[9] = {
    {"data-dir"}, {"entries"}, {"entry-bytes"}, {"clients"}, {"batch"}, {"max-batch-entries"},
    {"max-batch-delay-us"}, {"max-seconds"}, {"metrics", false, true},
};

const char kBenchHttpUsage[] =
    "vellum bench http --server URL --clients C --requests N [--batch 1] [--receipt]\n"
    "                  [--entry-bytes 300] [--token-file FILE] [--max-seconds 300]\n"
    "  Load generator for appends: C threads, each with its own keep-alive connection, send N\n"
    "  requests in all: single-entry POST /v1/entries (with ?receipt=1 if --receipt) when\n"
    "  --batch is 1, else POST /v1/entries:batch with --batch entries (binary protobuf).\n"
    "  Answers are asked for as binary protobuf and checked. Prints requests/s, entries/s and\n"
    "  p50/p99/max latency; the last line is one JSON object. Only run it against your own\n"
    "  server: every request appends to the log for good.\n";

const FlagSpec kBenchHttpFlags[8] = {
    {"server"}, {"clients"}, {"requests"}, {"batch"}, {"receipt", false, true}, {"entry-bytes"},
    {"token-file"}, {"max-seconds"},
};

const char kBenchProofsUsage[] =
    "vellum bench proofs --server URL --clients C --requests N [--seed 1] [--max-seconds 300]\n"
    "  Load generator for proofs: reads the log's size from /v1/log, then C keep-alive clients\n"
    "  request N inclusion proofs in all (binary protobuf) at uniformly random indices for\n"
    "  that size. Prints proofs/s and p50/p99/max latency; the last line is one JSON object.\n";

const FlagSpec kBenchProofsFlags[5] = {
    {"server"}, {"clients"}, {"requests"}, {"seed"}, {"max-seconds"},
};

const char kBenchEventsUsage[] =
    "vellum bench events --server URL --clients C --requests N [--format json|protobuf]\n"
    "                    [--batch 1] [--token-file FILE] [--max-seconds 300]\n"
    "  Load generator for event ingestion: C threads, each with its own keep-alive\n"
    "  connection, POST N distinct synthetic audit events in all to /v1/events (proto3 JSON by\n"
    "  default), with varied actors, models, versions, actions and outcomes; with --batch B > 1,\n"
    "  each request posts B events to /v1/events:batch. Then waits for the\n"
    "  server's indexes to cover the log (from /metrics). Prints events/s, p50/p99/max latency\n"
    "  and the index catch-up time; the last line is one JSON object. Only run it against your\n"
    "  own server: every event is logged for good.\n";

const FlagSpec kBenchEventsFlags[7] = {
    {"server"}, {"clients"}, {"requests"}, {"format"}, {"batch"}, {"token-file"}, {"max-seconds"},
};

const char kBenchGateUsage[] =
    "vellum bench gate --server URL --clients C --requests N [--environment staging]\n"
    "                  [--token-file FILE] [--max-seconds 300]\n"
    "  Load generator for the deployment gate: C threads, each with its own keep-alive\n"
    "  connection, send N gate checks in all (POST /v1/gate/check, a deploy of version 1 of one\n"
    "  of 100 models to ENV, each with its own request_id); each answer comes once its decision\n"
    "  is durable, with its receipt. Prints decisions/s and p50/p99/max latency; the last line\n"
    "  is one JSON object. Only run it against your own server: every decision is logged for\n"
    "  good.\n";

const FlagSpec kBenchGateFlags[6] = {
    {"server"}, {"clients"}, {"requests"}, {"environment"}, {"token-file"}, {"max-seconds"},
};

const char kBenchEventsQueryUsage[] =
    "vellum bench events-query --server URL --clients C --requests N [--seed 1]\n"
    "                          [--token-file FILE] [--max-seconds 300]\n"
    "  Load generator for event search: N random GET /v1/events in all, split evenly over\n"
    "  eight variants run one after another: by actor, by model and version, by action and\n"
    "  outcome, by a logged-time window of 1% of the log's span, each without and with\n"
    "  proof=1, limit 100. Prints queries/s, p50/p99 latency and matches per variant; the last\n"
    "  line is one JSON object.\n";

const FlagSpec kBenchEventsQueryFlags[6] = {
    {"server"}, {"clients"}, {"requests"}, {"seed"}, {"token-file"}, {"max-seconds"},
};

namespace {

using ::vellum::api::bench::AppendBenchJson;
using ::vellum::api::bench::AppendBenchOptions;
using ::vellum::api::bench::AppendBenchResult;
using ::vellum::api::bench::BenchResult;
using ::vellum::api::bench::EventFormat;
using ::vellum::api::bench::EventIngestBenchJson;
using ::vellum::api::bench::EventIngestBenchOptions;
using ::vellum::api::bench::EventIngestBenchResult;
using ::vellum::api::bench::EventQueryBenchJson;
using ::vellum::api::bench::EventQueryBenchOptions;
using ::vellum::api::bench::EventQueryBenchResult;
using ::vellum::api::bench::GateBenchJson;
using ::vellum::api::bench::GateBenchOptions;
using ::vellum::api::bench::GateBenchResult;
using ::vellum::api::bench::HttpAppendBenchJson;
using ::vellum::api::bench::HttpAppendBenchOptions;
using ::vellum::api::bench::ProofBenchJson;
using ::vellum::api::bench::ProofBenchOptions;
using ::vellum::api::bench::ProofBenchResult;
using ::vellum::api::bench::QueryShapeResult;
using ::vellum::api::bench::RunAppendBench;
using ::vellum::api::bench::RunEventIngestBench;
using ::vellum::api::bench::RunEventQueryBench;
using ::vellum::api::bench::RunGateBench;
using ::vellum::api::bench::RunHttpAppendBench;
using ::vellum::api::bench::RunProofBench;

absl::StatusOr<absl::Duration> MaxSecondsFlag(const CommandLine& line) {
  absl::StatusOr<uint64_t> seconds = NumberFlagOr(line, "max-seconds", 300, 1, 86400);
  if (!seconds.ok()) return seconds.status();
  return absl::Seconds(*seconds);
}

// The flags every HTTP load generator takes: --server, --clients, --requests and --max-seconds.
struct LoadFlags {
  std::string url;
  int clients = 0;
  uint64_t requests = 0;
  absl::Duration max_time;
  api::tls::ClientOptions tls;

  // Sets the matching fields of a bench's options.
  template <typename Options>
  void ApplyTo(Options& options) const {
    options.url = url;
    options.tls = tls;
    options.clients = clients;
    options.requests = requests;
    options.max_time = max_time;
  }
};

// Parses the LoadFlags and checks that there is no positional argument; InvalidArgument, for a
// usage error, otherwise.
absl::StatusOr<LoadFlags> ParseLoadFlags(const CommandLine& line) {
  LoadFlags flags;
  absl::StatusOr<std::string> url = line.Require("server");
  if (!url.ok()) return url.status();
  flags.url = *url;
  flags.tls = ClientFlags(line).tls;
  absl::StatusOr<uint64_t> clients = NumberFlag(line, "clients");
  absl::StatusOr<uint64_t> requests = NumberFlag(line, "requests");
  absl::StatusOr<absl::Duration> max_time = MaxSecondsFlag(line);
  for (const absl::Status& s : {clients.status(), requests.status(), max_time.status()}) {
    if (!s.ok()) return s;
  }
  if (!line.positional().empty()) {
    return absl::InvalidArgumentError("takes no positional arguments");
  }
  flags.clients = static_cast<int>(std::min<uint64_t>(*clients, 1 << 20));
  flags.requests = *requests;
  flags.max_time = *max_time;
  return flags;
}

void PrintLatency(const char* what, BenchResult& result) {
  std::cout << absl::StrFormat("%s latency: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", what,
                               result.latency.Percentile(50) * 1e3,
                               result.latency.Percentile(99) * 1e3, result.latency.Max() * 1e3);
  if (result.errors > 0) {
    std::cout << result.errors << " errors; the first: " << result.first_error << "\n";
  }
  if (result.deadline_hit) std::cout << "stopped at the --max-seconds deadline\n";
}

int BenchExit(const BenchResult& result) {
  if (result.errors == 0) return kValid;
  std::cerr << "vellum " << CommandName() << ": " << result.errors
            << " operations failed; the first: " << result.first_error << "\n";
  return kUsage;
}

}  // namespace

int RunBenchAppend(const CommandLine& line) {
  AppendBenchOptions options;
  absl::StatusOr<std::string> dir = line.Require("data-dir");
  if (!dir.ok()) return UsageError(dir.status().message());
  options.data_dir = *dir;
  absl::StatusOr<uint64_t> entries = NumberFlag(line, "entries");
  absl::StatusOr<uint64_t> bytes = NumberFlagOr(line, "entry-bytes", 300, 1, kMaxEntrySize);
  absl::StatusOr<uint64_t> clients = NumberFlagOr(line, "clients", options.clients, 1, 1024);
  absl::StatusOr<uint64_t> batch = NumberFlagOr(line, "batch", options.batch, 1, 100000);
  absl::StatusOr<uint64_t> max_batch =
      NumberFlagOr(line, "max-batch-entries", options.max_batch_entries, 1, 1000000);
  absl::StatusOr<uint64_t> delay = NumberFlagOr(line, "max-batch-delay-us", 0, 0, 1000000);
  absl::StatusOr<absl::Duration> max_time = MaxSecondsFlag(line);
  for (const absl::Status& s : {entries.status(), bytes.status(), clients.status(),
                                batch.status(), max_batch.status(), delay.status(),
                                max_time.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  if (!line.positional().empty()) return UsageError("takes no positional arguments");
  options.entries = *entries;
  options.entry_bytes = *bytes;
  options.clients = static_cast<int>(*clients);
  options.batch = *batch;
  options.max_batch_entries = *max_batch;
  options.max_batch_delay = absl::Microseconds(*delay);
  options.max_time = *max_time;
  absl::StatusOr<AppendBenchResult> result = RunAppendBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  BenchResult& bench = result->bench;
  std::cout << absl::StrFormat(
      "appended %d entries of %d bytes in %.3f s: %.0f entries/s, durable (synced LevelDB)\n",
      bench.entries, options.entry_bytes, bench.seconds,
      bench.seconds > 0 ? bench.entries / bench.seconds : 0.0);
  std::cout << absl::StrFormat(
      "%d clients, %d entries per Append call; %d group commits, %.1f entries each\n",
      options.clients, options.batch, result->batches,
      result->batches > 0 ? static_cast<double>(bench.entries) / result->batches : 0.0);
  PrintLatency("Append", bench);
  if (line.Has("metrics")) std::cout << result->metrics;
  std::cout << AppendBenchJson(options, *result) << "\n";
  return BenchExit(bench);
}

int RunBenchHttp(const CommandLine& line) {
  HttpAppendBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  absl::StatusOr<uint64_t> batch = NumberFlagOr(line, "batch", 1, 1, 100000);
  absl::StatusOr<uint64_t> bytes = NumberFlagOr(line, "entry-bytes", 300, 1, kMaxEntrySize);
  for (const absl::Status& s : {load.status(), batch.status(), bytes.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  load->ApplyTo(options);
  options.batch = *batch;
  options.receipt = line.Has("receipt");
  options.entry_bytes = *bytes;
  options.token = *token;
  absl::StatusOr<BenchResult> result = RunHttpAppendBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  std::cout << absl::StrFormat(
      "%d requests of %d entries (%d bytes each%s) from %d keep-alive clients in %.3f s: "
      "%.0f requests/s, %.0f entries/s\n",
      result->operations, options.batch, options.entry_bytes,
      options.receipt ? ", with receipts" : "", options.clients, result->seconds,
      result->seconds > 0 ? result->operations / result->seconds : 0.0,
      result->seconds > 0 ? result->entries / result->seconds : 0.0);
  PrintLatency("Request", *result);
  std::cout << HttpAppendBenchJson(options, *result) << "\n";
  return BenchExit(*result);
}

int RunBenchProofs(const CommandLine& line) {
  ProofBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  absl::StatusOr<uint64_t> seed = NumberFlagOr(line, "seed", 1, 0, UINT64_MAX);
  for (const absl::Status& s : {load.status(), seed.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  load->ApplyTo(options);
  options.seed = *seed;
  absl::StatusOr<ProofBenchResult> result = RunProofBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  BenchResult& bench = result->bench;
  std::cout << absl::StrFormat(
      "%d inclusion proofs at random indices of tree size %d from %d keep-alive clients in "
      "%.3f s: %.0f proofs/s\n",
      bench.operations, result->tree_size, options.clients, bench.seconds,
      bench.seconds > 0 ? bench.operations / bench.seconds : 0.0);
  PrintLatency("Request", bench);
  std::cout << ProofBenchJson(options, *result) << "\n";
  return BenchExit(bench);
}

int RunBenchEvents(const CommandLine& line) {
  EventIngestBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  if (!load.ok()) return UsageError(load.status().message());
  const std::string format = line.Get("format").value_or("json");
  if (format != "json" && format != "protobuf") {
    return UsageError(absl::StrCat("--format: got \"", format, "\", want json or protobuf"));
  }
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  load->ApplyTo(options);
  absl::StatusOr<uint64_t> batch = NumberFlagOr(line, "batch", 1, 1, api::kMaxEventBatchEvents);
  if (!batch.ok()) return UsageError(batch.status().message());
  options.batch = static_cast<int>(*batch);
  options.format = format == "json" ? EventFormat::kJson : EventFormat::kProtobuf;
  options.token = *token;
  absl::StatusOr<EventIngestBenchResult> result = RunEventIngestBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  BenchResult& bench = result->bench;
  std::cout << absl::StrFormat(
      "%d events (%s, %d per request) from %d keep-alive clients in %.3f s: %.0f events/s; "
      "log size %d; indexes caught up %.3f s after the last answer\n",
      bench.entries, format, options.batch, options.clients, bench.seconds,
      bench.seconds > 0 ? bench.entries / bench.seconds : 0.0, result->tree_size,
      result->index_lag_seconds);
  PrintLatency("Request", bench);
  std::cout << EventIngestBenchJson(options, *result) << "\n";
  return BenchExit(bench);
}

int RunBenchGate(const CommandLine& line) {
  GateBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  if (!load.ok()) return UsageError(load.status().message());
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  load->ApplyTo(options);
  options.token = *token;
  options.environment = line.Get("environment").value_or("staging");
  absl::StatusOr<GateBenchResult> result = RunGateBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  BenchResult& bench = result->bench;
  std::cout << absl::StrFormat(
      "%d gate decisions (%d allowed) for %s from %d keep-alive clients in %.3f s: %.0f "
      "decisions/s, each durable before its answer\n",
      bench.operations, result->allowed, options.environment, options.clients, bench.seconds,
      bench.seconds > 0 ? bench.operations / bench.seconds : 0.0);
  PrintLatency("Decision", bench);
  std::cout << GateBenchJson(options, *result) << "\n";
  return BenchExit(bench);
}

int RunBenchEventsQuery(const CommandLine& line) {
  EventQueryBenchOptions options;
  absl::StatusOr<LoadFlags> load = ParseLoadFlags(line);
  absl::StatusOr<uint64_t> seed = NumberFlagOr(line, "seed", 1, 0, UINT64_MAX);
  for (const absl::Status& s : {load.status(), seed.status()}) {
    if (!s.ok()) return UsageError(s.message());
  }
  absl::StatusOr<std::string> token = ledger::ReadTokenFile(line.Get("token-file"));
  if (!token.ok()) return IoError(token.status());
  load->ApplyTo(options);
  options.seed = *seed;
  options.token = *token;
  absl::StatusOr<EventQueryBenchResult> result = RunEventQueryBench(options);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) return UsageError(result.status().message());
    return IoError(result.status());
  }
  std::cout << absl::StrFormat(
      "searches of a log of %d entries (events logged over %.1f s), %d keep-alive clients:\n",
      result->tree_size,
      absl::ToDoubleSeconds(result->last_logged - result->first_logged), options.clients);
  BenchResult all;
  for (QueryShapeResult& variant : result->shapes) {
    BenchResult& bench = variant.bench;
    std::cout << absl::StrFormat(
        "  %-20s %6d queries, %8.0f queries/s, p50 %8.3f ms, p99 %8.3f ms, %5.1f matches each\n",
        variant.name, bench.operations, bench.seconds > 0 ? bench.operations / bench.seconds : 0.0,
        bench.latency.Percentile(50) * 1e3, bench.latency.Percentile(99) * 1e3,
        bench.operations > 0 ? static_cast<double>(variant.matches) / bench.operations : 0.0);
    all.Merge(bench);
  }
  if (all.errors > 0) std::cout << all.errors << " errors; the first: " << all.first_error << "\n";
  if (all.deadline_hit) std::cout << "stopped at the --max-seconds deadline\n";
  std::cout << EventQueryBenchJson(options, *result) << "\n";
  return BenchExit(all);
}

}  // namespace cli
}  // namespace vellum
