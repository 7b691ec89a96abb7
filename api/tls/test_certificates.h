#ifndef VELLUM_API_TLS_TEST_CERTIFICATES_H_
#define VELLUM_API_TLS_TEST_CERTIFICATES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {
namespace api {
namespace tls {

// A certificate and its key, as PEM file paths.
struct CertificateFiles {
  std::string cert;
  std::string key;
};

// Test certificates (P-256 keys), made by the openssl command. Server certificates name
// 127.0.0.1 and localhost unless said otherwise.
struct TestCertificates {
  std::string ca;        // The CA that signs everything below but `other_ca_server`.
  std::string other_ca;  // Another CA.
  CertificateFiles server;         // CN "server".
  CertificateFiles second_server;  // CN "second-server", for reloads.
  CertificateFiles wrong_host_server;  // Names only other.example.
  CertificateFiles expired_server;     // Expired the day before it was made.
  CertificateFiles other_ca_server;    // Signed by `other_ca`.
  CertificateFiles spiffe_client;  // URI SAN spiffe://vellum.test/ns/ci/sa/writer, CN "cn-ignored".
  CertificateFiles cn_client;      // CN "auditor", no SAN.
  CertificateFiles other_ca_client;  // CN "intruder", signed by `other_ca`.
};

// Runs /usr/bin/openssl with `args` (a shell word list), its output appended to
// `dir`/openssl.log. Fails with Internal, naming the command, when it exits non-zero.
absl::Status RunOpenssl(const std::string& dir, absl::string_view args);

// Makes the certificates in `dir` (an existing directory), with /usr/bin/openssl. Fails with
// Internal, naming the command, when a command fails.
absl::StatusOr<TestCertificates> MakeTestCertificates(absl::string_view dir);

// MakeTestCertificates in $TEST_TMPDIR, once per process.
const TestCertificates& SharedTestCertificates();

}  // namespace tls
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_TLS_TEST_CERTIFICATES_H_
