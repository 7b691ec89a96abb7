#include "tools/serving.h"

#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <iostream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/config/config_loader.h"

namespace vellum {
namespace cli {

namespace {

// The numeric addresses `host` resolves to, IPv4 first; empty when it does not resolve.
std::vector<std::string> Resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::vector<std::string> v4, v6;
  if (host.empty() || getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return {};
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof(text), nullptr, 0,
                    NI_NUMERICHOST) != 0) {
      continue;
    }
    (a->ai_family == AF_INET ? v4 : v6).push_back(text);
  }
  freeaddrinfo(found);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

}  // namespace

absl::StatusOr<std::pair<std::string, uint16_t>> ParseListen(absl::string_view listen) {
  absl::StatusOr<std::pair<std::string, uint16_t>> parsed =
      api::config::ParseListenAddress(listen, "--listen");
  if (!parsed.ok()) return parsed.status();
  std::vector<std::string> addresses = Resolve(parsed->first);
  if (addresses.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen ", listen, ": host \"", parsed->first, "\" does not resolve"));
  }
  return std::make_pair(addresses.front(), parsed->second);
}

bool IsLoopback(absl::string_view host) {
  std::vector<std::string> addresses = Resolve(std::string(host));
  if (addresses.empty()) return false;
  for (const std::string& address : addresses) {
    const bool loopback = absl::StartsWith(address, "127.") || address == "::1" ||
                          absl::StartsWith(address, "::ffff:127.");
    if (!loopback) return false;
  }
  return true;
}

absl::StatusOr<std::shared_ptr<api::tls::ServerContext>> TlsServerFlags(const CommandLine& line) {
  absl::optional<std::string> cert = line.Get("tls-cert");
  absl::optional<std::string> key = line.Get("tls-key");
  if (!cert.has_value() && !key.has_value()) return nullptr;
  if (!cert.has_value() || !key.has_value()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together: give both");
  }
  api::tls::ServerOptions options;
  options.cert_chain_file = *cert;
  options.key_file = *key;
  absl::StatusOr<std::unique_ptr<api::tls::ServerContext>> context =
      api::tls::ServerContext::Create(options);
  if (!context.ok()) return context.status();
  return std::shared_ptr<api::tls::ServerContext>(*std::move(context));
}

void ReloadTls(api::tls::ServerContext* context, absl::string_view program) {
  if (context == nullptr) {
    std::cerr << program << ": SIGHUP: no TLS certificate to reload\n";
    return;
  }
  absl::Status status = context->Reload();
  if (status.ok()) {
    std::cerr << program << ": SIGHUP: reloaded the TLS certificate and key\n";
  } else {
    std::cerr << program << ": SIGHUP: kept the old TLS certificate: " << status.message()
              << "\n";
  }
}

TerminationSignals::TerminationSignals(bool hangup) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  if (hangup) sigaddset(&signals_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

int TerminationSignals::Wait() {
  int signal_number = 0;
  sigwait(&signals_, &signal_number);
  return signal_number;
}

}  // namespace cli
}  // namespace vellum
