#include "api/client/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/tls/tls_stream.h"

namespace vellum {
namespace api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

// The message of a failed TLS handshake: the certificate's refusal when there was one.
std::string HandshakeError(const tls::TlsStream& stream, beast::error_code ec) {
  std::string refusal = stream.verify_error();
  return refusal.empty() ? ec.message() : absl::StrCat(ec.message(), ": ", refusal);
}

}  // namespace

class HttpClient::Impl {
 public:
  Impl(ServerUrl url, const Options& options, std::unique_ptr<tls::ClientContext> tls)
      : host_(std::move(url.host)),
        port_(std::move(url.port)),
        prefix_(std::move(url.prefix)),
        options_(options),
        tls_context_(std::move(tls)),
        socket_(ioc_.get_executor()) {}

  absl::StatusOr<HttpResponse> Send(absl::string_view method, absl::string_view target,
                                    absl::string_view body,
                                    const std::vector<std::pair<std::string, std::string>>& headers) {
    // A kept-alive connection may have been closed by the server: retry once on a new one, but
    // only for GET and HEAD. A failed POST may still have been applied; retrying it could
    // append an entry twice, so that is the caller's decision.
    const bool idempotent = method == "GET" || method == "HEAD";
    for (int attempt = 0;; ++attempt) {
      bool fresh = !connected_;
      if (!connected_) {
        if (absl::Status s = Connect(); !s.ok()) return s;
      }
      absl::StatusOr<HttpResponse> response = Exchange(method, target, body, headers);
      if (response.ok() || fresh || attempt > 0 || !idempotent) return response;
    }
  }

 private:
  absl::Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat("cannot resolve ", host_, ": ", ec.message()));
    }
    ec = WithTimeout([&](auto done) { net::async_connect(socket_, endpoints, done); });
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", host_, ":", port_, ": ", ec.message()));
    }
    socket_.set_option(tcp::no_delay(true), ec);
    if (tls_context_ != nullptr) {
      tls_ = std::make_unique<tls::TlsStream>(std::move(socket_), *tls_context_, host_);
      ec = WithTimeout([&](auto done) { tls_->async_handshake(done); });
      if (ec) {
        std::string why = HandshakeError(*tls_, ec);
        Disconnect();
        return absl::UnavailableError(
            absl::StrCat("TLS handshake with ", host_, ":", port_, ": ", why));
      }
    }
    connected_ = true;
    return absl::OkStatus();
  }

  absl::StatusOr<HttpResponse> Exchange(
      absl::string_view method, absl::string_view target, absl::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) {
    return tls_ != nullptr ? Exchange(*tls_, method, target, body, headers)
                           : Exchange(socket_, method, target, body, headers);
  }

  template <typename Stream>
  absl::StatusOr<HttpResponse> Exchange(
      Stream& stream, absl::string_view method, absl::string_view target, absl::string_view body,
      const std::vector<std::pair<std::string, std::string>>& headers) {
    http::request<http::string_body> request;
    request.method_string(beast::string_view(method.data(), method.size()));
    request.target(absl::StrCat(prefix_, target));
    request.version(11);
    request.set(http::field::host, host_);
    request.keep_alive(true);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::string(body);
    request.prepare_payload();
    beast::error_code ec =
        WithTimeout([&](auto done) { http::async_write(stream, request, done); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    if (!ec) {
      ec = WithTimeout([&](auto done) { http::async_read(stream, buffer_, parser, done); });
    }
    if (ec) {
      Disconnect();
      return absl::UnavailableError(absl::StrCat(method, " ", prefix_, target, " on ", host_, ":",
                                                 port_, ": ", ec.message()));
    }
    http::response<http::string_body> message = parser.release();
    // Beast's body_limit alone let a longer body through in tests (Boost 1.74), so the limit
    // is also checked here, on what was read.
    if (message.body().size() > options_.max_response_bytes) {
      Disconnect();
      return absl::UnavailableError(absl::StrCat(
          method, " ", prefix_, target, " on ", host_, ":", port_, ": the answer has ",
          message.body().size(), " bytes, want at most ", options_.max_response_bytes));
    }
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    response.content_type = std::string(message[http::field::content_type]);
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    if (!message.keep_alive()) Disconnect();
    return response;
  }

  // Runs the asynchronous operation that `start` begins (it is passed the completion handler)
  // to completion, within options_.timeout, on this client's own io_context, and returns its
  // error (beast::error::timeout past the time; the connection is then closed). Blocking calls
  // would wait forever on a server that accepts and never answers.
  template <typename Start>
  beast::error_code WithTimeout(Start start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, const auto&...) { result = ec; });
    ioc_.restart();
    ioc_.run_for(absl::ToChronoNanoseconds(options_.timeout));
    if (result == net::error::would_block) {
      beast::error_code ignored;
      TcpSocket().close(ignored);  // The operation completes with operation_aborted.
      ioc_.restart();
      ioc_.run();
      result = beast::error::timeout;
    }
    return result;
  }

  tls::Socket& TcpSocket() { return tls_ != nullptr ? tls_->socket() : socket_; }

  // Closes the connection (a TLS one without close_notify: the server needs none, since every
  // answer it sent was delimited).
  void Disconnect() {
    beast::error_code ec;
    TcpSocket().shutdown(tcp::socket::shutdown_both, ec);
    TcpSocket().close(ec);
    tls_.reset();
    buffer_.clear();
    connected_ = false;
  }

  const std::string host_;
  const std::string port_;
  const std::string prefix_;
  const Options options_;
  const std::unique_ptr<tls::ClientContext> tls_context_;  // nullptr for http://.
  net::io_context ioc_;
  // The connection: socket_ alone, or, for https://, tls_ (holding the socket once connected).
  tls::Socket socket_;
  std::unique_ptr<tls::TlsStream> tls_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

