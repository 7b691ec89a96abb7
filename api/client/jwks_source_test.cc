// The JWKS sources against a real HTTPS server (api::HttpServer with test certificates) and
// real files: the bearer token is sent, the server's certificate is checked, answers past the
// JWKS limit and non-200 answers are errors, and a file is read again at every fetch.

#include "api/client/jwks_source.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "api/http_server.h"
#include "api/tls/context.h"
#include "api/tls/test_certificates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/identity/jwk.h"

namespace vellum {
namespace api {
namespace {

using ::testing::HasSubstr;

constexpr char kJwks[] = R"({"keys":[]})";
constexpr char kToken[] = "service-account-token";

// An issuer's /openid/v1/jwks that needs kToken, as a Kubernetes API server's does, and serves
// `body`.
class JwksServer {
 public:
  explicit JwksServer(std::string body) : body_(std::move(body)) {
    const tls::TestCertificates& certs = tls::SharedTestCertificates();
    tls::ServerOptions tls_options;
    tls_options.cert_chain_file = certs.server.cert;
    tls_options.key_file = certs.server.key;
    HttpServer::Options options;
    options.port = 0;
    options.tls = tls::ServerContext::Create(tls_options).value();
    server_ = HttpServer::Start(options, [this](HttpRequest request, HttpServer::Respond respond) {
                requests_++;
                HttpResponse response;
                auto auth = request.headers.find("authorization");
                if (request.target != "/openid/v1/jwks") {
                  response.status = 404;
                } else if (auth == request.headers.end() ||
                           auth->second != absl::StrCat("Bearer ", kToken)) {
                  response.status = 401;
                  response.body = R"({"error":"no token"})";
                } else {
                  response.body = body_;
                }
                respond(std::move(response));
              }).value();
  }
  ~JwksServer() { server_->Shutdown(absl::Seconds(1)); }

  std::string uri() const {
    return absl::StrCat("https://127.0.0.1:", server_->port(), "/openid/v1/jwks");
  }
  int requests() const { return requests_.load(); }

 private:
  const std::string body_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> requests_{0};
};

TEST(HttpsJwksSourceTest, FetchesWithTheBearerTokenFromAVerifiedServer) {
  JwksServer server(kJwks);
  auto source = HttpsJwksSource::Create(server.uri(), tls::SharedTestCertificates().ca, kToken);
  ASSERT_TRUE(source.ok()) << source.status();
  auto fetched = (*source)->Fetch();
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(*fetched, kJwks);
  // Each fetch asks again (the verifier decides when to fetch).
  ASSERT_TRUE((*source)->Fetch().ok());
  EXPECT_EQ(server.requests(), 2);
}

TEST(HttpsJwksSourceTest, RefusesWithoutTheTokenOrFromAnUnverifiedServer) {
  JwksServer server(kJwks);
  auto tokenless = HttpsJwksSource::Create(server.uri(), tls::SharedTestCertificates().ca, "");
  ASSERT_TRUE(tokenless.ok()) << tokenless.status();
  auto refused = (*tokenless)->Fetch();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("HTTP 401"));

  auto other_ca =
      HttpsJwksSource::Create(server.uri(), tls::SharedTestCertificates().other_ca, kToken);
  ASSERT_TRUE(other_ca.ok()) << other_ca.status();
  auto unverified = (*other_ca)->Fetch();
  EXPECT_EQ(unverified.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unverified.status().message(), ::testing::Not(HasSubstr(kToken)));
  EXPECT_EQ(server.requests(), 1) << "the token went to a server that was not verified";
}

TEST(HttpsJwksSourceTest, AnAnswerPastTheJwksLimitIsRefused) {
  JwksServer at_limit(std::string(ledger::identity::kMaxJwksBytes, ' '));
  auto source = HttpsJwksSource::Create(at_limit.uri(), tls::SharedTestCertificates().ca, kToken);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_TRUE((*source)->Fetch().ok());

  JwksServer past(std::string(ledger::identity::kMaxJwksBytes + 1, ' '));
  auto too_big = HttpsJwksSource::Create(past.uri(), tls::SharedTestCertificates().ca, kToken);
  ASSERT_TRUE(too_big.ok()) << too_big.status();
  auto got = (*too_big)->Fetch();
  EXPECT_FALSE(got.ok()) << got->size();
}

TEST(HttpsJwksSourceTest, OnlyHttpsUrlsWithAPath) {
  for (const char* uri : {"http://127.0.0.1:1/jwks", "https://127.0.0.1:1", "https://127.0.0.1:1/",
                          "file:///etc/jwks"}) {
    auto source = HttpsJwksSource::Create(uri, "", "");
    EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument) << uri;
  }
}

TEST(FileJwksSourceTest, ReadsTheFileAgainAtEveryFetch) {
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/jwks.json");
  std::ofstream(path) << kJwks;
  FileJwksSource source(path);
  EXPECT_EQ(source.Fetch().value_or(""), kJwks);
  std::ofstream(path, std::ios::trunc) << R"({"keys":[{"kty":"OKP"}]})";
  EXPECT_EQ(source.Fetch().value_or(""), R"({"keys":[{"kty":"OKP"}]})");
  std::ofstream(path, std::ios::trunc) << std::string(ledger::identity::kMaxJwksBytes + 1, ' ');
  EXPECT_FALSE(source.Fetch().ok());
  FileJwksSource missing(path + ".missing");
  EXPECT_THAT(missing.Fetch().status().message(), HasSubstr("JWKS file " + path + ".missing"));
}

}  // namespace
}  // namespace api
}  // namespace vellum
