#ifndef VELLUM_API_BENCH_IDENTITY_TLS_BENCH_H_
#define VELLUM_API_BENCH_IDENTITY_TLS_BENCH_H_

// The comparison of docs/benchmarks.md, "Identity and TLS (issue 11)": single appends with
// receipts against an in-process api::LogServer (durable LevelDB appends), in two modes that
// differ only in transport and credential, run in alternating order over several rounds, each
// run on a new log, so that neither mode gains from going first.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/config/config.pb.h"
#include "api/tls/test_certificates.h"

namespace vellum {
namespace api {
namespace bench {

enum class AppendMode {
  // Plaintext HTTP; a static bearer token from a token file (auth.token_file alone).
  kPlaintextToken,
  // HTTPS; an RS256 OIDC JWT verified against a JWKS file (auth.oidc), its principal bound to
  // the appender role.
  kTlsJwt,
};

// "plaintext+token" or "https+jwt".
absl::string_view AppendModeName(AppendMode mode);

// What both modes present and check: test certificates (the server's names 127.0.0.1), a token
// file and its token, and a fresh 2048-bit RSA key's JWKS and a JWT it signed, valid for a day,
// from kBenchIssuer for the subject kBenchSubject and the audience kBenchAudience.
struct BenchCredentials {
  tls::TestCertificates certificates;
  std::string token_file;
  std::string token;
  std::string jwks_file;
  std::string jwt;
};

inline constexpr char kBenchIssuer[] = "https://idp.bench.vellum.example";
inline constexpr char kBenchAudience[] = "vellum";
inline constexpr char kBenchSubject[] = "bench-writer";

// Makes the credentials in `dir`, an existing directory, with /usr/bin/openssl. Fails with
// Internal, naming the command, when a command fails, and with the error of a file that cannot
// be written or read.
absl::StatusOr<BenchCredentials> MakeBenchCredentials(absl::string_view dir);

// The auth part of a vellumd configuration for `mode`, as api::BuildAccessRules takes it.
config::Config AccessConfig(AppendMode mode, const BenchCredentials& credentials);

struct IdentityTlsBenchOptions {
  // A directory that does not exist yet; it is created, and the credentials and one log per
  // run go there.
  std::string work_dir;
  int clients = 64;
  uint64_t requests = 200000;  // Per run.
  int rounds = 3;
  absl::Duration max_time = absl::Minutes(5);  // Per run.
};

// One run's figures.
struct ModeRun {
  AppendMode mode = AppendMode::kPlaintextToken;
  int round = 0;  // 1-based; 0 for the warm-up.
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  uint64_t errors = 0;
  // The process's CPU time (user and system: the server and the load generator together, the
  // connections' set-up included) per successful append.
  double cpu_us_per_append = 0;
  std::string json;  // HttpAppendBenchJson.
};

// Creates options.work_dir (FailedPrecondition if it exists) and the credentials in it, then
// runs RunHttpAppendBench (options.clients keep-alive connections, single appends with receipts)
// against a new LogServer on a new log for each run: a warm-up of each mode with a tenth of the
// requests, then options.rounds rounds, odd rounds running plaintext+token first and even rounds
// https+jwt first. Calls `on_run` after each run, the warm-up's included, and returns the runs
// of the rounds. Fails with the first set-up error and on bad options; failed requests are
// counted in the runs.
absl::StatusOr<std::vector<ModeRun>> RunIdentityTlsBench(
    const IdentityTlsBenchOptions& options, const std::function<void(const ModeRun&)>& on_run);

// Per mode: the median, lowest and highest throughput and p99 of `runs`, the median CPU time
// per append, and the errors; then the ratio of the median throughputs (https+jwt /
// plaintext+token) and each round's ratio.
std::string IdentityTlsSummary(const std::vector<ModeRun>& runs);

}  // namespace bench
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_BENCH_IDENTITY_TLS_BENCH_H_
