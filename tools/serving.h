#ifndef VELLUM_TOOLS_SERVING_H_
#define VELLUM_TOOLS_SERVING_H_

// What the long-running programs (vellumd, vellum witness, vellum monitor) share: the --listen
// flag and a clean stop on SIGTERM or SIGINT.

#include <signal.h>

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {
namespace cli {

// Parses a --listen value HOST:PORT (IPv6 hosts in brackets) into host and port, by
// api::config::ParseListenAddress, so a flag and a configuration file accept the same addresses.
absl::StatusOr<std::pair<std::string, uint16_t>> ParseListen(absl::string_view listen);

// True for 127.x.y.z, ::1 and localhost.
bool IsLoopback(absl::string_view host);

// Blocks SIGTERM and SIGINT in the calling thread, so threads started afterwards inherit the
// mask and Wait() receives them. Construct it before starting any thread.
class TerminationSignals {
 public:
  TerminationSignals();
  // Waits for SIGTERM or SIGINT and returns its number.
  int Wait();

 private:
  sigset_t signals_;
};

}  // namespace cli
}  // namespace vellum

#endif  // VELLUM_TOOLS_SERVING_H_
