#ifndef VELLUM_API_SOURCE_ADDRESS_H_
#define VELLUM_API_SOURCE_ADDRESS_H_

#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {
namespace api {

// Which peers are proxies whose X-Forwarded-For header is believed (docs/operations.md,
// "Behind a proxy"), and the source address of a request under that rule. Immutable and
// thread-safe once made.
class TrustedProxies {
 public:
  // No trusted proxy: the source is always the peer.
  TrustedProxies() = default;

  // From addresses and CIDR blocks ("10.0.0.7", "10.1.0.0/16", "fd00::/8"). InvalidArgument
  // naming the entry that is neither.
  static absl::StatusOr<TrustedProxies> Parse(const std::vector<std::string>& entries);

  // The request's source: the peer, unless the peer is a trusted proxy; then, walking the
  // X-Forwarded-For list (`forwarded_for`, comma-separated, the nearest hop last) from the right,
  // the first address that is not a trusted proxy (or the leftmost one, if all are).
  // InvalidArgument when a list that must be read holds something that is not an address, or
  // more than kMaxHops entries, or an address with a zone (%eth0; the peer's own is dropped). An
  // IPv4-mapped IPv6 address comes back as IPv4.
  absl::StatusOr<std::string> Source(absl::string_view peer, absl::string_view forwarded_for) const;

  bool Trusts(absl::string_view address) const;
  bool empty() const { return networks_.empty(); }

  static constexpr size_t kMaxHops = 32;

 private:
  struct Network {
    bool v6 = false;
    unsigned char bytes[16] = {};
    int prefix = 0;
  };
  static Network ToNetwork(const boost::asio::ip::address& address);
  static bool Contains(const Network& network, const Network& address);

  std::vector<Network> networks_;
};

// The address in its one canonical spelling (IPv4-mapped IPv6 as IPv4), or InvalidArgument
// (for a zone, too).
absl::StatusOr<std::string> CanonicalAddress(absl::string_view address);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_SOURCE_ADDRESS_H_
