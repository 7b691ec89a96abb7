#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "api/tls/context.h"
#include "api/tls/test_certificates.h"
#include "api/tls/tls_stream.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace tls {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;

const TestCertificates& Certs() { return SharedTestCertificates(); }

std::unique_ptr<ServerContext> Server(const CertificateFiles& files,
                                      const std::string& client_ca = "",
                                      bool require_client_cert = false) {
  ServerOptions options;
  options.cert_chain_file = files.cert;
  options.key_file = files.key;
  options.client_ca_file = client_ca;
  options.require_client_cert = require_client_cert;
  return ServerContext::Create(options).value();
}

std::unique_ptr<ClientContext> Client(const std::string& ca, const CertificateFiles& cert = {}) {
  ClientOptions options;
  options.ca_file = ca;
  options.cert_file = cert.cert;
  options.key_file = cert.key;
  return ClientContext::Create(options).value();
}

// A connected pair of loopback TCP sockets on `io`.
std::pair<Socket, Socket> Connected(net::io_context& io) {
  Acceptor acceptor(io.get_executor(), tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  Socket client(io.get_executor());
  client.connect(acceptor.local_endpoint());
  Socket server = acceptor.accept();
  return {std::move(server), std::move(client)};
}

struct Outcome {
  boost::system::error_code server_error;
  boost::system::error_code client_error;
  std::string server_sees;  // The client's identity, as the server verified it.
  std::string client_sees;  // The server's.
  std::string client_refusal;
};

// Runs the handshakes of a server with `server` and a client with `client` that connects to
// `host`, both on one io_context; on success leaves the streams in `kept`, if given.
Outcome Handshake(net::io_context& io, const ServerContext& server, const ClientContext& client,
                  const std::string& host,
                  std::pair<std::unique_ptr<TlsStream>, std::unique_ptr<TlsStream>>* kept =
                      nullptr) {
  auto [server_socket, client_socket] = Connected(io);
  auto server_stream = std::make_unique<TlsStream>(std::move(server_socket), server);
  auto client_stream = std::make_unique<TlsStream>(std::move(client_socket), client, host);
  Outcome outcome;
  server_stream->async_handshake([&](boost::system::error_code ec) {
    outcome.server_error = ec;
    // A refused client learns it from the alert or, in TLS 1.3, when the connection closes.
    if (ec) server_stream->socket().close();
  });
  client_stream->async_handshake([&](boost::system::error_code ec) {
    outcome.client_error = ec;
    if (ec) client_stream->socket().close();
  });
  io.restart();
  io.run();
  outcome.server_sees = server_stream->peer_identity();
  outcome.client_sees = client_stream->peer_identity();
  outcome.client_refusal = client_stream->verify_error();
  if (kept != nullptr) *kept = {std::move(server_stream), std::move(client_stream)};
  return outcome;
}

TEST(TlsContextTest, RefusesMissingAndMismatchedFiles) {
  ServerOptions options;
  options.cert_chain_file = Certs().server.cert + ".missing";
  options.key_file = Certs().server.key;
  absl::Status missing = ServerContext::Create(options).status();
  EXPECT_TRUE(absl::IsInvalidArgument(missing)) << missing;
  EXPECT_TRUE(absl::StrContains(missing.message(), "cannot load the certificate chain \"" +
                                                       options.cert_chain_file))
      << missing;

  options.cert_chain_file = Certs().server.cert;
  options.key_file = Certs().cn_client.key;
  absl::Status mismatch = ServerContext::Create(options).status();
  EXPECT_TRUE(absl::IsInvalidArgument(mismatch)) << mismatch;
  EXPECT_TRUE(absl::StrContains(mismatch.message(), options.key_file)) << mismatch;
  EXPECT_TRUE(absl::StrContains(
      absl::StrReplaceAll(absl::AsciiStrToLower(mismatch.message()), {{"_", " "}}),
      "key values mismatch"))
      << mismatch;

  options.key_file = Certs().server.key;
  options.require_client_cert = true;
  absl::Status no_ca = ServerContext::Create(options).status();
  EXPECT_TRUE(absl::IsInvalidArgument(no_ca)) << no_ca;
  EXPECT_TRUE(absl::StrContains(no_ca.message(), "client CA file")) << no_ca;

  ClientOptions client;
  client.cert_file = Certs().cn_client.cert;
  absl::Status half = ClientContext::Create(client).status();
  EXPECT_TRUE(absl::IsInvalidArgument(half)) << half;
  EXPECT_TRUE(absl::StrContains(half.message(), "both a certificate and a key")) << half;

  client.key_file = Certs().cn_client.key;
  client.ca_file = Certs().ca + ".missing";
  absl::Status no_ca_file = ClientContext::Create(client).status();
  EXPECT_TRUE(absl::StrContains(no_ca_file.message(), "cannot load the CA certificates"))
      << no_ca_file;
}

TEST(TlsContextTest, ClientWithoutCaFileTrustsTheSystemCas) {
  // The system's CAs load, and do not vouch for the test CA.
  net::io_context io(1);
  auto server = Server(Certs().server);
  Outcome outcome = Handshake(io, *server, *Client(""), "127.0.0.1");
  EXPECT_TRUE(outcome.client_error);
  EXPECT_TRUE(absl::StrContains(outcome.client_refusal, "unable to get local issuer"))
      << outcome.client_refusal;
}

TEST(TlsStreamTest, ClientVerifiesTheServerByIpAndByName) {
  net::io_context io(1);
  auto server = Server(Certs().server);
  auto client = Client(Certs().ca);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    Outcome outcome = Handshake(io, *server, *client, host);
    EXPECT_FALSE(outcome.client_error) << host << ": " << outcome.client_error.message();
    EXPECT_FALSE(outcome.server_error) << host << ": " << outcome.server_error.message();
    EXPECT_EQ(outcome.client_sees, "server");
    EXPECT_EQ(outcome.server_sees, "");  // No client certificate was asked for.
  }
}

