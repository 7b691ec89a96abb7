#include "api/bench/load_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>

#include "absl/strings/str_cat.h"
#include "api/http.h"
#include "api/client/http_client.h"
#include "api/tls/tls_stream.h"

namespace vellum {
namespace api {
namespace bench {

void LatencySamples::Merge(const LatencySamples& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  sorted_ = false;
}

double LatencySamples::Percentile(double p) {
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  // Nearest rank: the smallest sample with at least p% of the samples at or below it.
  double rank = std::ceil(p / 100.0 * static_cast<double>(samples_.size()));
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return samples_[std::min(index, samples_.size() - 1)];
}

double LatencySamples::Max() const {
  return samples_.empty() ? 0 : *std::max_element(samples_.begin(), samples_.end());
}

void BenchResult::Merge(const BenchResult& other) {
  operations += other.operations;
  entries += other.entries;
  if (other.errors > 0 && errors == 0) first_error = other.first_error;
  errors += other.errors;
  latency.Merge(other.latency);
  deadline_hit |= other.deadline_hit;
}

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadBytes = 16 << 10;

// What every connection of one run shares. Read-only once the run starts, but for `next`.
struct Shared {
  Shared(const LoadOptions& options, const FillRequest& fill, const CheckAnswer& check,
         api::ServerUrl url)
      : options(options), fill(fill), check(check), url(std::move(url)) {}

  const LoadOptions& options;
  const FillRequest& fill;
  const CheckAnswer& check;
  api::ServerUrl url;
  std::unique_ptr<tls::ClientContext> tls;  // For https://, else nullptr.
  tcp::resolver::results_type endpoints;
  std::string resolve_error;  // Why `endpoints` is empty.
  std::string fixed_headers;  // "Host: ...\r\n" and options.headers, encoded.
  Clock::duration timeout;
  Clock::time_point deadline;
  std::atomic<uint64_t> next{0};
};

class Worker;

// One keep-alive connection in its closed loop. Lives on one worker's thread.
class Connection {
 public:
  Connection(Shared& shared, Worker& worker, int index);

  // Connects and asks for /healthz; then ready() says whether the connection takes part.
  void Open();
  // Sends requests until none are left or the deadline has passed.
  void Run() { Next(); }
  int index() const { return index_; }
  bool ready() const { return ready_; }
  const BenchResult& tally() const { return tally_; }

  // Closes the connection if its request has been waiting for longer than the timeout.
  void CheckTimeout(Clock::time_point now);

 private:
  void Connect(std::function<void()> then);
  void Exchange(std::function<void()> on_answer);
  template <typename Stream>
  void Exchange(Stream& stream, std::function<void()> on_answer);
  tls::Socket& TcpSocket() { return tls_ != nullptr ? tls_->socket() : socket_; }
  void Next();
  void OnAnswer();
  // "METHOD TARGET on HOST:PORT", for errors.
  std::string Describe() const;
  // Counts the current request as failed with "`what`: <why>" and closes the connection; then
  // goes on with the next request.
  void Fail(absl::string_view what, beast::error_code ec);
  void Close();
  void Done();

  Shared& shared_;
  Worker& worker_;
  const int index_;
  // The connection: socket_ alone, or, for https://, tls_ (holding the socket once connected).
  tls::Socket socket_;
  std::unique_ptr<tls::TlsStream> tls_;
  bool connected_ = false;
  bool ready_ = false;
  bool running_ = false;  // Past Open().
  bool busy_ = false;     // A request is in flight since since_.
  bool timed_out_ = false;
  Clock::time_point since_;
  LoadRequest request_;
  std::string wire_;
  beast::flat_buffer buffer_;
  boost::optional<http::response_parser<http::string_body>> parser_;
  BenchResult tally_;
};

// One I/O thread's io_context and connections, with a watchdog timer that enforces the timeout
// (one timer per thread rather than one armed per request).
class Worker {
 public:
  explicit Worker(Shared& shared) : shared_(shared), watchdog_(io_) {}

  void Add(int index) {
    connections_.push_back(std::make_unique<Connection>(shared_, *this, index));
  }

  // Runs `start` on every connection (those for which `take_part` holds) on this thread's
  // io_context until each has called Done().
  template <typename Start, typename TakePart>
  void RunAll(Start start, TakePart take_part) {
    io_.restart();
    active_ = 0;
    for (auto& connection : connections_) {
      if (!take_part(*connection)) continue;
      active_++;
      net::post(io_, [&connection, start] { start(*connection); });
    }
    if (active_ == 0) return;
    ArmWatchdog();
    io_.run();
  }

  void Done() {
    if (--active_ == 0) watchdog_.cancel();
  }

  net::io_context& io() { return io_; }
  const std::vector<std::unique_ptr<Connection>>& connections() const { return connections_; }

