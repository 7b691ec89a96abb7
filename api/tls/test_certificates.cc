#include "api/tls/test_certificates.h"

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace api {
namespace tls {
namespace {

constexpr char kOpenssl[] = "/usr/bin/openssl";
constexpr char kServerNames[] = "subjectAltName=IP:127.0.0.1,DNS:localhost";

// A self-signed CA named `name`; returns its certificate's path (the key is beside it).
absl::StatusOr<std::string> MakeCa(const std::string& dir, const std::string& name) {
  const std::string base = absl::StrCat(dir, "/", name);
  absl::Status s = RunOpenssl(dir, absl::StrCat("req -x509 -newkey ec"
                                                " -pkeyopt ec_paramgen_curve:P-256"
                                                " -nodes -days 30 -subj '/CN=",
                                                name, "' -keyout '", base, ".key' -out '", base,
                                                ".crt'"));
  if (!s.ok()) return s;
  return base + ".crt";
}

// A certificate `name` with `subject` and the extension lines `extensions`, signed by the CA
// `ca` (its .crt path), valid for `days` (negative: expired).
absl::StatusOr<CertificateFiles> MakeLeaf(const std::string& dir, const std::string& ca,
                                          const std::string& name, const std::string& subject,
                                          const std::string& extensions, int days) {
  const std::string base = absl::StrCat(dir, "/", name);
  {
    std::ofstream ext(base + ".ext");
    ext << "basicConstraints=CA:FALSE\n" << extensions << "\n";
    if (!ext) return absl::InternalError(absl::StrCat("cannot write ", base, ".ext"));
  }
  const std::string ca_key = ca.substr(0, ca.size() - 4) + ".key";
  absl::Status s = RunOpenssl(dir, absl::StrCat("req -new -newkey ec"
                                                " -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '",
                                                subject, "' -keyout '", base, ".key' -out '", base,
                                                ".csr'"));
  if (s.ok()) {
    s = RunOpenssl(dir, absl::StrCat("x509 -req -in '", base, ".csr' -CA '", ca, "' -CAkey '",
                                     ca_key, "' -CAcreateserial -days ", days, " -extfile '",
                                     base, ".ext' -out '", base, ".crt'"));
  }
  if (!s.ok()) return s;
  return CertificateFiles{base + ".crt", base + ".key"};
}

}  // namespace

absl::Status RunOpenssl(const std::string& dir, absl::string_view args) {
  const std::string line = absl::StrCat(kOpenssl, " ", args, " >>'", dir, "/openssl.log' 2>&1");
  const int status = std::system(line.c_str());
  if (status != 0) {
    return absl::InternalError(absl::StrCat("\"openssl ", args, "\" exited with status ", status,
                                            "; see ", dir, "/openssl.log"));
  }
  return absl::OkStatus();
}

absl::StatusOr<TestCertificates> MakeTestCertificates(absl::string_view dir_view) {
  const std::string dir(dir_view);
  TestCertificates made;
  absl::StatusOr<std::string> ca = MakeCa(dir, "test-ca");
  if (!ca.ok()) return ca.status();
  made.ca = *ca;
  absl::StatusOr<std::string> other_ca = MakeCa(dir, "other-ca");
  if (!other_ca.ok()) return other_ca.status();
  made.other_ca = *other_ca;
  const std::string server = absl::StrCat(kServerNames, "\nextendedKeyUsage=serverAuth");
  const std::string client = "extendedKeyUsage=clientAuth";
  struct Leaf {
    CertificateFiles* files;
    const std::string* ca;
    const char* name;
    const char* subject;
    std::string extensions;
    int days;
  } leaves[] = {
      {&made.server, &made.ca, "server", "/CN=server", server, 30},
      {&made.second_server, &made.ca, "second-server", "/CN=second-server", server, 30},
      {&made.wrong_host_server, &made.ca, "wrong-host-server", "/CN=other.example",
       "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth", 30},
      {&made.expired_server, &made.ca, "expired-server", "/CN=expired", server, -1},
      {&made.other_ca_server, &made.other_ca, "other-ca-server", "/CN=server", server, 30},
      {&made.spiffe_client, &made.ca, "spiffe-client", "/CN=cn-ignored",
       "subjectAltName=URI:spiffe://vellum.test/ns/ci/sa/writer\n" + client, 30},
      {&made.cn_client, &made.ca, "cn-client", "/CN=auditor", client, 30},
      {&made.other_ca_client, &made.other_ca, "other-ca-client", "/CN=intruder", client, 30},
  };
  for (const Leaf& leaf : leaves) {
    absl::StatusOr<CertificateFiles> files =
        MakeLeaf(dir, *leaf.ca, leaf.name, leaf.subject, leaf.extensions, leaf.days);
    if (!files.ok()) return files.status();
    *leaf.files = *std::move(files);
  }
  return made;
}

const TestCertificates& SharedTestCertificates() {
  static const TestCertificates* const made = [] {
    const char* dir = std::getenv("TEST_TMPDIR");
    absl::StatusOr<TestCertificates> certificates = MakeTestCertificates(dir ? dir : "/tmp");
    if (!certificates.ok()) {
      std::cerr << "cannot make the test certificates: " << certificates.status() << "\n";
      std::abort();
    }
    return new TestCertificates(*std::move(certificates));
  }();
  return *made;
}

}  // namespace tls
}  // namespace api
}  // namespace vellum
