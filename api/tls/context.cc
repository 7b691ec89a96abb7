#include "api/tls/context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "api/tls/internal/ssl_context.h"

namespace vellum {
namespace api {
namespace tls {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2's suites: forward-secret key exchange and AEAD ciphers only. TLS 1.3's suites are all
// of that kind, and both libraries' defaults for them are kept.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// `what`, followed by the reasons the library queued for the call that just failed, which it
// takes off the queue.
absl::Status LibraryError(absl::string_view what) {
  std::string reasons;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    absl::StrAppend(&reasons, reasons.empty() ? "" : "; ", text);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", reasons.empty() ? "unknown error" : reasons));
}

// The settings every context shares: versions, ciphers, no renegotiation.
absl::Status Restrict(SSL_CTX* context) {
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1) {
    return LibraryError("cannot limit TLS to versions 1.2 and 1.3");
  }
  if (SSL_CTX_set_cipher_list(context, kTls12Ciphers) != 1) {
    return LibraryError("cannot set the TLS 1.2 cipher suites");
  }
#ifdef SSL_OP_NO_RENEGOTIATION
  SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
#endif
  return absl::OkStatus();
}

// Loads a certificate chain and its key. Both libraries refuse a key that does not match the
// certificate already loaded ("key values mismatch").
absl::Status LoadIdentity(SSL_CTX* context, const std::string& chain_file,
                          const std::string& key_file) {
  if (SSL_CTX_use_certificate_chain_file(context, chain_file.c_str()) != 1) {
    return LibraryError(absl::StrCat("cannot load the certificate chain \"", chain_file, "\""));
  }
  if (SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return LibraryError(absl::StrCat("cannot load the private key \"", key_file,
                                     "\" for the certificate of \"", chain_file, "\""));
  }
  return absl::OkStatus();
}

absl::Status LoadCas(SSL_CTX* context, const std::string& ca_file) {
  if (SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) {
    return LibraryError(absl::StrCat("cannot load the CA certificates \"", ca_file, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<internal::SslContext>> BuildServer(const ServerOptions& options) {
  if (options.require_client_cert && options.client_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "require_client_cert needs a client CA file to verify client certificates against");
  }
  ERR_clear_error();
  auto built = std::make_shared<internal::SslContext>(ssl::context::tls_server);
  SSL_CTX* context = built->context.native_handle();
  if (absl::Status s = Restrict(context); !s.ok()) return s;
  if (absl::Status s = LoadIdentity(context, options.cert_chain_file, options.key_file);
      !s.ok()) {
    return s;
  }
  if (!options.client_ca_file.empty()) {
    if (absl::Status s = LoadCas(context, options.client_ca_file); !s.ok()) return s;
    SSL_CTX_set_verify(context,
                       SSL_VERIFY_PEER |
                           (options.require_client_cert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       nullptr);
  }
  return built;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerContext>> ServerContext::Create(const ServerOptions& options) {
  absl::StatusOr<std::shared_ptr<internal::SslContext>> context = BuildServer(options);
  if (!context.ok()) return context.status();
  return std::unique_ptr<ServerContext>(new ServerContext(options, *std::move(context)));
}

ServerContext::ServerContext(const ServerOptions& options,
                             std::shared_ptr<internal::SslContext> context)
    : options_(options), current_(std::move(context)) {}

ServerContext::~ServerContext() = default;

absl::Status ServerContext::Reload() {
  absl::StatusOr<std::shared_ptr<internal::SslContext>> context = BuildServer(options_);
  if (!context.ok()) return context.status();
  absl::MutexLock lock(&mu_);
  current_ = *std::move(context);
  return absl::OkStatus();
}

std::shared_ptr<internal::SslContext> ServerContext::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::StatusOr<std::unique_ptr<ClientContext>> ClientContext::Create(const ClientOptions& options) {
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a client certificate needs both a certificate and a key file: got certificate \"",
        options.cert_file, "\" and key \"", options.key_file, "\""));
  }
  ERR_clear_error();
  auto built = std::make_shared<internal::SslContext>(ssl::context::tls_client);
  SSL_CTX* context = built->context.native_handle();
  if (absl::Status s = Restrict(context); !s.ok()) return s;
  if (absl::Status s = LoadCas(context, options.ca_file.empty() ? kSystemCaFile : options.ca_file);
      !s.ok()) {
    return s;
  }
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  if (!options.cert_file.empty()) {
    if (absl::Status s = LoadIdentity(context, options.cert_file, options.key_file); !s.ok()) {
      return s;
    }
  }
  return std::unique_ptr<ClientContext>(new ClientContext(std::move(built)));
}

ClientContext::ClientContext(std::shared_ptr<internal::SslContext> context)
    : context_(std::move(context)) {}

ClientContext::~ClientContext() = default;

}  // namespace tls
}  // namespace api
}  // namespace vellum
