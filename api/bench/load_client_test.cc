#include "api/bench/load_client.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/http.h"
#include "api/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace bench {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// An in-process server whose answers the test chooses; /healthz is always 200.
class LoadClientTest : public ::testing::Test {
 protected:
  void Start(api::HttpServer::Handler handler, size_t max_body_bytes = 8 << 20) {
    api::HttpServer::Options options;
    options.port = 0;
    options.max_body_bytes = max_body_bytes;
    server_ = *api::HttpServer::Start(
        options, [handler](api::HttpRequest request, api::HttpServer::Respond respond) {
          if (request.target == "/healthz") {
            api::HttpResponse ok;
            ok.body = "ok";
            return respond(ok);
          }
          handler(std::move(request), std::move(respond));
        });
  }

  LoadOptions Options(int connections, uint64_t requests) const {
    LoadOptions options;
    options.url = absl::StrCat("http://127.0.0.1:", server_->port());
    options.connections = connections;
    options.requests = requests;
    return options;
  }

  std::unique_ptr<api::HttpServer> server_;
};

api::HttpResponse Answer(int status, std::string body) {
  api::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// The server echoes each request's number; the check matches the answer to the request that
// connection sent last.
TEST_F(LoadClientTest, AnswersEveryRequestAndMatchesAnswersToRequests) {
  std::atomic<int> posts{0};
  Start([&](api::HttpRequest request, api::HttpServer::Respond respond) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.Header("x-bench"), "yes");
    posts++;
    respond(Answer(200, absl::StrCat(request.target, " ", request.body)));
  });
  for (int threads : {1, 3}) {
    LoadOptions options = Options(8, 500);
    options.threads = threads;
    options.method = "POST";
    options.headers = {{"X-Bench", "yes"}};
    std::vector<std::string> expected(options.connections);
    absl::Mutex mu;
    std::set<uint64_t> numbers;
    auto fill = [&](int connection, uint64_t number, LoadRequest* request) {
      request->target = absl::StrCat("/n/", number);
      request->body = absl::StrCat("body ", number, " of ", connection);
      expected[connection] = absl::StrCat(request->target, " ", request->body);
      absl::MutexLock lock(&mu);
      EXPECT_TRUE(numbers.insert(number).second) << number;
    };
    auto check = [&](int connection, const LoadRequest&, const std::string& body) -> absl::Status {
      if (body != expected[connection]) {
        return absl::InternalError(
            absl::StrCat("answer: got \"", body, "\", want \"", expected[connection], "\""));
      }
      return absl::OkStatus();
    };
    posts = 0;
    absl::StatusOr<BenchResult> result = RunLoad(options, fill, check);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->errors, 0u) << result->first_error;
    EXPECT_EQ(result->operations, 500u);
    EXPECT_EQ(result->latency.size(), 500u);
    EXPECT_EQ(posts.load(), 500);
    EXPECT_EQ(numbers.size(), 500u);
    EXPECT_EQ(*numbers.rbegin(), 499u);
  }
}

TEST_F(LoadClientTest, CountsErrorStatusesAndRejectedAnswers) {
  Start([](api::HttpRequest request, api::HttpServer::Respond respond) {
    uint64_t number = 0;
    EXPECT_TRUE(absl::SimpleAtoi(request.target.substr(3), &number)) << request.target;
    if (number % 3 == 0) return respond(Answer(500, "broken"));
    respond(Answer(200, number % 3 == 1 ? "good" : "bad"));
  });
  LoadOptions options = Options(4, 90);
  auto fill = [](int, uint64_t number, LoadRequest* request) {
    request->target = absl::StrCat("/n/", number);
  };
  auto check = [](int, const LoadRequest&, const std::string& body) {
    return body == "good" ? absl::OkStatus() : absl::InvalidArgumentError("a bad answer");
  };
  absl::StatusOr<BenchResult> result = RunLoad(options, fill, check);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->operations, 30u);
  EXPECT_EQ(result->errors, 60u);
  EXPECT_EQ(result->latency.size(), 30u);
  EXPECT_TRUE(absl::StartsWith(result->first_error, "HTTP 500: broken") ||
              result->first_error == "a bad answer")
      << result->first_error;
}

// A request over the server's body limit is answered 413 and the connection closed; the client
// reconnects for the next request.
TEST_F(LoadClientTest, ReconnectsWhenTheServerClosesTheConnection) {
  std::atomic<int> answered{0};
  Start(
      [&](api::HttpRequest, api::HttpServer::Respond respond) {
        answered++;
        respond(Answer(200, "ok"));
      },
      /*max_body_bytes=*/100);
  LoadOptions options = Options(2, 40);
  options.method = "POST";
  auto fill = [](int, uint64_t number, LoadRequest* request) {
    request->target = "/post";
    request->body.assign(number % 2 == 0 ? 10 : 1000, 'x');
  };
  auto check = [](int, const LoadRequest&, const std::string&) { return absl::OkStatus(); };
  absl::StatusOr<BenchResult> result = RunLoad(options, fill, check);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->operations, 20u);
  EXPECT_EQ(result->errors, 20u);
  EXPECT_EQ(answered.load(), 20);
}

// A server that never answers: every request fails after the timeout, none hangs.
TEST_F(LoadClientTest, TimesOutUnansweredRequests) {
  absl::Mutex mu;
  std::vector<api::HttpServer::Respond> held;
  Start([&](api::HttpRequest, api::HttpServer::Respond respond) {
    absl::MutexLock lock(&mu);
    held.push_back(std::move(respond));
  });
  LoadOptions options = Options(2, 6);
  options.timeout = absl::Milliseconds(100);
  auto fill = [](int, uint64_t, LoadRequest* request) { request->target = "/slow"; };
  auto check = [](int, const LoadRequest&, const std::string&) { return absl::OkStatus(); };
  absl::StatusOr<BenchResult> result = RunLoad(options, fill, check);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->operations, 0u);
  EXPECT_EQ(result->errors, 6u);
  EXPECT_THAT(result->first_error, StartsWith("GET /slow on 127.0.0.1:"));
  EXPECT_THAT(result->first_error, HasSubstr("timed out after 100ms"));
  absl::MutexLock lock(&mu);
  for (api::HttpServer::Respond& respond : held) respond(Answer(200, "late"));
}

TEST(LoadClientSetupTest, ConnectionsThatCannotConnectSitOut) {
  LoadOptions options;
  options.url = "http://127.0.0.1:1";
  options.connections = 3;
  options.requests = 10;
  auto fill = [](int, uint64_t, LoadRequest*) { ADD_FAILURE() << "no request is filled in"; };
  auto check = [](int, const LoadRequest&, const std::string&) { return absl::OkStatus(); };
  absl::StatusOr<BenchResult> result = RunLoad(options, fill, check);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->operations, 0u);
  EXPECT_EQ(result->errors, 3u);
  EXPECT_THAT(result->first_error, StartsWith("cannot connect to 127.0.0.1:1: "));

  options.url = "ftp://x";
  EXPECT_TRUE(absl::IsInvalidArgument(RunLoad(options, fill, check).status()));
  options.url = "http://127.0.0.1:1";
  options.connections = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(RunLoad(options, fill, check).status()));
}

}  // namespace
}  // namespace bench
}  // namespace api
}  // namespace vellum
