// Single appends with receipts over plaintext HTTP and over HTTPS, against the same in-process
// log (api::LogServer, durable LevelDB appends), one after the other in one process, and their
// ratio (docs/benchmarks.md, "TLS").
//
//   tls_compare DATA_DIR CERT KEY CA CLIENTS REQUESTS
//
// DATA_DIR must not hold a log; CERT must name 127.0.0.1 and be signed by CA.

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "api/bench/bench.h"
#include "api/server/log_server.h"
#include "api/tls/context.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

int Run(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: tls_compare DATA_DIR CERT KEY CA CLIENTS REQUESTS\n";
    return 2;
  }
  const std::string dir = argv[1];
  mkdir(dir.c_str(), 0700);
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("bench.vellum.example/tls");
  if (!key.ok()) return std::cerr << key.status() << "\n", 2;
  std::unique_ptr<NoteSigner> signer = NoteSigner::Create(key->signer_key).value();
  tls::ServerOptions tls_options;
  tls_options.cert_chain_file = argv[2];
  tls_options.key_file = argv[3];
  absl::StatusOr<std::unique_ptr<tls::ServerContext>> tls = tls::ServerContext::Create(tls_options);
  if (!tls.ok()) return std::cerr << tls.status() << "\n", 2;
  std::shared_ptr<tls::ServerContext> context = *std::move(tls);
  double per_second[2] = {0, 0};
  for (int with_tls = 0; with_tls < 2; ++with_tls) {
    LogServerOptions server_options;
    server_options.data_dir = dir;
    server_options.signer = signer.get();
    server_options.events = false;
    server_options.http.port = 0;
    if (with_tls) server_options.http.tls = context;
    absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(std::move(server_options));
    if (!server.ok()) return std::cerr << server.status() << "\n", 2;
    HttpAppendBenchOptions options;
    options.url = absl::StrCat(with_tls ? "https" : "http", "://127.0.0.1:", (*server)->port());
    options.tls.ca_file = argv[4];
    options.clients = std::atoi(argv[5]);
    options.requests = std::strtoull(argv[6], nullptr, 10);
    options.receipt = true;
    absl::StatusOr<BenchResult> result = RunHttpAppendBench(options);
    (*server)->Shutdown();
    if (!result.ok()) return std::cerr << result.status() << "\n", 2;
    per_second[with_tls] = PerSecond(result->operations, result->seconds);
    std::cout << absl::StrFormat("%s: %.0f appends/s, p50 %.2f ms, p99 %.2f ms, errors %d\n",
                                 with_tls ? "https" : "http", per_second[with_tls],
                                 result->latency.Percentile(50) * 1e3,
                                 result->latency.Percentile(99) * 1e3, result->errors);
    std::cout << HttpAppendBenchJson(options, *result) << "\n";
  }
  std::cout << absl::StrFormat("https/http throughput: %.3f\n",
                               per_second[0] > 0 ? per_second[1] / per_second[0] : 0.0);
  return 0;
}

}  // namespace
}  // namespace bench
}  // namespace api
}  // namespace vellum

int main(int argc, char** argv) { return vellum::api::bench::Run(argc, argv); }
