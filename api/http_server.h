#ifndef VELLUM_API_HTTP_SERVER_H_
#define VELLUM_API_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "api/http.h"
#include "api/source_address.h"
#include "api/source_limits.h"
#include "api/tls/context.h"
#include "ledger/identity/principal.h"

namespace vellum {
namespace api {

// An HTTP/1.1 server on Boost.Beast/Asio with keep-alive and bounded resources: header and body
// sizes, connections in all and per source address, requests per second per source, and time to
// receive a request's header and its body (docs/operations.md, "Limits"). It speaks plaintext
// HTTP, or HTTPS only (docs/security.md, "TLS") when given a TLS context. A request is decided
// from its header first (Admit), so a caller without the right credential, or over a limit, is
// answered before its body is read. Thread-safe.
class HttpServer {
 public:
  // The decision on a request from its header (Options::admit).
  struct Admission {
    // Answer this without reading the body: a refusal, or an answer the header alone gives.
    absl::optional<HttpResponse> answer;
    // Else the body may hold this many bytes (capped at Options::max_body_bytes); a longer one
    // is refused with 413 before it is read, when its Content-Length says so.
    size_t max_body_bytes = 0;
    // Set as HttpRequest::caller of the whole request.
    std::shared_ptr<const ledger::identity::Principal> caller;
  };
  using Admitted = std::function<void(Admission)>;
  // Decides on a request from its header (HttpRequest::body empty, remote_address the source)
  // and calls `done` exactly once, from any thread. Must not block, like Handler.
  using Admit = std::function<void(const HttpRequest& head, Admitted done)>;
  // Told of each request refused at a limit before it reached `admit` or the handler: `reason`
  // is "rate_limit", "body_too_large", "header_too_large" or "bad_forwarded_for". Called on an
  // I/O thread; must be cheap.
  using Refused = std::function<void(const HttpRequest& head, absl::string_view reason)>;

  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 8080;  // 0 picks a free port; see port().
    // I/O threads. Each serves the connections dealt to it, alone, for their whole life; one
    // more thread accepts connections and deals them out in turn.
    int threads = 2;
    size_t max_header_bytes = 8 * 1024;
    // The largest body of any request; Admission::max_body_bytes sets each request's own.
    size_t max_body_bytes = 8 << 20;
    size_t max_connections = 4096;
    // Per source address: open connections and request rate. The connection limit counts the
    // peer's address, and does not apply to trusted proxies; the rate counts the source
    // (below).
    SourceLimiter::Options source_limits;
    // Peers whose X-Forwarded-For names the source (HttpRequest::remote_address).
    TrustedProxies trusted_proxies;
    // A request's header must arrive whole within this time of its first byte; a new connection
    // must complete its TLS handshake and send its first header within it.
    absl::Duration header_timeout = absl::Seconds(5);
    // A request's body must arrive, and an answer be written, within this time.
    absl::Duration request_timeout = absl::Seconds(30);
    // An idle keep-alive connection is closed after this.
    absl::Duration idle_timeout = absl::Seconds(60);
    // HTTPS with this context (nullptr: plaintext HTTP). Every connection must complete its
    // handshake within request_timeout; one that does not, or that speaks plaintext, is closed
    // without an answer. The caller may Reload() the context while the server runs. With mTLS,
    // HttpRequest::tls_peer holds the verified client certificate's identity.
    std::shared_ptr<tls::ServerContext> tls;
    // nullptr admits every request with max_body_bytes.
    Admit admit;
    Refused refused;
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

  // The server's counters in the Prometheus text format: connections open and refused,
  // connections closed at a time limit, requests refused at a limit.
  void RenderMetrics(std::string* out) const;

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