absl::StatusOr<ServerUrl> ParseServerUrl(absl::string_view url) {
  absl::string_view rest = url;
  ServerUrl parsed;
  parsed.tls = absl::ConsumePrefix(&rest, "https://");
  if (!parsed.tls && !absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("server URL \"", url, "\" must start with http:// or https://"));
  }
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  parsed.prefix = std::string(slash == absl::string_view::npos ? "" : rest.substr(slash));
  while (!parsed.prefix.empty() && parsed.prefix.back() == '/') parsed.prefix.pop_back();
  parsed.host = std::string(authority);
  parsed.port = parsed.tls ? "443" : "80";
  size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos && authority.find(']', colon) == absl::string_view::npos) {
    parsed.host = std::string(authority.substr(0, colon));
    parsed.port = std::string(authority.substr(colon + 1));
  }
  if (absl::StartsWith(parsed.host, "[") && absl::EndsWith(parsed.host, "]")) {
    parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
  }
  if (parsed.host.empty() || parsed.port.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("server URL \"", url, "\" has no host"));
  }
  return parsed;
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(absl::string_view url,
                                                              const Options& options) {
  absl::StatusOr<ServerUrl> parsed = ParseServerUrl(url);
  if (!parsed.ok()) return parsed.status();
  std::unique_ptr<tls::ClientContext> tls;
  if (parsed->tls) {
    absl::StatusOr<std::unique_ptr<tls::ClientContext>> context =
        tls::ClientContext::Create(options.tls);
    if (!context.ok()) return context.status();
    tls = *std::move(context);
  }
  return std::unique_ptr<HttpClient>(
      new HttpClient(std::make_unique<Impl>(*std::move(parsed), options, std::move(tls))));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() = default;

absl::StatusOr<HttpResponse> HttpClient::Send(
    absl::string_view method, absl::string_view target, absl::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  return impl_->Send(method, target, body, headers);
}

absl::StatusOr<std::string> HttpClient::Get(absl::string_view target) {
  absl::StatusOr<HttpResponse> response = Send("GET", target);
  if (!response.ok()) return response.status();
  if (response->status != 200) return StatusFromResponse(*response);
  return std::move(response->body);
}

}  // namespace api
}  // namespace vellum
