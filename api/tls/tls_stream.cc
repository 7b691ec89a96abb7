#include "api/tls/tls_stream.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl/stream.hpp>

#include "absl/strings/match.h"
#include "api/tls/internal/ssl_context.h"

namespace vellum {
namespace api {
namespace tls {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

// Sets `out` to the bytes of an ASN.1 string and returns true when they hold no control
// character (nor NUL); returns false otherwise.
bool Printable(const unsigned char* data, int length, std::string* out) {
  if (data == nullptr || length <= 0) return false;
  for (int i = 0; i < length; ++i) {
    if (data[i] < 0x20 || data[i] == 0x7f) return false;
  }
  out->assign(reinterpret_cast<const char*>(data), static_cast<size_t>(length));
  return true;
}

// Looks for URI SANs that start with "spiffe://". Returns false when there is none; otherwise
// sets `id` to the one there is, or to "" when there are several or it holds a control
// character.
bool SpiffeId(X509* certificate, std::string* id) {
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return false;
  int found = 0;
  for (size_t i = 0; i < static_cast<size_t>(sk_GENERAL_NAME_num(names)); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    const absl::string_view raw(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                static_cast<size_t>(std::max(ASN1_STRING_length(uri), 0)));
    if (!absl::StartsWith(raw, "spiffe://")) continue;
    std::string text;
    const bool printable =
        Printable(ASN1_STRING_get0_data(uri), ASN1_STRING_length(uri), &text);
    *id = ++found == 1 && printable ? text : "";
  }
  GENERAL_NAMES_free(names);
  return found > 0;
}

// The subject's common name when it has exactly one, else "".
std::string CommonName(X509* certificate) {
  X509_NAME* subject = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) return "";
  unsigned char* utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  std::string name;
  if (length >= 0) Printable(utf8, length, &name);
  OPENSSL_free(utf8);
  return name;
}

// The identity of the verified peer certificate of `ssl` (tls_stream.h).
std::string PeerIdentity(SSL* ssl) {
  if (SSL_get_verify_result(ssl) != X509_V_OK) return "";
  X509* certificate = SSL_get_peer_certificate(ssl);  // A new reference, in both libraries.
  if (certificate == nullptr) return "";
  std::string identity;
  if (!SpiffeId(certificate, &identity)) identity = CommonName(certificate);
  X509_free(certificate);
  return identity;
}

}  // namespace

struct TlsStream::Impl {
  Impl(Socket socket, std::shared_ptr<internal::SslContext> context)
      : context(std::move(context)), stream(std::move(socket), this->context->context) {}

  // Keeps the SSL_CTX this connection was made with, however the ServerContext moves on.
  const std::shared_ptr<internal::SslContext> context;
  ssl::stream<Socket> stream;
  ssl::stream_base::handshake_type role = ssl::stream_base::server;
  // The client's set-up for the server's name failed; the handshake reports it.
  bool bad_host = false;
  std::string peer_identity;
};

TlsStream::TlsStream(Socket socket, const ServerContext& context)
    : executor_(socket.get_executor()),
      impl_(std::make_unique<Impl>(std::move(socket), context.Current())) {}

TlsStream::TlsStream(Socket socket, const ClientContext& context, absl::string_view host)
    : executor_(socket.get_executor()),
      impl_(std::make_unique<Impl>(std::move(socket), context.context_)) {
  impl_->role = ssl::stream_base::client;
  SSL* ssl = impl_->stream.native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const std::string name(host);
  boost::system::error_code ec;
  net::ip::make_address(name, ec);
  if (!ec) {
    impl_->bad_host = X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1;
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    impl_->bad_host = X509_VERIFY_PARAM_set1_host(param, name.data(), name.size()) != 1 ||
                      SSL_set_tlsext_host_name(ssl, name.c_str()) != 1;
  }
}

TlsStream::~TlsStream() = default;
TlsStream::TlsStream(TlsStream&&) noexcept = default;
TlsStream& TlsStream::operator=(TlsStream&&) noexcept = default;

Socket& TlsStream::socket() { return impl_->stream.next_layer(); }

void TlsStream::async_handshake(Handler handler) {
  if (impl_->bad_host) {
    return net::post(executor_, [handler = std::move(handler)] {
      handler(net::error::make_error_code(net::error::invalid_argument));
    });
  }
  Impl* impl = impl_.get();
  impl->stream.async_handshake(
      impl->role, [impl, handler = std::move(handler)](boost::system::error_code ec) {
        if (!ec) impl->peer_identity = PeerIdentity(impl->stream.native_handle());
        handler(ec);
      });
}

void TlsStream::async_shutdown(Handler handler) { impl_->stream.async_shutdown(std::move(handler)); }

const std::string& TlsStream::peer_identity() const { return impl_->peer_identity; }

std::string TlsStream::verify_error() const {
  const long result = SSL_get_verify_result(impl_->stream.native_handle());
  return result == X509_V_OK ? "" : X509_verify_cert_error_string(result);
}

void TlsStream::ReadSome(net::mutable_buffer buffer, IoHandler handler) {
  impl_->stream.async_read_some(buffer, std::move(handler));
}

void TlsStream::WriteSome(net::const_buffer buffer, IoHandler handler) {
  impl_->stream.async_write_some(buffer, std::move(handler));
}

}  // namespace tls
}  // namespace api
}  // namespace vellum
