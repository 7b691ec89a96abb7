#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
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

#include "absl/base/macros.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/types/optional.h"
#include "api/beast_codec.h"
#include "api/tls/tls_stream.h"
#include "ledger/metrics/metrics.h"
#include "ledger/refusal.h"

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
      : options_(options),
        handler_(std::move(handler)),
        limiter_(options.source_limits),
        acceptor_(accept_context_) {
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

  void RenderMetrics(std::string* out) const;

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
  // A request refused at a limit: counted, and told to Options::refused.
  void Refuse(const HttpRequest& head, absl::string_view reason);

  // What a connection was doing when its time ran out.
  enum Phase { kHeader, kIdle, kBody, kWrite, kLinger, kPhases };
  static constexpr const char* kPhaseNames[kPhases] = {"header", "idle", "body", "write",
                                                       "linger"};
  static constexpr const char* kRefusalNames[] = {"rate_limit", "body_too_large",
                                                  "header_too_large", "bad_forwarded_for"};

  const Options options_;
  const Handler handler_;
  SourceLimiter limiter_;
  std::atomic<bool> stopped_{false};
  std::atomic<size_t> connections_{0};
  std::atomic<size_t> in_flight_{0};
  std::atomic<uint64_t> refused_max_connections_{0};
  std::atomic<uint64_t> refused_per_source_{0};
  std::atomic<uint64_t> timeouts_[kPhases] = {};
  std::atomic<uint64_t> refused_requests_[4] = {};
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

// One connection: reads requests one at a time, decides on each from its header (Admit), reads
// its body, hands it to the handler, writes its response.
//
// Time limits use one timer per connection that never sleeps longer than a tick (half the
// header timeout): each phase (waiting idle for a request, reading its header, its body, writing
// the answer) only stores a deadline, and the timer, when it wakes, closes the connection if the
// deadline has passed. Re-arming a timer on every read and write costs a timerfd_settime system
// call each (docs/benchmarks.md); this way a connection re-arms once per tick. A deadline is
// enforced within a tick of passing.
//
// `Stream` is the plain Socket or a tls::TlsStream. A TLS session first completes the handshake,
// within the header timeout, and reads nothing before; it ends with a close_notify.
template <typename Stream>
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr bool kTls = std::is_same<Stream, tls::TlsStream>::value;

  // `counted_source` is the peer address the server counted this connection under
  // (SourceLimiter::OpenConnection), or "" for none.
  Session(Impl* server, Stream stream, std::string peer, std::string counted_source)
      : server_(server),
        stream_(std::move(stream)),
        timer_(stream_.get_executor()),
        peer_(std::move(peer)),
        counted_source_(std::move(counted_source)) {
    server_->connections_++;
  }
  ~Session() {
    if (in_flight_) server_->in_flight_--;
    if (!counted_source_.empty()) server_->limiter_.CloseConnection(counted_source_);
    server_->connections_--;
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->SetDeadline(kHeader, self->server_->options_.header_timeout);
      self->ArmTimer();
      if constexpr (kTls) {
        self->stream_.async_handshake([self](beast::error_code ec) {
          if (ec) return self->Abort();
          self->ReadHeader();
        });
      } else {
        self->ReadHeader();
      }
    });
  }

 private:
  void SetDeadline(Phase phase, absl::Duration limit) {
    phase_ = phase;
    deadline_ = Clock::now() + ToChrono(limit);
  }

  // Wakes at the deadline or within a tick, whichever is first; while a request is decided and
  // handled, within a tick.
  void ArmTimer() {
    const absl::Duration tick =
        std::max(server_->options_.header_timeout / 2, absl::Milliseconds(10));
    const Clock::time_point next = Clock::now() + ToChrono(tick);
    timer_.expires_at(handling_ ? next : std::min(deadline_, next));
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
  }

  void OnTimer(beast::error_code ec) {
    if (ec == net::error::operation_aborted || !TcpSocket(stream_).is_open()) return;
    // While the request is decided and handled (a durable append may take a while, a witnessed
    // receipt longer) no deadline runs; the answer's write gets its own.
    if (handling_ || Clock::now() < deadline_) return ArmTimer();
    server_->timeouts_[phase_]++;
    // Past the deadline: closing cancels the pending read or write, which then ends the session.
    TcpSocket(stream_).close(ec);
  }

  // Waits for the next request: idle until its first byte, then its header within the header
  // timeout. The first request's time started with the connection.
  void Read() {
    if (server_->stopped_.load() || !TcpSocket(stream_).is_open()) return Close();
    if (buffer_.size() > 0) {
      SetDeadline(kHeader, server_->options_.header_timeout);
      return ReadHeader();
    }
    SetDeadline(kIdle, server_->options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->SetDeadline(kHeader, self->server_->options_.header_timeout);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    max_body_bytes_ = server_->options_.max_body_bytes;
    parser_.emplace();
    // The body's limit is set once the request is admitted (OnAdmitted), which checks a
    // Content-Length against it with the endpoint's own limit in the answer.
    LimitRequestParser(server_->options_.max_header_bytes, std::numeric_limits<size_t>::max(),
                       &*parser_);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec, HttpRequest());
    const BeastRequest& message = parser_->get();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    head_request_ = message.method() == http::verb::head;
    request_ = ToHttpRequestHead(message, peer_);
    if constexpr (kTls) request_.tls_peer = stream_.peer_identity();
    // Until its answer is written (or the session ends): Shutdown() waits for that.
    in_flight_ = true;
    server_->in_flight_++;
    if (!server_->options_.trusted_proxies.empty()) {
      absl::StatusOr<std::string> source = server_->options_.trusted_proxies.Source(
          peer_, request_.Header("x-forwarded-for"));
      if (!source.ok()) return Refuse("bad_forwarded_for", ErrorResponse(source.status()));
      request_.remote_address = *std::move(source);
    }
    if (absl::optional<absl::Duration> wait =
            server_->limiter_.TakeRequest(request_.remote_address, absl::Now())) {
      HttpResponse response = ErrorResponse(ledger::WithRetryAfter(
          absl::ResourceExhaustedError(absl::StrCat(
              "too many requests from ", request_.remote_address, ": at most ",
              server_->limiter_.options().requests_per_second, " a second")),
          *wait));
      return Refuse("rate_limit", std::move(response));
    }
    handling_ = true;
    if (!server_->options_.admit) {
      Admission admission;
      admission.max_body_bytes = server_->options_.max_body_bytes;
      return OnAdmitted(std::move(admission));
    }
    server_->options_.admit(request_, [self = this->shared_from_this()](Admission admission) {
      net::dispatch(self->stream_.get_executor(),
                    [self, admission = std::move(admission)]() mutable {
                      self->OnAdmitted(std::move(admission));
                    });
    });
  }

  // Answers `response` to a request refused at a limit, and closes the connection when a body
  // is left unread.
  void Refuse(absl::string_view reason, HttpResponse response) {
    server_->Refuse(request_, reason);
    if (!parser_->is_done()) LeaveBodyUnread();
    Write(std::move(response));
  }

  void OnAdmitted(Admission admission) {
    handling_ = false;
    if (admission.answer.has_value()) {
      if (!parser_->is_done()) LeaveBodyUnread();
      return Write(*std::move(admission.answer));
    }
    request_.caller = std::move(admission.caller);
    // A request without a body (any GET) is complete with its header.
    if (parser_->is_done()) return OnRead(beast::error_code());
    max_body_bytes_ = std::min(admission.max_body_bytes, server_->options_.max_body_bytes);
    if (parser_->content_length().has_value() && *parser_->content_length() > max_body_bytes_) {
      return Refuse("body_too_large",
                    ErrorResponse(413, absl::StrCat("request body is ", *parser_->content_length(),
                                                    " bytes, want at most ", max_body_bytes_,
                                                    " for ", request_.method, " ",
                                                    SplitTarget(request_.target).first)));
    }
    parser_->body_limit(max_body_bytes_);
    SetDeadline(kBody, server_->options_.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnReadError(beast::error_code ec, const HttpRequest& head) {
    absl::optional<HttpResponse> response = ReadErrorResponse(ec, max_body_bytes_);
    if (!response.has_value() || !TcpSocket(stream_).is_open()) return Close();
    if (response->status == 413) server_->Refuse(head, "body_too_large");
    if (response->status == 431) server_->Refuse(head, "header_too_large");
    LeaveBodyUnread();
    Write(*std::move(response));
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec, request_);
    request_.body = std::move(parser_->get().body());
    handling_ = true;
    // A handler that answers at once runs the write inline on this thread; one that answers from
    // another thread queues it here.
    server_->handler_(std::move(request_), [self = this->shared_from_this()](HttpResponse response) {
      net::dispatch(self->stream_.get_executor(),
                    [self, response = std::move(response)]() mutable {
                      self->handling_ = false;
                      self->Write(std::move(response));
                    });
    });
  }

  void Write(HttpResponse response) {
    // An answer to HEAD has no body (RFC 9110 section 9.3.2); one would desynchronize a
    // keep-alive client.
    if (head_request_) response.body.clear();
    auto message = std::make_shared<BeastResponse>(ToBeastResponse(
        std::move(response), version_, keep_alive_ && !server_->stopped_.load()));
    SetDeadline(kWrite, server_->options_.request_timeout);
    http::async_write(stream_, *message,
                      [self = this->shared_from_this(), message](beast::error_code ec, size_t) {
                        if (self->in_flight_) {
                          self->in_flight_ = false;
                          self->server_->in_flight_--;
                        }
                        if (ec) return self->Close();
                        if (!message->keep_alive()) {
                          return self->linger_ ? self->Linger() : self->Close();
                        }
                        self->Read();
                      });
  }

  // The answer is given with the rest of the request unread: the connection closes after it.
  void LeaveBodyUnread() {
    keep_alive_ = false;
    linger_ = true;
  }

  // Closes a plaintext connection whose client may still be sending the body it was refused,
  // the way servers linger: closing with unread bytes would send a reset, which can destroy the
  // answer before the client reads it. So the sending half is shut first, and what still comes
  // is read and dropped, up to kMaxLingerBytes or kLingerTime, before the connection closes. A
  // TLS session ends with its close_notify instead (Close).
  void Linger() {
    if constexpr (kTls) {
      return Close();
    } else {
      beast::error_code ec;
      TcpSocket(stream_).shutdown(tcp::socket::shutdown_send, ec);
      SetDeadline(kLinger, kLingerTime);
      DropInput(0);
    }
  }

  void DropInput(size_t dropped) {
    if (dropped > kMaxLingerBytes) return Abort();
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = this->shared_from_this(), dropped](beast::error_code ec,
                                                                       size_t n) {
                              if (ec) return self->Abort();
                              self->DropInput(dropped + n);
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

  // What an idle connection reads for the first bytes of its next request.
  static constexpr size_t kFirstRead = 4096;
  // How long, and for how many bytes, a refused request's unread body is drained (Linger).
  static constexpr absl::Duration kLingerTime = absl::Seconds(2);
  static constexpr size_t kMaxLingerBytes = size_t{1} << 20;

  Impl* const server_;
  Stream stream_;
  Timer timer_;
  const std::string peer_;
  const std::string counted_source_;
  Clock::time_point deadline_ = Clock::time_point::min();
  Phase phase_ = kHeader;
  bool handling_ = false;
  bool in_flight_ = false;  // Counted in Impl::in_flight_.
  beast::flat_buffer buffer_;
  boost::optional<BeastRequestParser> parser_;
  HttpRequest request_;
  size_t max_body_bytes_ = 0;
  bool keep_alive_ = false;
  bool linger_ = false;  // LeaveBodyUnread(): drain before closing.
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
      refused_max_connections_++;
      beast::error_code ignored;
      socket.close(ignored);  // Over the limit: refuse rather than queue without bound.
    } else {
      beast::error_code endpoint_error;
      tcp::endpoint remote = socket.remote_endpoint(endpoint_error);
      std::string peer;
      if (!endpoint_error) {
        net::ip::address address = remote.address();
        if (address.is_v6() && address.to_v6().is_v4_mapped()) {
          address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
        }
        peer = address.to_string();
      }
      // A trusted proxy carries many callers: only the total limit applies to it.
      std::string counted = options_.trusted_proxies.Trusts(peer) ? "" : peer;
      if (!counted.empty() && !limiter_.OpenConnection(counted)) {
        refused_per_source_++;
        beast::error_code ignored;
        socket.close(ignored);
      } else if (options_.tls != nullptr) {
        std::make_shared<Session<tls::TlsStream>>(
            this, tls::TlsStream(std::move(socket), *options_.tls), std::move(peer),
            std::move(counted))->Start();
      } else {
        std::make_shared<Session<Socket>>(this, std::move(socket), std::move(peer),
                                          std::move(counted))->Start();
      }
    }
    if (!stopped_.load()) Accept();
  });
}

