// The server's limits against hostile traffic (docs/operations.md, "Limits"): a client that
// sends half a header, one that holds many idle connections from another address, one that
// sends too fast, bodies past their endpoint's limit, a credential refused before the body is
// read, and the source behind a trusted proxy. In each, honest clients are still served, and
// /metrics-style counters show the refusals.

#include <sys/resource.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "api/client/http_client.h"
#include "api/http.h"
#include "api/http_server.h"
#include "api/raw_connection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/testing/wait_until.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A server whose handler answers "ok <source>" and counts what reached it.
class LimitsTest : public ::testing::Test {
 protected:
  void Start(HttpServer::Options options) {
    options.port = 0;
    auto server = HttpServer::Start(options, [this](HttpRequest request,
                                                    HttpServer::Respond respond) {
      {
        absl::MutexLock lock(&mu_);
        handled_.push_back(request);
      }
      HttpResponse response;
      response.body = absl::StrCat("ok ", request.remote_address, " ", request.body.size());
      respond(std::move(response));
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(2));
  }

  uint16_t port() const { return server_->port(); }

  // One request on a fresh keep-alive client from 127.0.0.1.
  absl::StatusOr<HttpResponse> Honest(absl::string_view target = "/") {
    auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", port()), {});
    if (!client.ok()) return client.status();
    return (*client)->Send("GET", target);
  }

  // The sample of `name` with `label` in the server's metrics, or -1.
  int64_t Metric(absl::string_view name_and_label) const {
    std::string out;
    server_->RenderMetrics(&out);
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (absl::ConsumePrefix(&line, name_and_label) && absl::ConsumePrefix(&line, " ")) {
        int64_t value = -1;
        if (absl::SimpleAtoi(line, &value)) return value;
      }
    }
    return -1;
  }

  size_t handled() const {
    absl::MutexLock lock(&mu_);
    return handled_.size();
  }

  std::unique_ptr<HttpServer> server_;
  mutable absl::Mutex mu_;
  std::vector<HttpRequest> handled_ ABSL_GUARDED_BY(mu_);
};

TEST_F(LimitsTest, HalfAHeaderIsCutOffAtTheHeaderTimeout) {
  HttpServer::Options options;
  options.header_timeout = absl::Milliseconds(400);
  Start(options);
  RawConnection slow(port());
  ASSERT_TRUE(slow.connected());
  const absl::Time start = absl::Now();
  ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\nHost: te"));
  // Honest clients are served while the slow one waits.
  ASSERT_TRUE(Honest().ok());
  bool closed = false;
  EXPECT_EQ(slow.ReadUntilClosed(&closed), "");
  EXPECT_TRUE(closed);
  // Within the timeout and one tick (half of it), with room for a loaded machine.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(Metric("vellum_http_connections_timed_out_total{phase=\"header\"}"), 1);
}

TEST_F(LimitsTest, AKeptAliveConnectionGetsTheHeaderTimeoutFromItsNextFirstByte) {
  HttpServer::Options options;
  options.header_timeout = absl::Milliseconds(300);
  options.idle_timeout = absl::Seconds(30);
  Start(options);
  RawConnection client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  // Idle for longer than the header timeout: still open (the idle limit applies).
  ASSERT_TRUE(ledger::WaitUntil([&] { return handled() == 1; }, absl::Seconds(10)));
  absl::SleepFor(absl::Milliseconds(900));  // Idle time, not a wait for a state.
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHo"));
  bool closed = false;
  std::string answer = client.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);
  // The first answer, then nothing for the dribbled second request.
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200"));
  EXPECT_EQ(handled(), 1u);
  EXPECT_EQ(Metric("vellum_http_connections_timed_out_total{phase=\"header\"}"), 1);
  EXPECT_EQ(Metric("vellum_http_connections_timed_out_total{phase=\"idle\"}"), 0);
}

TEST(HttpServerLimitsTest, ASlowHandlerIsNotCutOffAndItsTimerDoesNotSpin) {
  HttpServer::Options options;
  options.port = 0;
  options.header_timeout = absl::Milliseconds(100);
  std::thread late;  // Answers after a while; joined before the server goes.
  auto server = HttpServer::Start(options, [&late](HttpRequest, HttpServer::Respond respond) {
    late = std::thread([respond = std::move(respond)] {
      absl::SleepFor(absl::Milliseconds(1500));  // A handler that takes its time.
      HttpResponse response;
      response.body = "late";
      respond(std::move(response));
    });
  });
  ASSERT_TRUE(server.ok()) << server.status();
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", (*server)->port()), {});
  absl::StatusOr<HttpResponse> answer = (*client)->Send("GET", "/");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->body, "late");
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  const double cpu = seconds(after.ru_utime) - seconds(before.ru_utime) +
                     seconds(after.ru_stime) - seconds(before.ru_stime);
  // A timer re-armed in the past would spin a core for the whole 1.5 s.
  EXPECT_LT(cpu, 0.1);
  late.join();
  (*server)->Shutdown(absl::Seconds(2));
}

