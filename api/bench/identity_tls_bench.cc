#include "api/bench/identity_tls_bench.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "api/bench/bench.h"
#include "api/server/access_rules.h"
#include "api/server/log_server.h"
#include "api/tls/context.h"
#include "ledger/file_io.h"
#include "ledger/identity/token_file.h"
#include "proof/note.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

constexpr char kKid[] = "bench-1";
constexpr AppendMode kModes[] = {AppendMode::kPlaintextToken, AppendMode::kTlsJwt};

// A fresh RSA key's JWKS in credentials.jwks_file and a JWT it signed in credentials.jwt.
absl::Status MakeJwt(const std::string& dir, BenchCredentials& credentials) {
  const std::string key = dir + "/jwt-rsa.key";
  const std::string modulus_file = dir + "/jwt-rsa.modulus";
  absl::Status s = tls::RunOpenssl(
      dir, absl::StrCat("genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '", key, "'"));
  if (s.ok()) {
    s = tls::RunOpenssl(
        dir, absl::StrCat("rsa -in '", key, "' -noout -modulus -out '", modulus_file, "'"));
  }
  if (!s.ok()) return s;
  absl::StatusOr<std::string> modulus = ledger::ReadInput(modulus_file, 4096);
  if (!modulus.ok()) return modulus.status();
  absl::string_view hex = absl::StripAsciiWhitespace(*modulus);
  if (!absl::ConsumePrefix(&hex, "Modulus=")) {
    return absl::InternalError(absl::StrCat(modulus_file, ": want \"Modulus=<hex>\""));
  }
  credentials.jwks_file = dir + "/jwks.json";
  s = ledger::WriteNewFile(
      credentials.jwks_file,
      absl::StrCat(R"({"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":")", kKid,
                   R"(","n":")", absl::WebSafeBase64Escape(absl::HexStringToBytes(hex)),
                   R"(","e":"AQAB"}]})"),
      0600);
  if (!s.ok()) return s;

  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string signing_input = absl::StrCat(
      absl::WebSafeBase64Escape(absl::StrCat(R"({"alg":"RS256","typ":"JWT","kid":")", kKid, "\"}")),
      ".",
      absl::WebSafeBase64Escape(absl::StrFormat(
          R"({"iss":"%s","aud":"%s","sub":"%s","iat":%d,"exp":%d})", kBenchIssuer,
          kBenchAudience, kBenchSubject, now, now + 86400)));
  const std::string input_file = dir + "/jwt.input";
  const std::string signature_file = dir + "/jwt.signature";
  s = ledger::WriteNewFile(input_file, signing_input, 0600);
  if (s.ok()) {
    s = tls::RunOpenssl(dir, absl::StrCat("dgst -sha256 -sign '", key, "' -out '", signature_file,
                                          "' '", input_file, "'"));
  }
  if (!s.ok()) return s;
  absl::StatusOr<std::string> signature = ledger::ReadInput(signature_file, 4096);
  if (!signature.ok()) return signature.status();
  credentials.jwt = absl::StrCat(signing_input, ".", absl::WebSafeBase64Escape(*signature));
  return absl::OkStatus();
}

// The CPU time this process has used, in microseconds.
double CpuMicros() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + usage.ru_utime.tv_usec +
         usage.ru_stime.tv_usec;
}

// One run of `mode` on a new log in `data_dir`.
absl::StatusOr<ModeRun> RunMode(AppendMode mode, int round, uint64_t requests,
                                const std::string& data_dir, const NoteSigner& signer,
                                const BenchCredentials& credentials,
                                const IdentityTlsBenchOptions& options) {
  if (mkdir(data_dir.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot create ", data_dir));
  }
  absl::StatusOr<std::shared_ptr<const AccessRules>> access =
      BuildAccessRules(AccessConfig(mode, credentials));
  if (!access.ok()) return access.status();
  LogServerOptions server_options;
  server_options.data_dir = data_dir;
  server_options.signer = &signer;
  server_options.access = *std::move(access);
  server_options.events = false;
  server_options.http.port = 0;
  HttpAppendBenchOptions bench;
  bench.clients = options.clients;
  bench.requests = requests;
  bench.receipt = true;
  bench.max_time = options.max_time;
  bench.token = credentials.token;
  const bool https = mode == AppendMode::kTlsJwt;
  if (https) {
    tls::ServerOptions tls_options;
    tls_options.cert_chain_file = credentials.certificates.server.cert;
    tls_options.key_file = credentials.certificates.server.key;
    absl::StatusOr<std::unique_ptr<tls::ServerContext>> context =
        tls::ServerContext::Create(tls_options);
    if (!context.ok()) return context.status();
    server_options.http.tls = *std::move(context);
    bench.tls.ca_file = credentials.certificates.ca;
    bench.token = credentials.jwt;
  }
  absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Open(std::move(server_options));
  if (!server.ok()) return server.status();
  bench.url = absl::StrCat(https ? "https" : "http", "://127.0.0.1:", (*server)->port());
  const double cpu_before = CpuMicros();
  absl::StatusOr<BenchResult> result = RunHttpAppendBench(bench);
  const double cpu = CpuMicros() - cpu_before;
  (*server)->Shutdown();
  if (!result.ok()) return result.status();
  ModeRun run;
  run.mode = mode;
  run.round = round;
  run.per_second = PerSecond(result->operations, result->seconds);
  run.p50_ms = result->latency.Percentile(50) * 1e3;
  run.p99_ms = result->latency.Percentile(99) * 1e3;
  run.errors = result->errors;
  run.cpu_us_per_append = result->operations > 0 ? cpu / result->operations : 0;
  run.json = HttpAppendBenchJson(bench, *result);
  return run;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t half = values.size() / 2;
  return values.size() % 2 == 1 ? values[half] : (values[half - 1] + values[half]) / 2;
}

}  // namespace