void HttpServer::Impl::Refuse(const HttpRequest& head, absl::string_view reason) {
  for (size_t i = 0; i < ABSL_ARRAYSIZE(kRefusalNames); ++i) {
    if (reason == kRefusalNames[i]) refused_requests_[i]++;
  }
  if (options_.refused) options_.refused(head, reason);
}

void HttpServer::Impl::RenderMetrics(std::string* out) const {
  ledger::RenderMetric("vellum_http_connections", "gauge", "Open HTTP connections.",
                       static_cast<uint64_t>(connections_.load()), out);
  constexpr absl::string_view kRefused = "vellum_http_connections_refused_total";
  ledger::RenderMetricHeader(kRefused, "counter",
                             "Connections closed at once at a connection limit.", out);
  ledger::RenderLabeledSample(kRefused, "limit", "total", refused_max_connections_.load(), out);
  ledger::RenderLabeledSample(kRefused, "limit", "per_source", refused_per_source_.load(), out);
  constexpr absl::string_view kTimeouts = "vellum_http_connections_timed_out_total";
  ledger::RenderMetricHeader(kTimeouts, "counter",
                             "Connections closed at a time limit, by what they were doing.", out);
  for (int phase = 0; phase < kPhases; ++phase) {
    ledger::RenderLabeledSample(kTimeouts, "phase", kPhaseNames[phase], timeouts_[phase].load(),
                                out);
  }
  constexpr absl::string_view kRequests = "vellum_http_requests_refused_total";
  ledger::RenderMetricHeader(kRequests, "counter",
                             "Requests refused at a limit before they were decided.", out);
  for (size_t i = 0; i < ABSL_ARRAYSIZE(kRefusalNames); ++i) {
    ledger::RenderLabeledSample(kRequests, "reason", kRefusalNames[i],
                                refused_requests_[i].load(), out);
  }
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

void HttpServer::RenderMetrics(std::string* out) const { impl_->RenderMetrics(out); }

}  // namespace api
}  // namespace vellum
