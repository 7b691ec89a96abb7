#include "api/client/http_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "api/http_server.h"

namespace vellum {
namespace api {
namespace {

// A loopback socket that accepts connections (in the kernel's backlog) and never answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(HttpClientTest, GivesUpOnAServerThatNeverAnswers) {
  SilentListener silent;
  HttpClient::Options options;
  options.timeout = absl::Milliseconds(200);
  auto client = HttpClient::Create(silent.url(), options).value();
  for (const char* method : {"GET", "POST"}) {
    absl::StatusOr<HttpResponse> response = client->Send(method, "/checkpoint", "x");
    EXPECT_TRUE(absl::IsUnavailable(response.status())) << response.status();
    EXPECT_TRUE(absl::StrContains(response.status().message(), "timeout") ||
                absl::StrContains(response.status().message(), "timed out"))
        << response.status();
  }
}

TEST(HttpClientTest, ExchangesWithAServerAndKeepsTheConnection) {
  HttpServer::Options server_options;
  server_options.port = 0;
  int requests = 0;
  auto server = HttpServer::Start(server_options, [&](HttpRequest request,
                                                      HttpServer::Respond respond) {
                  ++requests;
                  HttpResponse response;
                  response.body = absl::StrCat(request.method, " ", request.target, " ",
                                               request.body);
                  respond(std::move(response));
                }).value();
  auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", server->port(), "/base"),
                                   HttpClient::Options())
                    .value();
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HttpResponse> response = client->Send("POST", "/x", absl::StrCat(i));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, absl::StrCat("POST /base/x ", i));
  }
  EXPECT_EQ(requests, 3);
  server->Shutdown(absl::Seconds(1));
}

TEST(HttpClientTest, AnswersPastTheResponseLimitAreRefused) {
  HttpServer::Options server_options;
  server_options.port = 0;
  auto server = HttpServer::Start(server_options, [&](HttpRequest request,
                                                      HttpServer::Respond respond) {
                  HttpResponse response;
                  response.body = std::string(request.target == "/at" ? 100 : 101, 'x');
                  respond(std::move(response));
                }).value();
  HttpClient::Options options;
  options.max_response_bytes = 100;
  auto client =
      HttpClient::Create(absl::StrCat("http://127.0.0.1:", server->port()), options).value();
  absl::StatusOr<std::string> at = client->Get("/at");
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->size(), 100u);
  absl::StatusOr<HttpResponse> past = client->Send("GET", "/past", "", {});
  EXPECT_TRUE(absl::IsUnavailable(past.status())) << (past.ok() ? past->body.size() : 0);
  server->Shutdown(absl::Seconds(1));
}

TEST(HttpClientTest, RefusedConnectionsAreUnavailable) {
  int port;
  {
    SilentListener closed;  // Bound, then closed: nothing listens there any more.
    port = std::stoi(closed.url().substr(strlen("http://127.0.0.1:")));
  }
  auto client = HttpClient::Create(absl::StrCat("http://127.0.0.1:", port), {}).value();
  EXPECT_TRUE(absl::IsUnavailable(client->Get("/checkpoint").status()));
}

}  // namespace
}  // namespace api
}  // namespace vellum
