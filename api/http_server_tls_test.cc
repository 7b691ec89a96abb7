// HttpServer over TLS, with HttpClient's https:// side: requests and keep-alive, client
// certificates reaching HttpRequest::tls_peer, refusals, and a TLS port's limits. The contexts'
// and the stream's own cases are in api/tls/tls_test.cc.

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/client/http_client.h"
#include "api/http_server.h"
#include "api/tls/context.h"
#include "api/tls/test_certificates.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace {

const tls::TestCertificates& Certs() { return tls::SharedTestCertificates(); }

// A server that answers every request with its tls_peer, and records the peers it saw.
class PeerEcho {
 public:
  explicit PeerEcho(std::shared_ptr<tls::ServerContext> context,
                    absl::Duration header_timeout = absl::Seconds(5),
                    size_t max_connections = 4096) {
    HttpServer::Options options;
    options.port = 0;
    options.tls = std::move(context);
    options.header_timeout = header_timeout;
    options.max_connections = max_connections;
    server_ = HttpServer::Start(options, [this](HttpRequest request, HttpServer::Respond respond) {
                requests_++;
                HttpResponse response;
                response.body = absl::StrCat("peer=", request.tls_peer);
                respond(std::move(response));
              }).value();
  }
  ~PeerEcho() { server_->Shutdown(absl::Seconds(1)); }

  uint16_t port() const { return server_->port(); }
  std::string url(absl::string_view host = "127.0.0.1") const {
    return absl::StrCat("https://", host, ":", port());
  }
  int requests() const { return requests_.load(); }

 private:
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> requests_{0};
};

std::shared_ptr<tls::ServerContext> ServerContext(const tls::CertificateFiles& files,
                                                  const std::string& client_ca = "",
                                                  bool require_client_cert = false) {
  tls::ServerOptions options;
  options.cert_chain_file = files.cert;
  options.key_file = files.key;
  options.client_ca_file = client_ca;
  options.require_client_cert = require_client_cert;
  return tls::ServerContext::Create(options).value();
}

HttpClient::Options ClientOptions(const tls::CertificateFiles& cert = {}) {
  HttpClient::Options options;
  options.tls.ca_file = Certs().ca;
  options.tls.cert_file = cert.cert;
  options.tls.key_file = cert.key;
  return options;
}

void Copy(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  ASSERT_TRUE(out.good()) << from << " -> " << to;
}

// A TCP connection to 127.0.0.1:`port` whose reads give up after 10 seconds.
int ConnectTcp(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  timeval limit{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  return fd;
}

// Everything the server sends on `fd` until it closes the connection; "<timeout>" if it does not
// within the read limit.
std::string ReadToEnd(int fd) {
  std::string received;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n == 0) return received;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? "<timeout>" : received;
    received.append(buffer, static_cast<size_t>(n));
  }
}

TEST(HttpServerTlsTest, AnswersHttpsAndKeepsTheConnection) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string client_ca = dir + "/keepalive-client-ca.crt";
  Copy(Certs().ca, client_ca);
  auto context = ServerContext(Certs().server, client_ca, /*require_client_cert=*/true);
  PeerEcho server(context);
  auto client = HttpClient::Create(server.url(), ClientOptions(Certs().cn_client)).value();
  EXPECT_EQ(client->Get("/a").value(), "peer=auditor");
  // From now on, new connections with this client certificate are refused; the one kept alive
  // carries on.
  Copy(Certs().other_ca, client_ca);
  ASSERT_TRUE(context->Reload().ok());
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HttpResponse> response = client->Send("POST", "/b", "body");
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, "peer=auditor");
  }
  auto fresh = HttpClient::Create(server.url(), ClientOptions(Certs().cn_client)).value();
  EXPECT_TRUE(absl::IsUnavailable(fresh->Get("/c").status()));
  EXPECT_EQ(server.requests(), 4);
}

TEST(HttpServerTlsTest, TheClientCertificatesIdentityReachesTheHandler) {
  PeerEcho server(ServerContext(Certs().server, Certs().ca));
  auto spiffe = HttpClient::Create(server.url(), ClientOptions(Certs().spiffe_client)).value();
  EXPECT_EQ(spiffe->Get("/").value(), "peer=spiffe://vellum.test/ns/ci/sa/writer");
  auto cn = HttpClient::Create(server.url("localhost"), ClientOptions(Certs().cn_client)).value();
  EXPECT_EQ(cn->Get("/").value(), "peer=auditor");
  auto anonymous = HttpClient::Create(server.url(), ClientOptions()).value();
  EXPECT_EQ(anonymous->Get("/").value(), "peer=");
}

TEST(HttpServerTlsTest, RequiredClientCertificatesAreEnforced) {
  PeerEcho server(ServerContext(Certs().server, Certs().ca, /*require_client_cert=*/true));
  auto none = HttpClient::Create(server.url(), ClientOptions()).value();
  absl::Status refused = none->Get("/").status();
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  auto other_ca = HttpClient::Create(server.url(), ClientOptions(Certs().other_ca_client)).value();
  refused = other_ca->Get("/").status();
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_EQ(server.requests(), 0);
  auto good = HttpClient::Create(server.url(), ClientOptions(Certs().cn_client)).value();
  EXPECT_EQ(good->Get("/").value(), "peer=auditor");
}

TEST(HttpServerTlsTest, ClientRefusesAnotherHostsOrAnUnknownCasCertificate) {
  PeerEcho wrong_host(ServerContext(Certs().wrong_host_server));
  absl::Status refused =
      HttpClient::Create(wrong_host.url(), ClientOptions()).value()->Get("/").status();
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(refused.message()), "ip address mismatch"))
      << refused;
  PeerEcho unknown(ServerContext(Certs().other_ca_server));
  refused = HttpClient::Create(unknown.url(), ClientOptions()).value()->Get("/").status();
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "unable to get local issuer")) << refused;
  EXPECT_EQ(wrong_host.requests() + unknown.requests(), 0);
}

TEST(HttpServerTlsTest, PlaintextGetsNoHttpAnswer) {
  PeerEcho server(ServerContext(Certs().server));
  const int fd = ConnectTcp(server.port());
  const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  const std::string answer = ReadToEnd(fd);
  close(fd);
  EXPECT_NE(answer, "<timeout>");
  EXPECT_FALSE(absl::StrContains(answer, "HTTP/")) << answer;
  auto plain = HttpClient::Create(absl::StrCat("http://127.0.0.1:", server.port()), {}).value();
  EXPECT_TRUE(absl::IsUnavailable(plain->Get("/").status()));
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpServerTlsTest, TheHandshakeIsBoundedByTheHeaderTimeout) {
  PeerEcho server(ServerContext(Certs().server), absl::Milliseconds(200));
  const int fd = ConnectTcp(server.port());  // Says nothing.
  const absl::Time start = absl::Now();
  EXPECT_EQ(ReadToEnd(fd), "");
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  close(fd);
}

TEST(HttpServerTlsTest, TheConnectionLimitCountsTlsConnections) {
  PeerEcho server(ServerContext(Certs().server), absl::Seconds(5), /*max_connections=*/1);
  auto first = HttpClient::Create(server.url(), ClientOptions()).value();
  ASSERT_EQ(first->Get("/").value(), "peer=");  // Kept alive: the one connection allowed.
  auto second = HttpClient::Create(server.url(), ClientOptions()).value();
  EXPECT_TRUE(absl::IsUnavailable(second->Get("/").status()));
  EXPECT_EQ(first->Get("/").value(), "peer=");
}

}  // namespace
}  // namespace api
}  // namespace vellum
