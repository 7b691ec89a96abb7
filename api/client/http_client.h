#ifndef VELLUM_API_CLIENT_HTTP_CLIENT_H_
#define VELLUM_API_CLIENT_HTTP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/http.h"
#include "api/tls/context.h"

namespace vellum {
namespace api {

// A blocking HTTP/1.1 client for one server, over plaintext (http://) or TLS (https://), keeping
// one connection alive across requests and reconnecting when the server closed it (a GET or HEAD
// that failed on a kept-alive connection is retried once on a new one; other methods are not).
// Responses are bounded in size. Thread-compatible: use one client per thread.
class HttpClient {
 public:
  struct Options {
    absl::Duration timeout = absl::Seconds(30);
    size_t max_response_bytes = 64 << 20;
    // For https:// URLs: the CAs to verify the server against and the client certificate
    // (docs/security.md, "TLS"). The server's certificate must name the URL's host. Unused for http://.
    tls::ClientOptions tls;
  };

  // `url` is http://HOST:PORT or https://HOST:PORT with an optional path prefix, e.g.
  // "http://127.0.0.1:8080". For https://, fails with InvalidArgument when the TLS files of
  // `options` cannot be loaded.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(absl::string_view url,
                                                            const Options& options);
  ~HttpClient();

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request to `target` (a path with an optional query, appended to the URL's path).
  // Fails with Unavailable on connection errors; any HTTP status is a successful exchange.
  absl::StatusOr<HttpResponse> Send(absl::string_view method, absl::string_view target,
                                    absl::string_view body = "",
                                    const std::vector<std::pair<std::string, std::string>>&
                                        headers = {});

  // GET `target`; fails unless the status is 200, with the status mapped back to a code
  // (StatusFromResponse in api/http.h).
  absl::StatusOr<std::string> Get(absl::string_view target);

 private:
  class Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The parts of a server URL http[s]://HOST:PORT[/PREFIX]: whether it is https, the host without
// brackets, the port ("80" or "443" if absent), and the path prefix without trailing slashes
// ("" if none).
struct ServerUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string prefix;
};
absl::StatusOr<ServerUrl> ParseServerUrl(absl::string_view url);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CLIENT_HTTP_CLIENT_H_