 private:
  void ArmWatchdog() {
    // Checks a few times per timeout, at most every 100 ms.
    watchdog_.expires_after(std::min<Clock::duration>(shared_.timeout / 4 + Clock::duration(1),
                                                      std::chrono::milliseconds(100)));
    watchdog_.async_wait([this](beast::error_code ec) {
      if (ec || active_ == 0) return;
      const Clock::time_point now = Clock::now();
      for (auto& connection : connections_) connection->CheckTimeout(now);
      ArmWatchdog();
    });
  }

  Shared& shared_;
  net::io_context io_;
  net::steady_timer watchdog_;
  std::vector<std::unique_ptr<Connection>> connections_;
  int active_ = 0;
};

Connection::Connection(Shared& shared, Worker& worker, int index)
    : shared_(shared), worker_(worker), index_(index), socket_(worker.io().get_executor()) {
  // Room for a whole typical answer: Beast reads at most the buffer's free capacity (at least
  // 512 bytes) at a time, and a 1 KiB proof would otherwise take two reads.
  buffer_.reserve(kReadBytes);
}

void Connection::Open() {
  if (shared_.endpoints.empty()) {  // Then no connection takes part in the run.
    tally_.Error(shared_.resolve_error);
    return Done();
  }
  wire_ = absl::StrCat("GET ", shared_.url.prefix, "/healthz HTTP/1.1\r\nHost: ",
                       shared_.url.host, "\r\n\r\n");
  busy_ = true;
  since_ = Clock::now();
  Connect([this] {
    Exchange([this] {
      busy_ = false;
      const http::response<http::string_body>& answer = parser_->get();
      if (answer.result_int() != 200) {
        api::HttpResponse response;
        response.status = static_cast<int>(answer.result_int());
        response.body = answer.body();
        tally_.Error(api::StatusFromResponse(response).message());
      } else {
        ready_ = true;
        if (!answer.keep_alive()) Close();
      }
      Done();
    });
  });
}

void Connection::Connect(std::function<void()> then) {
  if (connected_) return then();
  net::async_connect(socket_, shared_.endpoints,
                     [this, then = std::move(then)](beast::error_code ec, const tcp::endpoint&) {
                       if (ec) {
                         return Fail(absl::StrCat("cannot connect to ", shared_.url.host, ":",
                                                  shared_.url.port),
                                     ec);
                       }
                       beast::error_code ignored;
                       socket_.set_option(tcp::no_delay(true), ignored);
                       if (shared_.tls == nullptr) {
                         connected_ = true;
                         return then();
                       }
                       tls_ = std::make_unique<tls::TlsStream>(std::move(socket_), *shared_.tls,
                                                               shared_.url.host);
                       tls_->async_handshake([this, then](beast::error_code ec) {
                         if (ec) {
                           return Fail(absl::StrCat("TLS handshake with ", shared_.url.host, ":",
                                                    shared_.url.port),
                                       ec);
                         }
                         connected_ = true;
                         then();
                       });
                     });
}

void Connection::Exchange(std::function<void()> on_answer) {
  if (tls_ != nullptr) return Exchange(*tls_, std::move(on_answer));
  Exchange(socket_, std::move(on_answer));
}

template <typename Stream>
void Connection::Exchange(Stream& stream, std::function<void()> on_answer) {
  parser_.emplace();
  parser_->body_limit(shared_.options.max_response_bytes);
  net::async_write(stream, net::buffer(wire_), [this, &stream, on_answer = std::move(on_answer)](
                                                   beast::error_code ec, size_t) mutable {
    if (ec) return Fail(Describe(), ec);
    http::async_read(stream, buffer_, *parser_,
                     [this, on_answer = std::move(on_answer)](beast::error_code ec, size_t) {
                       if (ec) return Fail(Describe(), ec);
                       on_answer();
                     });
  });
}

void Connection::Next() {
  running_ = true;
  const Clock::time_point now = Clock::now();
  if (now > shared_.deadline) {
    tally_.deadline_hit = true;
    return Done();
  }
  const uint64_t number = shared_.next.fetch_add(1, std::memory_order_relaxed);
  if (number >= shared_.options.requests) return Done();
  shared_.fill(index_, number, &request_);
  const LoadOptions& options = shared_.options;
  wire_.clear();
  absl::StrAppend(&wire_, options.method, " ", shared_.url.prefix, request_.target,
                  " HTTP/1.1\r\n", shared_.fixed_headers);
  if (!request_.body.empty() || (options.method != "GET" && options.method != "HEAD")) {
    absl::StrAppend(&wire_, "Content-Length: ", request_.body.size(), "\r\n");
  }
  absl::StrAppend(&wire_, "\r\n", request_.body);
  busy_ = true;
  since_ = now;
  Connect([this] { Exchange([this] { OnAnswer(); }); });
}

void Connection::OnAnswer() {
  busy_ = false;
  const double seconds = std::chrono::duration<double>(Clock::now() - since_).count();
  const http::response<http::string_body>& answer = parser_->get();
  if (!answer.keep_alive()) Close();
  if (answer.result_int() != 200) {
    api::HttpResponse response;
    response.status = static_cast<int>(answer.result_int());
    response.body = answer.body();
    tally_.Error(api::StatusFromResponse(response).message());
  } else if (absl::Status s = shared_.check(index_, request_, answer.body()); !s.ok()) {
    tally_.Error(s.message());
  } else {
    tally_.operations++;
    tally_.latency.Add(seconds);
  }
  Next();
}

std::string Connection::Describe() const {
  absl::string_view line = wire_;
  line = line.substr(0, line.find(" HTTP/1.1\r\n"));
  return absl::StrCat(line, " on ", shared_.url.host, ":", shared_.url.port);
}

void Connection::Fail(absl::string_view what, beast::error_code ec) {
  busy_ = false;
  tally_.Error(absl::StrCat(what, ": ",
                            timed_out_ ? absl::StrCat("timed out after ",
                                                      absl::FormatDuration(shared_.options.timeout))
                                       : ec.message()));
  timed_out_ = false;
  Close();
  if (running_) {
    Next();
  } else {
    Done();
  }
}

void Connection::Close() {
  beast::error_code ignored;
  TcpSocket().shutdown(tcp::socket::shutdown_both, ignored);
  TcpSocket().close(ignored);
  tls_.reset();
  buffer_.clear();
  connected_ = false;
}

void Connection::Done() { worker_.Done(); }

void Connection::CheckTimeout(Clock::time_point now) {
  if (!busy_ || now - since_ <= shared_.timeout) return;
  timed_out_ = true;
  beast::error_code ignored;
  TcpSocket().close(ignored);  // The operation in flight completes with operation_aborted.
}

}  // namespace

absl::StatusOr<BenchResult> RunLoad(const LoadOptions& options, const FillRequest& fill,
                                    const CheckAnswer& check) {
  if (options.connections < 1 || options.threads < 1) {
    return absl::InvalidArgumentError(absl::StrCat("connections and threads: got ",
                                                   options.connections, " and ", options.threads,
                                                   ", want at least 1 each"));
  }
  absl::StatusOr<api::ServerUrl> url = api::ParseServerUrl(options.url);
  if (!url.ok()) return url.status();
  Shared shared(options, fill, check, *std::move(url));
  if (shared.url.tls) {
    absl::StatusOr<std::unique_ptr<tls::ClientContext>> context =
        tls::ClientContext::Create(options.tls);
    if (!context.ok()) return context.status();
    shared.tls = *std::move(context);
  }
  {
    net::io_context io;
    tcp::resolver resolver(io);
    beast::error_code ec;
    shared.endpoints = resolver.resolve(shared.url.host, shared.url.port, ec);
    if (ec) {
      shared.resolve_error = absl::StrCat("cannot resolve ", shared.url.host, ": ", ec.message());
    }
  }
  shared.fixed_headers = absl::StrCat("Host: ", shared.url.host, "\r\n");
  for (const auto& [name, value] : options.headers) {
    absl::StrAppend(&shared.fixed_headers, name, ": ", value, "\r\n");
  }
  shared.timeout = std::chrono::duration_cast<Clock::duration>(
      absl::ToChronoNanoseconds(options.timeout));

  const int threads = std::min(options.threads, options.connections);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(shared));
  for (int i = 0; i < options.connections; ++i) workers[i % threads]->Add(i);
  auto on_every_worker = [&](auto start, auto take_part) {
    std::vector<std::thread> running;
    for (auto& worker : workers) {
      running.emplace_back([&worker, start, take_part] { worker->RunAll(start, take_part); });
    }
    for (std::thread& thread : running) thread.join();
  };

  on_every_worker([](Connection& c) { c.Open(); }, [](const Connection&) { return true; });
  const Clock::time_point begin = Clock::now();
  shared.deadline = begin + std::chrono::duration_cast<Clock::duration>(
                                absl::ToChronoNanoseconds(options.max_time));
  on_every_worker([](Connection& c) { c.Run(); }, [](const Connection& c) { return c.ready(); });
  BenchResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  std::vector<const Connection*> all(options.connections);
  for (auto& worker : workers) {
    for (const auto& connection : worker->connections()) {
      all[connection->index()] = connection.get();
    }
  }
  for (const Connection* connection : all) result.Merge(connection->tally());
  return result;
}

}  // namespace bench
}  // namespace api
}  // namespace vellum
