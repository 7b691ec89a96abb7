#include "api/client/jwks_source.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger/file_io.h"
#include "ledger/identity/jwk.h"

namespace vellum {
namespace api {

absl::StatusOr<std::string> FileJwksSource::Fetch() {
  absl::StatusOr<std::string> text = ledger::ReadInput(path_, ledger::identity::kMaxJwksBytes);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("JWKS file ", path_, ": ", text.status().message()));
  }
  return text;
}

absl::StatusOr<std::unique_ptr<HttpsJwksSource>> HttpsJwksSource::Create(
    absl::string_view uri, std::string ca_file, std::string bearer_token) {
  if (!absl::StartsWith(uri, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat("jwks_uri: want an https:// URL, got \"",
                                                   uri.substr(0, 64), "\""));
  }
  const size_t path_start = uri.find('/', strlen("https://"));
  if (path_start == absl::string_view::npos || path_start + 1 == uri.size()) {
    return absl::InvalidArgumentError("jwks_uri: want https://HOST[:PORT]/PATH");
  }
  HttpClient::Options options;
  options.timeout = absl::Seconds(10);
  options.max_response_bytes = ledger::identity::kMaxJwksBytes;
  options.tls.ca_file = std::move(ca_file);
  // Checks the URL and loads the CA file now, so that a bad one stops the configuration.
  absl::StatusOr<std::unique_ptr<HttpClient>> probe =
      HttpClient::Create(uri.substr(0, path_start), options);
  if (!probe.ok()) return probe.status();
  return std::unique_ptr<HttpsJwksSource>(
      new HttpsJwksSource(std::string(uri.substr(0, path_start)),
                          std::string(uri.substr(path_start)), std::move(options),
                          std::move(bearer_token)));
}

absl::StatusOr<std::string> HttpsJwksSource::Fetch() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::unique_ptr<HttpClient>> client = HttpClient::Create(server_, options_);
  if (!client.ok()) return client.status();
  std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"}};
  if (!bearer_token_.empty()) headers.emplace_back("Authorization", "Bearer " + bearer_token_);
  absl::StatusOr<HttpResponse> response = (*client)->Send("GET", path_, "", headers);
  if (!response.ok()) {
    return absl::UnavailableError(
        absl::StrCat("JWKS ", server_, path_, ": ", response.status().message()));
  }
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat("JWKS ", server_, path_, ": ",
                                               StatusFromResponse(*response).message()));
  }
  return std::move(response->body);
}

}  // namespace api
}  // namespace vellum
