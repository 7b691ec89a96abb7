#include "api/client/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace vellum {
namespace api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

}  // namespace

class HttpClient::Impl {
 public:
  Impl(std::string host, std::string port, std::string prefix, const Options& options)
      : host_(std::move(host)),
        port_(std::move(port)),
        prefix_(std::move(prefix)),
        options_(options),
        stream_(ioc_) {}

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
    ec = WithTimeout([&](auto done) { stream_.async_connect(endpoints, done); });
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", host_, ":", port_, ": ", ec.message()));
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
    connected_ = true;
    return absl::OkStatus();
  }

  absl::StatusOr<HttpResponse> Exchange(
      absl::string_view method, absl::string_view target, absl::string_view body,
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
        WithTimeout([&](auto done) { http::async_write(stream_, request, done); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    if (!ec) {
      ec = WithTimeout([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
    }
    if (ec) {
      Disconnect();
      return absl::UnavailableError(absl::StrCat(method, " ", prefix_, target, " on ", host_, ":",
                                                 port_, ": ", ec.message()));
    }
    http::response<http::string_body> message = parser.release();
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
  // error. beast::tcp_stream enforces its timeout on asynchronous operations only; the blocking
  // calls would wait forever on a server that accepts and never answers.
  template <typename Start>
  beast::error_code WithTimeout(Start start) {
    beast::error_code result = net::error::would_block;
    stream_.expires_after(absl::ToChronoNanoseconds(options_.timeout));
    start([&result](beast::error_code ec, const auto&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  void Disconnect() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    buffer_.clear();
    connected_ = false;
  }

  const std::string host_;
  const std::string port_;
  const std::string prefix_;
  const Options options_;
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

absl::StatusOr<ServerUrl> ParseServerUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("server URL \"", url, "\" must start with http://"));
  }
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  ServerUrl parsed;
  parsed.prefix = std::string(slash == absl::string_view::npos ? "" : rest.substr(slash));
  while (!parsed.prefix.empty() && parsed.prefix.back() == '/') parsed.prefix.pop_back();
  parsed.host = std::string(authority);
  parsed.port = "80";
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
  return std::unique_ptr<HttpClient>(new HttpClient(std::make_unique<Impl>(
      std::move(parsed->host), std::move(parsed->port), std::move(parsed->prefix), options)));
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
