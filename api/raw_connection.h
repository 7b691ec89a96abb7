#ifndef VELLUM_API_RAW_CONNECTION_H_
#define VELLUM_API_RAW_CONNECTION_H_

// A raw TCP connection to a server on loopback, for requests HttpClient would never send (half a
// header, a body that never comes, garbage) and from any loopback source address: the tests of
// the server's limits, and the hostile clients of the soak (api/bench/hostile_soak.h).

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace vellum {
namespace api {

class RawConnection {
 public:
  // Connects to 127.0.0.1:`port` from `source` (any address in 127.0.0.0/8).
  explicit RawConnection(uint16_t port, const std::string& source = "127.0.0.1");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  // Sends all of `data`; false if the connection is closed.
  bool Send(absl::string_view data);

  // Whether the server has closed the connection (or it never opened), without waiting.
  bool PeerClosed() const;

  // Reads until the server closes the connection (or 20 s pass with nothing to read). Sets
  // *closed to whether the server closed it.
  std::string ReadUntilClosed(bool* closed);

 private:
  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_RAW_CONNECTION_H_
