#ifndef VELLUM_TOOLS_SERVING_H_
#define VELLUM_TOOLS_SERVING_H_

// What the long-running programs (vellumd, vellum witness, vellum monitor) share: the --listen
// flag, the --tls-cert and --tls-key flags, and a clean stop on SIGTERM or SIGINT.

#include <signal.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/tls/context.h"
#include "tools/command_line.h"

namespace vellum {
namespace cli {

// Parses a --listen value HOST:PORT (IPv6 hosts in brackets; api::config::ParseListenAddress, so
// a flag and a configuration file accept the same addresses) into an address to bind and a port.
// A host name is resolved (getaddrinfo), and its first IPv4 address taken, else its first
// address: "localhost:8080" listens on 127.0.0.1. InvalidArgument if it does not resolve.
absl::StatusOr<std::pair<std::string, uint16_t>> ParseListen(absl::string_view listen);

// True when `host` (a name or an address) resolves, and every address it resolves to is a
// loopback address (127.0.0.0/8, ::1, or 127.0.0.0/8 mapped into IPv6).
bool IsLoopback(absl::string_view host);

// The TLS server context of --tls-cert FILE (the certificate chain) and --tls-key FILE; nullptr
// when neither is given. InvalidArgument when only one is, or when the files do not load.
absl::StatusOr<std::shared_ptr<api::tls::ServerContext>> TlsServerFlags(const CommandLine& line);

// On SIGHUP: reloads `context` (nullptr: nothing to reload) and says on stderr, after `program`,
// whether it worked; a failed reload keeps the old certificate (api/tls/context.h).
void ReloadTls(api::tls::ServerContext* context, absl::string_view program);

// Blocks SIGTERM and SIGINT (and SIGHUP, if asked) in the calling thread, so threads started
// afterwards inherit the mask and Wait() receives them. Construct it before starting any thread.
class TerminationSignals {
 public:
  explicit TerminationSignals(bool hangup = false);
  // Waits for SIGTERM, SIGINT or (if asked) SIGHUP and returns its number.
  int Wait();

 private:
  sigset_t signals_;
};

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_SERVING_H_
