// The C++ side of jwt_interop_test: reads the JWKS and tokens that jwt_interop_tokens.py made
// with PyJWT into DIR, and checks that OidcAuthenticator (or one issuer's OidcVerifier) accepts
// and refuses each as DIR/cases.txt says. Prints one line per case; exits 1 if any disagrees.
//
// Usage: jwt_interop_checker DIR

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/identity/oidc.h"

namespace vellum {
namespace ledger {
namespace identity {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Serves the files in turn, then the last one again: the issuer's key set as it changes.
class FileSequenceSource : public JwksSource {
 public:
  FileSequenceSource(std::vector<std::string> paths, int* fetches)
      : paths_(std::move(paths)), fetches_(fetches) {}

  absl::StatusOr<std::string> Fetch() override {
    absl::MutexLock lock(&mu_);
    const size_t index = std::min<size_t>(*fetches_, paths_.size() - 1);
    ++*fetches_;
    return ReadFile(paths_[index]);
  }

 private:
  absl::Mutex mu_;
  const std::vector<std::string> paths_;
  int* const fetches_ ABSL_GUARDED_BY(mu_);
};

int Run(const std::string& dir) {
  absl::Mutex clock_mu;
  absl::Duration offset = absl::ZeroDuration();
  auto clock = [&] {
    absl::MutexLock lock(&clock_mu);
    return absl::Now() + offset;
  };

  struct Issuer {
    OidcIssuerOptions options;
    std::vector<std::string> files;
    int fetches = 0;
  };
  std::vector<Issuer> issuers(3);
  issuers[0].options.issuer = "https://idp.example.com";
  issuers[0].options.algorithms = {"RS256", "ES256", "EdDSA"};
  issuers[0].options.groups_claim = "groups";
  issuers[0].files = {dir + "/jwks-a-1.json", dir + "/jwks-a-2.json"};
  issuers[1].options.issuer = "https://other-idp.example.com";  // Default algorithms: RS256.
  issuers[1].options.groups_claim = "groups";
  issuers[1].files = {dir + "/jwks-b.json"};
  issuers[2].options.issuer = "https://kubernetes.default.svc.cluster.local";
  issuers[2].options.kubernetes = true;
  issuers[2].options.principal_prefix = "";
  issuers[2].files = {dir + "/jwks-k8s.json"};

  std::vector<std::unique_ptr<OidcVerifier>> verifiers;
  for (Issuer& issuer : issuers) {
    issuer.options.audiences = {"vellum"};
    auto verifier = OidcVerifier::Create(
        issuer.options, std::make_unique<FileSequenceSource>(issuer.files, &issuer.fetches),
        clock);
    if (!verifier.ok()) {
      std::cerr << "FAIL creating the verifier: " << verifier.status() << "\n";
      return 1;
    }
    verifiers.push_back(*std::move(verifier));
  }
  auto authenticator = OidcAuthenticator::Create(std::move(verifiers));
  if (!authenticator.ok()) {
    std::cerr << "FAIL creating the authenticator: " << authenticator.status() << "\n";
    return 1;
  }

  absl::StatusOr<std::string> cases = ReadFile(dir + "/cases.txt");
  if (!cases.ok()) {
    std::cerr << "FAIL: " << cases.status() << "\n";
    return 1;
  }
  int passed = 0, failed = 0;
  auto report = [&](bool ok, absl::string_view name, absl::string_view detail) {
    (ok ? passed : failed)++;
    std::cout << (ok ? "PASS " : "FAIL ") << name << ": " << detail << "\n";
  };
  for (absl::string_view line : absl::StrSplit(*cases, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> words = absl::StrSplit(line, absl::MaxSplits(' ', 5));
    if (words[0] == "ADVANCE" && words.size() == 2) {
      int seconds = 0;
      if (!absl::SimpleAtoi(words[1], &seconds)) return 2;
      absl::MutexLock lock(&clock_mu);
      offset += absl::Seconds(seconds);
      continue;
    }
    if (words[0] == "FETCHES" && words.size() == 3) {
      int want = 0;
      if (!absl::SimpleAtoi(words[2], &want)) return 2;
      for (const Issuer& issuer : issuers) {
        if (issuer.options.issuer != words[1]) continue;
        report(issuer.fetches == want, absl::StrCat("fetches of ", words[1]),
               absl::StrCat("got ", issuer.fetches, ", want ", want));
      }
      continue;
    }
    // CASE name checker file ok|refuse rest...
    words = absl::StrSplit(line, absl::MaxSplits(' ', 4));
    if (words[0] != "CASE" || words.size() != 5) {
      std::cerr << "malformed line: " << line << "\n";
      return 2;
    }
    const std::string name(words[1]);
    absl::StatusOr<std::string> token = ReadFile(absl::StrCat(dir, "/", words[3]));
    if (!token.ok()) return 2;
    absl::StatusOr<Principal> principal;
    if (words[2] == "auth") {
      principal = (*authenticator)->Authenticate(*token);
    } else {
      OidcVerifier* verifier = (*authenticator)->verifier(words[2]);
      if (verifier == nullptr) return 2;
      principal = verifier->Verify(*token);
    }
    std::vector<absl::string_view> expect = absl::StrSplit(words[4], absl::MaxSplits(' ', 1));
    if (expect[0] == "ok") {
      std::vector<absl::string_view> want = absl::StrSplit(expect[1], ' ');
      if (!principal.ok()) {
        report(false, name, absl::StrCat("refused: ", principal.status().message()));
        continue;
      }
      const std::string groups =
          principal->groups.empty() ? "-" : absl::StrJoin(principal->groups, ",");
      const bool ok = want.size() == 2 && principal->name == want[0] && groups == want[1] &&
                      principal->authenticated_by == kByOidc;
      report(ok, name, absl::StrCat("accepted as ", principal->name, " groups ", groups));
    } else {
      if (principal.ok()) {
        report(false, name, absl::StrCat("accepted as ", principal->name));
        continue;
      }
      const absl::Status& status = principal.status();
      const bool ok = status.code() == absl::StatusCode::kUnauthenticated &&
                      absl::StartsWith(status.message(), expect[1]) &&
                      !absl::StrContains(status.message(), *token) &&
                      status.message().find('\n') == absl::string_view::npos;
      report(ok, name, absl::StrCat("refused: ", status.message(),
                                    ok ? "" : absl::StrCat(" (want: ", expect[1], "...)")));
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace
}  // namespace identity
}  // namespace ledger
}  // namespace vellum

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: jwt_interop_checker DIR\n";
    return 2;
  }
  return vellum::ledger::identity::Run(argv[1]);
}