absl::string_view AppendModeName(AppendMode mode) {
  return mode == AppendMode::kTlsJwt ? "https+jwt" : "plaintext+token";
}

absl::StatusOr<BenchCredentials> MakeBenchCredentials(absl::string_view dir_view) {
  const std::string dir(dir_view);
  BenchCredentials credentials;
  absl::StatusOr<tls::TestCertificates> certificates = tls::MakeTestCertificates(dir);
  if (!certificates.ok()) return certificates.status();
  credentials.certificates = *std::move(certificates);
  credentials.token = absl::StrFormat("%016x%016x", RunNonce(), RunNonce());
  credentials.token_file = dir + "/tokens";
  absl::Status s = ledger::WriteNewFile(
      credentials.token_file, ledger::identity::TokenSet::Line(credentials.token, "bench-token"),
      0600);
  if (s.ok()) s = MakeJwt(dir, credentials);
  if (!s.ok()) return s;
  return credentials;
}

config::Config AccessConfig(AppendMode mode, const BenchCredentials& credentials) {
  config::Config config;
  if (mode == AppendMode::kPlaintextToken) {
    config.mutable_auth()->set_token_file(credentials.token_file);
    return config;
  }
  config::OidcIssuer* issuer = config.mutable_auth()->add_oidc();
  issuer->set_issuer(kBenchIssuer);
  issuer->add_audiences(kBenchAudience);
  issuer->set_jwks_file(credentials.jwks_file);
  config::Binding* binding = config.add_bindings();
  binding->set_principal(absl::StrCat(kBenchIssuer, "#", kBenchSubject));
  binding->add_roles("appender");
  return config;
}

absl::StatusOr<std::vector<ModeRun>> RunIdentityTlsBench(
    const IdentityTlsBenchOptions& options, const std::function<void(const ModeRun&)>& on_run) {
  if (absl::Status s = CheckClients(options.clients, options.requests); !s.ok()) return s;
  if (options.rounds < 1) {
    return absl::InvalidArgumentError(absl::StrCat("rounds: got ", options.rounds, ", want >= 1"));
  }
  if (mkdir(options.work_dir.c_str(), 0700) != 0) {
    return errno == EEXIST ? absl::FailedPreconditionError(absl::StrCat(
                                 options.work_dir, " already exists; give a new directory"))
                           : absl::UnavailableError(absl::StrCat("cannot create ",
                                                                 options.work_dir));
  }
  absl::StatusOr<BenchCredentials> credentials = MakeBenchCredentials(options.work_dir);
  if (!credentials.ok()) return credentials.status();
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey("bench.vellum.example/identity-tls");
  if (!key.ok()) return key.status();
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer = NoteSigner::Create(key->signer_key);
  if (!signer.ok()) return signer.status();

  std::vector<ModeRun> runs;
  for (int round = 0; round <= options.rounds; ++round) {
    const uint64_t requests = round == 0 ? std::max<uint64_t>(options.requests / 10, 1)
                                         : options.requests;
    for (int i = 0; i < 2; ++i) {
      const AppendMode mode = kModes[(i + round + 1) % 2];
      absl::StatusOr<ModeRun> run =
          RunMode(mode, round, requests,
                  absl::StrCat(options.work_dir, "/log-", round, "-", AppendModeName(mode)),
                  **signer, *credentials, options);
      if (!run.ok()) return run.status();
      on_run(*run);
      if (round > 0) runs.push_back(*std::move(run));
    }
  }
  return runs;
}

std::string IdentityTlsSummary(const std::vector<ModeRun>& runs) {
  std::string out;
  double medians[2] = {0, 0};
  std::map<int, std::array<double, 2>> by_round;  // Throughput by round and mode.
  for (int m = 0; m < 2; ++m) {
    std::vector<double> rates;
    std::vector<double> p99s;
    std::vector<double> cpus;
    uint64_t errors = 0;
    for (const ModeRun& run : runs) {
      if (run.mode != kModes[m]) continue;
      rates.push_back(run.per_second);
      p99s.push_back(run.p99_ms);
      cpus.push_back(run.cpu_us_per_append);
      errors += run.errors;
      by_round[run.round][m] = run.per_second;
    }
    if (rates.empty()) continue;
    medians[m] = Median(rates);
    absl::StrAppendFormat(
        &out,
        "%s: %d runs, median %.0f appends/s (%.0f to %.0f), median p99 %.2f ms (%.2f to %.2f), "
        "median CPU %.0f us/append, errors %d\n",
        AppendModeName(kModes[m]), rates.size(), medians[m],
        *std::min_element(rates.begin(), rates.end()),
        *std::max_element(rates.begin(), rates.end()), Median(p99s),
        *std::min_element(p99s.begin(), p99s.end()), *std::max_element(p99s.begin(), p99s.end()),
        Median(cpus), errors);
  }
  if (by_round.empty()) return out;
  absl::StrAppendFormat(&out, "https+jwt / plaintext+token: %.3f (medians); by round:",
                        medians[0] > 0 ? medians[1] / medians[0] : 0.0);
  for (const auto& [round, rates] : by_round) {
    absl::StrAppendFormat(&out, " %d: %.3f", round, rates[0] > 0 ? rates[1] / rates[0] : 0.0);
  }
  out += "\n";
  return out;
}

}  // namespace bench
}  // namespace api
}  // namespace vellum