TEST_F(LimitsTest, ManyIdleConnectionsFromOneAddressDoNotShutOutAnother) {
  HttpServer::Options options;
  options.max_connections = 200;
  options.source_limits.max_connections_per_source = 20;
  Start(options);
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 150; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port(), "127.0.0.2"));
  }
  ASSERT_TRUE(ledger::WaitUntil(
      [&] {
        return Metric("vellum_http_connections_refused_total{limit=\"per_source\"}") == 130;
      },
      absl::Seconds(20)))
      << Metric("vellum_http_connections_refused_total{limit=\"per_source\"}");
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<HttpResponse> response = Honest();
    ASSERT_TRUE(response.ok()) << i << ": " << response.status();
    EXPECT_EQ(response->body, "ok 127.0.0.1 0");
  }
  EXPECT_EQ(Metric("vellum_http_connections_refused_total{limit=\"total\"}"), 0);
}

TEST_F(LimitsTest, ASourceOverItsRateGets429WithRetryAfterAndOthersAreServed) {
  HttpServer::Options options;
  options.source_limits.requests_per_second = 1;
  options.source_limits.request_burst = 3;
  std::vector<std::string> refused;
  options.refused = [&refused](const HttpRequest& head, absl::string_view reason) {
    refused.push_back(absl::StrCat(head.target, " ", reason));
  };
  Start(options);
  auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", port()), {}).value();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client->Send("GET", "/").value().status, 200) << i;
  HttpResponse limited = client->Send("GET", "/v1/ingest/github").value();
  EXPECT_EQ(limited.status, 429);
  EXPECT_THAT(limited.body, HasSubstr("too many requests from 127.0.0.1"));
  bool has_retry_after = false;
  for (const auto& [name, value] : limited.headers) {
    if (absl::EqualsIgnoreCase(name, "retry-after")) has_retry_after = value == "1";
  }
  EXPECT_TRUE(has_retry_after);
  EXPECT_EQ(handled(), 3u);
  // Another address is not held back.
  RawConnection other(port(), "127.0.0.3");
  ASSERT_TRUE(other.Send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  EXPECT_THAT(other.ReadUntilClosed(&closed), HasSubstr("ok 127.0.0.3"));
  EXPECT_EQ(Metric("vellum_http_requests_refused_total{reason=\"rate_limit\"}"), 1);
  EXPECT_EQ(refused, std::vector<std::string>{"/v1/ingest/github rate_limit"});
}

// A server whose admission gives every path under /small a 10-byte body and refuses /locked
// with 401, counting the admissions.
class AdmissionTest : public LimitsTest {
 protected:
  void SetUp() override {
    HttpServer::Options options;
    options.max_body_bytes = 1000;
    options.admit = [this](const HttpRequest& head, HttpServer::Admitted done) {
      admitted_++;
      HttpServer::Admission admission;
      if (absl::StartsWith(head.target, "/locked")) {
        EXPECT_TRUE(head.body.empty());
        admission.answer = UnauthorizedResponse(absl::UnauthenticatedError("no token"));
      }
      admission.max_body_bytes = absl::StartsWith(head.target, "/small") ? 10 : 100000;
      done(std::move(admission));
    };
    options.refused = [this](const HttpRequest&, absl::string_view reason) {
      absl::MutexLock lock(&mu_);
      refusals_.emplace_back(reason);
    };
    Start(options);
  }

  std::atomic<int> admitted_{0};
  std::vector<std::string> refusals_ ABSL_GUARDED_BY(mu_);
};

TEST_F(AdmissionTest, ACredentialIsRefusedBeforeTheBodyIsSent) {
  RawConnection client(port());
  // The header promises a body that never comes: the answer must not wait for it.
  ASSERT_TRUE(client.Send("POST /locked HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\n"));
  bool closed = false;
  std::string answer = client.ReadUntilClosed(&closed);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 401"));
  EXPECT_TRUE(closed) << "a connection with an unread body must close";
  EXPECT_EQ(handled(), 0u);
  EXPECT_EQ(admitted_.load(), 1);
}

TEST_F(AdmissionTest, ARefusalReachesAClientThatSendsItsBodyAtOnce) {
  // Most clients send the body right behind the header. Closing with it unread would reset the
  // connection, and the reset can destroy the answer before the client reads it.
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (const char* target : {"/locked", "/small"}) {
    SCOPED_TRACE(target);
    clients.push_back(std::make_unique<RawConnection>(port()));
    RawConnection& client = *clients.back();
    const std::string body(200000, 'b');
    ASSERT_TRUE(client.Send(absl::StrCat("POST ", target, " HTTP/1.1\r\nHost: t\r\n",
                                         "Content-Length: ", body.size(), "\r\n\r\n", body)));
    bool closed = false;
    const std::string answer = client.ReadUntilClosed(&closed);
    EXPECT_THAT(answer, StartsWith(absl::StrContains(target, "locked") ? "HTTP/1.1 401"
                                                                        : "HTTP/1.1 413"));
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(handled(), 0u);
  // The server shut its side and drained what came; the connections, which this client keeps
  // open, are closed at the end of the bounded linger.
  EXPECT_TRUE(ledger::WaitUntil(
      [&] { return Metric("vellum_http_connections_timed_out_total{phase=\"linger\"}") == 2; },
      absl::Seconds(20)));
}

TEST_F(AdmissionTest, ABodyPastItsEndpointsLimitIsRefusedBeforeItIsRead) {
  {
    RawConnection client(port());
    ASSERT_TRUE(client.Send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n"));
    bool closed = false;
    std::string answer = client.ReadUntilClosed(&closed);
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 413"));
    EXPECT_THAT(answer, HasSubstr("request body is 11 bytes, want at most 10 for POST /small"));
  }
  {
    // A chunked body has no length to check up front: it is cut off as it passes the limit.
    RawConnection client(port());
    ASSERT_TRUE(client.Send("POST /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                            "\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"));
    bool closed = false;
    EXPECT_THAT(client.ReadUntilClosed(&closed), StartsWith("HTTP/1.1 413"));
  }
  {
    // The server's own limit caps what an admission allows.
    RawConnection client(port());
    ASSERT_TRUE(client.Send("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n"));
    bool closed = false;
    EXPECT_THAT(client.ReadUntilClosed(&closed), StartsWith("HTTP/1.1 413"));
  }
  // At the limit it passes.
  auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", port()), {}).value();
  absl::StatusOr<HttpResponse> exact = client->Send("POST", "/small", std::string(10, 'x'));
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->body, "ok 127.0.0.1 10");
  EXPECT_EQ(handled(), 1u);
  EXPECT_EQ(Metric("vellum_http_requests_refused_total{reason=\"body_too_large\"}"), 3);
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(refusals_, std::vector<std::string>(3, "body_too_large"));
}

TEST_F(LimitsTest, TheSourceBehindATrustedProxyComesFromXForwardedFor) {
  HttpServer::Options options;
  options.trusted_proxies = TrustedProxies::Parse({"127.0.0.1"}).value();
  options.source_limits.max_connections_per_source = 1;
  Start(options);
  auto send = [&](const std::string& from, const std::string& forwarded) {
    RawConnection client(port(), from);
    EXPECT_TRUE(client.Send(absl::StrCat("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n",
                                         "X-Forwarded-For: ", forwarded, "\r\n\r\n")));
    bool closed = false;
    return client.ReadUntilClosed(&closed);
  };
  EXPECT_THAT(send("127.0.0.1", "198.51.100.1, 203.0.113.9"), HasSubstr("ok 203.0.113.9"));
  // A peer that is no proxy cannot name a source.
  EXPECT_THAT(send("127.0.0.2", "203.0.113.9"), HasSubstr("ok 127.0.0.2"));
  // From the proxy, a list that is not addresses is refused.
  EXPECT_THAT(send("127.0.0.1", "203.0.113.9, garbage"), StartsWith("HTTP/1.1 400"));
  EXPECT_EQ(Metric("vellum_http_requests_refused_total{reason=\"bad_forwarded_for\"}"), 1);
  // The proxy is not held to the per-source connection limit: it carries many callers.
  RawConnection first(port(), "127.0.0.1");
  RawConnection second(port(), "127.0.0.1");
  ASSERT_TRUE(second.Send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  EXPECT_THAT(second.ReadUntilClosed(&closed), HasSubstr("200 OK"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