TEST(TlsStreamTest, ClientRefusesACertificateForAnotherHost) {
  net::io_context io(1);
  auto server = Server(Certs().wrong_host_server);
  auto client = Client(Certs().ca);
  Outcome by_ip = Handshake(io, *server, *client, "127.0.0.1");
  EXPECT_TRUE(by_ip.client_error);
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(by_ip.client_refusal), "ip address mismatch"))
      << by_ip.client_refusal;
  Outcome by_name = Handshake(io, *server, *client, "localhost");
  EXPECT_TRUE(by_name.client_error);
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(by_name.client_refusal), "hostname mismatch"))
      << by_name.client_refusal;
  // The same certificate is good for the name it holds (then the address is the wrong one, but
  // the name is what is checked).
  Outcome right_name = Handshake(io, *server, *client, "other.example");
  EXPECT_FALSE(right_name.client_error) << right_name.client_refusal;
}

TEST(TlsStreamTest, ClientRefusesAnUnknownCaAndAnExpiredCertificate) {
  net::io_context io(1);
  auto client = Client(Certs().ca);
  Outcome unknown = Handshake(io, *Server(Certs().other_ca_server), *client, "127.0.0.1");
  EXPECT_TRUE(unknown.client_error);
  EXPECT_TRUE(absl::StrContains(unknown.client_refusal, "unable to get local issuer"))
      << unknown.client_refusal;
  Outcome expired = Handshake(io, *Server(Certs().expired_server), *client, "127.0.0.1");
  EXPECT_TRUE(expired.client_error);
  EXPECT_TRUE(absl::StrContains(expired.client_refusal, "expired")) << expired.client_refusal;
}

TEST(TlsStreamTest, ServerSeesTheSpiffeIdElseTheCommonName) {
  net::io_context io(1);
  auto server = Server(Certs().server, Certs().ca);
  Outcome spiffe = Handshake(io, *server, *Client(Certs().ca, Certs().spiffe_client), "127.0.0.1");
  EXPECT_FALSE(spiffe.server_error) << spiffe.server_error.message();
  EXPECT_EQ(spiffe.server_sees, "spiffe://vellum.test/ns/ci/sa/writer");
  Outcome cn = Handshake(io, *server, *Client(Certs().ca, Certs().cn_client), "127.0.0.1");
  EXPECT_FALSE(cn.server_error) << cn.server_error.message();
  EXPECT_EQ(cn.server_sees, "auditor");
  // Without require_client_cert, a client without a certificate is let in, as nobody.
  Outcome none = Handshake(io, *server, *Client(Certs().ca), "127.0.0.1");
  EXPECT_FALSE(none.server_error) << none.server_error.message();
  EXPECT_EQ(none.server_sees, "");
}

TEST(TlsStreamTest, ServerRefusesClientsWithoutCertificateOrFromAnotherCa) {
  net::io_context io(1);
  auto server = Server(Certs().server, Certs().ca, /*require_client_cert=*/true);
  Outcome none = Handshake(io, *server, *Client(Certs().ca), "127.0.0.1");
  EXPECT_TRUE(none.server_error);
  EXPECT_EQ(none.server_sees, "");
  Outcome other = Handshake(io, *server, *Client(Certs().ca, Certs().other_ca_client),
                            "127.0.0.1");
  EXPECT_TRUE(other.server_error);
  EXPECT_EQ(other.server_sees, "");
  Outcome expected = Handshake(io, *server, *Client(Certs().ca, Certs().cn_client), "127.0.0.1");
  EXPECT_FALSE(expected.server_error) << expected.server_error.message();
}

void Copy(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  ASSERT_TRUE(out.good()) << from << " -> " << to;
}

