#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/types/optional.h"
#include "api/beast_codec.h"
#include "api/tls/tls_stream.h"

namespace vellum {
namespace api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using Executor = tls::Executor;
using Socket = tls::Socket;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;
using Timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                        net::wait_traits<std::chrono::steady_clock>, Executor>;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

// The TCP socket under a session's stream.
Socket& TcpSocket(Socket& socket) { return socket; }
Socket& TcpSocket(tls::TlsStream& stream) { return stream.socket(); }

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const Options& options, Handler handler)
      : options_(options), handler_(std::move(handler)), acceptor_(accept_context_) {
    for (int i = 0; i < std::max(options.threads, 1); ++i) {
      contexts_.push_back(std::make_unique<net::io_context>(1));
      work_.push_back(net::make_work_guard(*contexts_.back()));
    }
  }

  absl::Status Listen() {
    beast::error_code ec;
    net::ip::address address = net::ip::make_address(options_.address, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", options_.address, "\": ", ec.message()));
    }
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.address, ":",
                                                 options_.port, ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    threads_.emplace_back([this] { accept_context_.run(); });
    for (auto& context : contexts_) {
      threads_.emplace_back([context = context.get()] { context->run(); });
    }
    return absl::OkStatus();
  }

  uint16_t port() const { return port_; }

  void Shutdown(absl::Duration grace) {
    if (stopped_.exchange(true)) return;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    // Requests in flight finish and their answers are written (sessions then close, since
    // answers given after stopped_ is set do not keep the connection alive).
    absl::Time deadline = absl::Now() + grace;
    while (in_flight_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
    accept_context_.stop();
    for (auto& context : contexts_) context->stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  ~Impl() { Shutdown(absl::ZeroDuration()); }

 private:
  template <typename Stream>
  class Session;

  void Accept();

  const Options options_;
  const Handler handler_;
  std::atomic<bool> stopped_{false};
  std::atomic<size_t> connections_{0};
  std::atomic<size_t> in_flight_{0};
  // One single-threaded io_context per I/O thread. A connection stays on the context it was
  // dealt to, so its handlers need no strand, and threads do not wake each other for a
  // completion (docs/benchmarks.md, "Proof serving"). Sessions still queued on a context are
  // destroyed with it, so the members above must outlive the contexts.
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  // Keep contexts without connections running.
  std::vector<net::executor_work_guard<Executor>> work_;
  // Connections are accepted on a thread of their own, so that a busy I/O thread never delays
  // new connections, which are dealt to the I/O threads in turn.
  net::io_context accept_context_{1};
  Acceptor acceptor_;
  size_t next_context_ = 0;  // Used on the accepting thread only.
  std::vector<std::thread> threads_;  // The accepting thread, then the I/O threads.
  uint16_t port_ = 0;
};

// One connection: reads requests one at a time, hands each to the handler, writes its response.
//
// Time limits use one timer per connection, armed lazily: each phase (waiting for a request,
// reading its body, writing the answer) only moves a deadline, a plain store, and the timer, when
// it fires, closes the connection if the deadline has passed or sleeps again until it. Re-arming
// a timer on every read and write costs a timerfd_settime system call each (docs/benchmarks.md);
// this way a busy connection re-arms about once per timeout period. Deadlines only move later, so
// a phase gets at least its own limit, and a stalled or dribbling client is still cut off.
//
// `Stream` is the plain Socket or a tls::TlsStream. A TLS session first completes the handshake,
// within the request timeout, and reads nothing before; it ends with a close_notify.
template <typename Stream>
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr bool kTls = std::is_same<Stream, tls::TlsStream>::value;

  Session(Impl* server, Stream stream)
      : server_(server), stream_(std::move(stream)), timer_(stream_.get_executor()) {
    server_->connections_++;
    beast::error_code ec;
    tcp::endpoint remote = TcpSocket(stream_).remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }
  ~Session() { server_->connections_--; }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->ExtendDeadline(self->server_->options_.request_timeout);
      self->ArmTimer(self->deadline_);
      if constexpr (kTls) {
        self->stream_.async_handshake([self](beast::error_code ec) {
          if (ec) return self->Abort();
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

 private:
  // The deadline becomes at least `limit` from now.
  void ExtendDeadline(absl::Duration limit) {
    deadline_ = std::max(deadline_, Clock::now() + ToChrono(limit));
  }

  void ArmTimer(Clock::time_point at) {
    timer_.expires_at(at);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
  }

  void OnTimer(beast::error_code ec) {
    if (ec == net::error::operation_aborted || !TcpSocket(stream_).is_open()) return;
    const Clock::time_point now = Clock::now();
    if (handling_) {
      // The handler may take a while (a durable append); the answer's write gets its own limit.
      return ArmTimer(now + ToChrono(server_->options_.request_timeout));
    }
    if (now < deadline_) return ArmTimer(deadline_);
    // Past the deadline: closing cancels the pending read or write, which then ends the session.
    TcpSocket(stream_).close(ec);
  }

  void Read() {
    if (server_->stopped_.load() || !TcpSocket(stream_).is_open()) return Close();
    parser_.emplace();
    LimitRequestParser(server_->options_.max_header_bytes, server_->options_.max_body_bytes,
                       &*parser_);
    if (!first_request_) ExtendDeadline(server_->options_.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    // A request without a body (any GET) is complete with its header.
    if (parser_->is_done()) return OnRead(ec);
    ExtendDeadline(server_->options_.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnReadError(beast::error_code ec) {
    absl::optional<HttpResponse> response =
        ReadErrorResponse(ec, server_->options_.max_body_bytes);
    if (!response.has_value() || !TcpSocket(stream_).is_open()) return Close();
    keep_alive_ = false;
    Write(*std::move(response), /*answers_request=*/false);
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    first_request_ = false;
    BeastRequest message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    head_request_ = message.method() == http::verb::head;
    HttpRequest request = ToHttpRequest(std::move(message), remote_address_);
    if constexpr (kTls) request.tls_peer = stream_.peer_identity();
    handling_ = true;
    server_->in_flight_++;  // Until its answer is written: Shutdown() waits for that.
    // A handler that answers at once runs the write inline on this thread; one that answers from
    // another thread queues it here.
    server_->handler_(std::move(request), [self = this->shared_from_this()](HttpResponse response) {
      net::dispatch(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable {
                  self->handling_ = false;
                  self->Write(std::move(response), /*answers_request=*/true);
                });
    });
  }

  // Writes `response`; `answers_request` if it answers a request counted in flight.
  void Write(HttpResponse response, bool answers_request) {
    // An answer to HEAD has no body (RFC 9110 section 9.3.2); one would desynchronize a
    // keep-alive client.
    if (head_request_) response.body.clear();
    auto message = std::make_shared<BeastResponse>(ToBeastResponse(
        std::move(response), version_, keep_alive_ && !server_->stopped_.load()));
    ExtendDeadline(server_->options_.request_timeout);
    http::async_write(stream_, *message, [self = this->shared_from_this(), message, answers_request](
                                             beast::error_code ec, size_t) {
      if (answers_request) self->server_->in_flight_--;
      if (ec || !message->keep_alive()) return self->Close();
      self->Read();
    });
  }

  // Ends the session: once the timer's wait is cancelled, nothing holds it any more. A TLS
  // session first sends its close_notify and waits for the peer's, until the deadline.
  void Close() {
    if constexpr (kTls) {
      if (closing_) return;
      closing_ = true;
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        self->Abort();
      });
    } else {
      Abort();
    }
  }

  // Ends the session at once.
  void Abort() {
    beast::error_code ec;
    TcpSocket(stream_).shutdown(tcp::socket::shutdown_send, ec);
    if constexpr (kTls) TcpSocket(stream_).close(ec);
    timer_.cancel();
  }

  Impl* const server_;
  Stream stream_;
  Timer timer_;
  Clock::time_point deadline_ = Clock::time_point::min();
  bool handling_ = false;
  beast::flat_buffer buffer_;
  boost::optional<BeastRequestParser> parser_;
  std::string remote_address_;
  bool keep_alive_ = false;
  bool first_request_ = true;
  bool head_request_ = false;
  bool closing_ = false;  // A TLS session's close_notify is on its way.
  unsigned version_ = 11;
};

void HttpServer::Impl::Accept() {
  net::io_context& context = *contexts_[next_context_++ % contexts_.size()];
  acceptor_.async_accept(context, [this](beast::error_code ec, Socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || stopped_.load()) return;
    } else if (connections_.load() >= options_.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // Over the limit: refuse rather than queue without bound.
    } else {
      if (options_.tls != nullptr) {
        std::make_shared<Session<tls::TlsStream>>(
            this, tls::TlsStream(std::move(socket), *options_.tls))->Start();
      } else {
        std::make_shared<Session<Socket>>(this, std::move(socket))->Start();
      }
    }
    if (!stopped_.load()) Accept();
  });
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options,
                                                              Handler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  absl::Status status = impl->Listen();
  if (!status.ok()) return status;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(absl::Duration grace) { impl_->Shutdown(grace); }

}  // namespace api
}  // namespace vellum
