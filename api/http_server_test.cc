// The server itself, with handlers written for each test: how connections share the I/O
// threads, answers given from other threads, request bodies, and shutdown with a request in
// flight. The endpoints' behaviour is tested with the services (log_service_test and others).

#include "api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "api/client/http_client.h"
#include "gtest/gtest.h"
#include "ledger/testing/wait_until.h"

namespace vellum {
namespace api {
namespace {

// Whether a TCP connection to 127.0.0.1:`port` is accepted.
bool Accepts(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected =
      connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

std::unique_ptr<HttpServer> StartServer(int threads, HttpServer::Handler handler) {
  HttpServer::Options options;
  options.port = 0;
  options.threads = threads;
  auto server = HttpServer::Start(options, std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

std::unique_ptr<HttpClient> NewClient(const HttpServer& server) {
  return HttpClient::Create(absl::StrCat("http://127.0.0.1:", server.port()), {}).value();
}

HttpResponse Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(HttpServerTest, ConnectionsAreDealtToEveryThread) {
  // Each handler waits until two are running at once, which only two threads serving the two
  // connections can bring about: a server that kept both on one thread, or whose busy thread
  // also accepted connections, would answer 503.
  absl::Mutex mu;
  int inside = 0;
  auto server = StartServer(2, [&](HttpRequest, HttpServer::Respond respond) {
    absl::MutexLock lock(&mu);
    ++inside;
    auto both = [&inside]() { return inside >= 2; };
    const bool together = mu.AwaitWithTimeout(absl::Condition(&both), absl::Seconds(10));
    respond(Text(together ? 200 : 503, "ok"));
  });
  ASSERT_NE(server, nullptr);
  std::vector<int> statuses(2, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) {
    clients.emplace_back([&server, &statuses, i] {
      absl::StatusOr<HttpResponse> response = NewClient(*server)->Send("GET", "/");
      statuses[i] = response.ok() ? response->status : -1;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(statuses, std::vector<int>({200, 200}));
}

TEST(HttpServerTest, AnswersFromOtherThreadsReachTheClientOnTheSameConnection) {
  absl::Mutex mu;
  std::vector<std::thread> responders;
  auto server = StartServer(2, [&](HttpRequest request, HttpServer::Respond respond) {
    absl::MutexLock lock(&mu);
    // The answer comes from another thread once the handler has returned.
    auto returned = std::make_shared<absl::Notification>();
    responders.emplace_back(
        [request = std::move(request), respond = std::move(respond), returned] {
          returned->WaitForNotification();
          respond(Text(200, request.target));
        });
    returned->Notify();
  });
  ASSERT_NE(server, nullptr);
  auto client = NewClient(*server);
  for (int i = 0; i < 5; ++i) {
    const std::string target = absl::StrCat("/request/", i);
    absl::StatusOr<HttpResponse> response = client->Send("GET", target);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, target);
  }
  server->Shutdown();
  absl::MutexLock lock(&mu);
  for (std::thread& t : responders) t.join();
}

TEST(HttpServerTest, ABodyArrivesWholeAndAGetHasNone) {
  auto server = StartServer(1, [](HttpRequest request, HttpServer::Respond respond) {
    const std::string last =
        request.body.empty() ? "-" : request.body.substr(request.body.size() - 1);
    respond(Text(200, absl::StrCat(request.method, " ", request.body.size(), " ", last)));
  });
  ASSERT_NE(server, nullptr);
  auto client = NewClient(*server);
  std::string body(300000, 'a');
  body.back() = 'z';
  absl::StatusOr<HttpResponse> post = client->Send("POST", "/", body);
  ASSERT_TRUE(post.ok()) << post.status();
  EXPECT_EQ(post->body, "POST 300000 z");
  absl::StatusOr<HttpResponse> get = client->Send("GET", "/");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->body, "GET 0 -");
}

TEST(HttpServerTest, OneThreadServesManyConnectionsAtOnce) {
  auto server = StartServer(1, [](HttpRequest request, HttpServer::Respond respond) {
    respond(Text(200, request.target));
  });
  ASSERT_NE(server, nullptr);
  std::vector<int> answered(8, 0);
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&server, &answered, c] {
      auto client = NewClient(*server);
      for (int i = 0; i < 50; ++i) {
        const std::string target = absl::StrCat("/", c, "/", i);
        absl::StatusOr<HttpResponse> response = client->Send("GET", target);
        if (response.ok() && response->status == 200 && response->body == target) ++answered[c];
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(answered, std::vector<int>(8, 50));
}

TEST(HttpServerTest, ShutdownFinishesTheRequestInFlight) {
  // The answer is far larger than the socket buffers, so writing it takes many rounds after the
  // handler has answered; shutting down must wait for the last byte.
  const std::string big(20 << 20, 'b');
  absl::Notification entered;
  std::thread responder;
  std::unique_ptr<HttpServer> server;
  server = StartServer(2, [&](HttpRequest, HttpServer::Respond respond) {
    // Answers once the shutdown has begun, which closes the listening socket.
    responder = std::thread([respond = std::move(respond), &big, port = server->port()] {
      EXPECT_TRUE(ledger::WaitUntil([port] { return !Accepts(port); }, absl::Seconds(10)));
      respond(Text(200, big));
    });
    entered.Notify();
  });
  ASSERT_NE(server, nullptr);
  absl::StatusOr<HttpResponse> response;
  std::thread client([&] { response = NewClient(*server)->Send("GET", "/slow"); });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  server->Shutdown(absl::Seconds(10));
  client.join();
  responder.join();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), big.size());
  EXPECT_TRUE(response->body == big);
}

}  // namespace
}  // namespace api
}  // namespace vellum