TEST(TlsStreamTest, ReloadSwapsTheCertificateForNewConnectionsAndKeepsItOnFailure) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  CertificateFiles live{dir + "/live.crt", dir + "/live.key"};
  Copy(Certs().server.cert, live.cert);
  Copy(Certs().server.key, live.key);
  auto server = Server(live);
  auto client = Client(Certs().ca);
  net::io_context io(1);
  std::pair<std::unique_ptr<TlsStream>, std::unique_ptr<TlsStream>> old_connection;
  ASSERT_EQ(Handshake(io, *server, *client, "127.0.0.1", &old_connection).client_sees, "server");

  Copy(Certs().second_server.cert, live.cert);
  Copy(Certs().second_server.key, live.key);
  ASSERT_TRUE(server->Reload().ok());
  EXPECT_EQ(Handshake(io, *server, *client, "127.0.0.1").client_sees, "second-server");

  // A bad file: the error, and the certificate in force stays.
  { std::ofstream(live.cert, std::ios::trunc) << "not a certificate\n"; }
  absl::Status bad = server->Reload();
  EXPECT_TRUE(absl::IsInvalidArgument(bad)) << bad;
  EXPECT_TRUE(absl::StrContains(bad.message(), live.cert)) << bad;
  EXPECT_EQ(Handshake(io, *server, *client, "127.0.0.1").client_sees, "second-server");

  // The connection opened before the reloads still works, with its certificate.
  std::string sent = "ping", received(4, '\0');
  net::async_write(*old_connection.second, net::buffer(sent),
                   [](boost::system::error_code ec, size_t) { EXPECT_FALSE(ec); });
  net::async_read(*old_connection.first, net::buffer(received),
                  [](boost::system::error_code ec, size_t) { EXPECT_FALSE(ec); });
  io.restart();
  io.run();
  EXPECT_EQ(received, "ping");
  EXPECT_EQ(old_connection.second->peer_identity(), "server");
}

TEST(TlsStreamTest, WritesSeveralBuffersAsOne) {
  net::io_context io(1);
  auto server = Server(Certs().server);
  std::pair<std::unique_ptr<TlsStream>, std::unique_ptr<TlsStream>> streams;
  ASSERT_FALSE(Handshake(io, *server, *Client(Certs().ca), "127.0.0.1", &streams).client_error);
  // More than one record's worth in three buffers: the first write takes one record's worth.
  const std::string a(10, 'a'), b(20000, 'b'), c(5, 'c');
  std::vector<net::const_buffer> buffers = {net::buffer(a), net::const_buffer(), net::buffer(b),
                                            net::buffer(c)};
  size_t first_write = 0;
  streams.second->async_write_some(buffers, [&](boost::system::error_code ec, size_t n) {
    EXPECT_FALSE(ec);
    first_write = n;
  });
  io.restart();
  io.run();
  EXPECT_EQ(first_write, 16384u);
  std::string received(first_write, '\0');
  net::async_read(*streams.first, net::buffer(received),
                  [](boost::system::error_code ec, size_t) { EXPECT_FALSE(ec); });
  io.restart();
  io.run();
  EXPECT_EQ(received, a + b.substr(0, 16384 - a.size()));
}

// A handshake by a client of the library itself, offering at most `max_version`, against a
// TlsStream server. Returns "" on success, else the library's reasons in lower case, spaces
// for underscores (the two libraries spell them differently).
std::string RawClientHandshake(const ServerContext& server, int max_version) {
  net::io_context io(1);
  Acceptor acceptor(io.get_executor(), tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  std::string result;
  std::thread client([&] {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(context, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(context, max_version);
#ifndef OPENSSL_IS_BORINGSSL
    SSL_CTX_set_security_level(context, 0);  // OpenSSL 3 offers TLS 1.1 at level 0 only.
#endif
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    SSL* ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
      char text[256];
      while (unsigned long code = ERR_get_error()) {
        ERR_error_string_n(code, text, sizeof(text));
        result += text;
      }
      if (result.empty()) result = "failed";
    }
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(context);
  });
  TlsStream stream(acceptor.accept(), server);
  stream.async_handshake([&](boost::system::error_code ec) {
    if (ec) stream.socket().close();
  });
  io.run();
  client.join();
  return absl::StrReplaceAll(absl::AsciiStrToLower(result), {{"_", " "}});
}

TEST(TlsStreamTest, ServerRefusesTls11AndTakesTls12) {
  auto server = Server(Certs().server);
  EXPECT_EQ(RawClientHandshake(*server, TLS1_2_VERSION), "");
  std::string tls11 = RawClientHandshake(*server, TLS1_1_VERSION);
  EXPECT_TRUE(absl::StrContains(tls11, "alert protocol version")) << tls11;
}

}  // namespace
}  // namespace tls
}  // namespace api
}  // namespace vellum
