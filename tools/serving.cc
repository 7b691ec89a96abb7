#include "tools/serving.h"

#include <pthread.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proof/decimal.h"

namespace vellum {
namespace cli {

absl::StatusOr<std::pair<std::string, uint16_t>> ParseListen(absl::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--listen ", listen, ": want HOST:PORT"));
  }
  absl::StatusOr<uint64_t> port = ParseDecimal(listen.substr(colon + 1), "--listen port");
  if (!port.ok()) return port.status();
  if (*port > 65535) return absl::InvalidArgumentError("--listen port is above 65535");
  std::string host(listen.substr(0, colon));
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, static_cast<uint16_t>(*port));
}

bool IsLoopback(absl::string_view host) {
  return absl::StartsWith(host, "127.") || host == "::1" || host == "localhost";
}

TerminationSignals::TerminationSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

int TerminationSignals::Wait() {
  int signal_number = 0;
  sigwait(&signals_, &signal_number);
  return signal_number;
}

}  // namespace cli
}  // namespace vellum
