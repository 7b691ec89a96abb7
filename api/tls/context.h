#ifndef VELLUM_API_TLS_CONTEXT_H_
#define VELLUM_API_TLS_CONTEXT_H_

// The TLS configurations of Vellum's servers and clients: TLS 1.2 and 1.3 only, ECDHE with AEAD
// ciphers for TLS 1.2 (docs/security.md, "TLS"). Certificates and keys are PEM files; keys are unencrypted.
// Error messages name the file and the library's reason, never a key's contents.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace vellum {
namespace api {
namespace tls {

namespace internal {
struct SslContext;
}  // namespace internal

// Debian's bundle of the system's trusted CAs, which a client trusts when given no CA file.
inline constexpr char kSystemCaFile[] = "/etc/ssl/certs/ca-certificates.crt";

struct ServerOptions {
  std::string cert_chain_file;  // The server's certificate, then its intermediates.
  std::string key_file;
  // mTLS: the CAs that client certificates are verified against ("" for none: no client
  // certificate is asked for).
  std::string client_ca_file;
  // Refuse the handshake of a client without a certificate. Requires client_ca_file.
  bool require_client_cert = false;
};

// A server's TLS configuration, re-read from its files by Reload(). Thread-safe.
class ServerContext {
 public:
  // Reads the files. InvalidArgument if one cannot be loaded, if the key does not match the
  // certificate, or if require_client_cert is set without a client CA file.
  static absl::StatusOr<std::unique_ptr<ServerContext>> Create(const ServerOptions& options);
  ~ServerContext();

  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // Re-reads the files. On success, connections accepted from then on use the new certificate,
  // key and client CAs, while open connections keep theirs; on failure the error is returned
  // (as Create() reports it) and the old configuration stays in force.
  absl::Status Reload();

  const ServerOptions& options() const { return options_; }

 private:
  friend class TlsStream;
  ServerContext(const ServerOptions& options, std::shared_ptr<internal::SslContext> context);
  std::shared_ptr<internal::SslContext> Current() const;

  const ServerOptions options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<internal::SslContext> current_ ABSL_GUARDED_BY(mu_);
};

struct ClientOptions {
  // The CAs that the server's certificate is verified against; "" for the system's
  // (kSystemCaFile).
  std::string ca_file;
  // A client certificate (chain) and its key for mTLS: both or neither.
  std::string cert_file;
  std::string key_file;
};

// A client's TLS configuration: it verifies the server's certificate chain, and each
// TlsStream made with it verifies that the certificate names the host it connects to.
// Immutable, so thread-safe.
class ClientContext {
 public:
  // Reads the files. InvalidArgument if one cannot be loaded, if the key does not match the
  // certificate, or if only one of cert_file and key_file is given.
  static absl::StatusOr<std::unique_ptr<ClientContext>> Create(const ClientOptions& options);
  ~ClientContext();

  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

 private:
  friend class TlsStream;
  explicit ClientContext(std::shared_ptr<internal::SslContext> context);

  const std::shared_ptr<internal::SslContext> context_;
};

}  // namespace tls
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_TLS_CONTEXT_H_
