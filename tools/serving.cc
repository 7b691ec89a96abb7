#include "tools/serving.h"

#include <pthread.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/config/config_loader.h"

namespace vellum {
namespace cli {

absl::StatusOr<std::pair<std::string, uint16_t>> ParseListen(absl::string_view listen) {
  return api::config::ParseListenAddress(listen, "--listen");
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
