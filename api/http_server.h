#ifndef VELLUM_API_HTTP_SERVER_H_
#define VELLUM_API_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/http.h"
#include "api/tls/context.h"

namespace vellum {
namespace api {

// An HTTP/1.1 server on Boost.Beast/Asio with keep-alive and bounded resources: header and body
// sizes, connections, and time to receive a request. It speaks plaintext HTTP, or HTTPS only
// (docs/security.md, "TLS") when given a TLS context. Thread-safe.
class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 8080;  // 0 picks a free port; see port().
    // I/O threads. Each serves the connections dealt to it, alone, for their whole life; one
    // more thread accepts connections and deals them out in turn.
    int threads = 2;
    size_t max_header_bytes = 8 * 1024;
    size_t max_body_bytes = 8 << 20;
    size_t max_connections = 4096;
    // A request must arrive whole within this time of its first byte (or of the connection).
    absl::Duration request_timeout = absl::Seconds(30);
    // An idle keep-alive connection is closed after this.
    absl::Duration idle_timeout = absl::Seconds(60);
    // HTTPS with this context (nullptr: plaintext HTTP). Every connection must complete its
    // handshake within request_timeout; one that does not, or that speaks plaintext, is closed
    // without an answer. The caller may Reload() the context while the server runs. With mTLS,
    // HttpRequest::tls_peer holds the verified client certificate's identity.
    std::shared_ptr<tls::ServerContext> tls;
  };

  // Sends the response for one request. May be called from any thread, exactly once.
  using Respond = std::function<void(HttpResponse)>;
  // Handles one request. Called on the I/O thread of the request's connection, which serves
  // other connections too, so it must not block: hand slow or waiting work elsewhere (a
  // WorkQueue) and call `respond` from there.
  using Handler = std::function<void(HttpRequest request, Respond respond)>;

  // Binds, listens and starts serving on `options.threads` threads.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const Options& options,
                                                           Handler handler);
  // Shuts down if still running.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;

  // Stops accepting, lets requests in flight finish (up to `grace`), then closes every
  // connection and joins the threads.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_HTTP_SERVER_H_
