#ifndef VELLUM_API_CLIENT_JWKS_SOURCE_H_
#define VELLUM_API_CLIENT_JWKS_SOURCE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "api/client/http_client.h"
#include "ledger/identity/oidc.h"

namespace vellum {
namespace api {

// An OIDC issuer's keys from a JWKS file, read again at each fetch (so an unknown kid finds a
// key added to the file). Thread-safe.
class FileJwksSource : public ledger::identity::JwksSource {
 public:
  explicit FileJwksSource(std::string path) : path_(std::move(path)) {}
  absl::StatusOr<std::string> Fetch() override;

 private:
  const std::string path_;
};

// An OIDC issuer's keys from its jwks_uri over HTTPS: the server is verified against `ca_file`
// (empty: the system's CAs), and sent `Authorization: Bearer <token>` when a token is given (a
// Kubernetes API server's /openid/v1/jwks needs one). Answers above the JWKS limit are refused.
// Thread-safe (fetches are serialized).
class HttpsJwksSource : public ledger::identity::JwksSource {
 public:
  // Fails with InvalidArgument unless `uri` is https://HOST[:PORT]/PATH.
  static absl::StatusOr<std::unique_ptr<HttpsJwksSource>> Create(absl::string_view uri,
                                                                  std::string ca_file,
                                                                  std::string bearer_token);
  absl::StatusOr<std::string> Fetch() override;

 private:
  HttpsJwksSource(std::string server, std::string path, HttpClient::Options options,
                  std::string bearer_token)
      : server_(std::move(server)),
        path_(std::move(path)),
        options_(std::move(options)),
        bearer_token_(std::move(bearer_token)) {}

  const std::string server_;
  const std::string path_;
  const HttpClient::Options options_;
  const std::string bearer_token_;
  absl::Mutex mu_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CLIENT_JWKS_SOURCE_H_
