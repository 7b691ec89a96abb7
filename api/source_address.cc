#include "api/source_address.h"

#include <algorithm>
#include <cstring>

#include <boost/asio/ip/address.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace vellum {
namespace api {
namespace {

namespace ip = boost::asio::ip;

absl::StatusOr<ip::address> ParseAddress(absl::string_view text) {
  // A zone (fe80::1%eth0) names an interface of the host that wrote it: it means nothing in a
  // forwarded list or a proxy entry, and it has more than one spelling.
  if (text.find('%') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not an IP address (a zone is not allowed)"));
  }
  boost::system::error_code ec;
  ip::address address = ip::make_address(std::string(text), ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not an IP address"));
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::address(ip::make_address_v4(ip::v4_mapped, address.to_v6()));
  }
  return address;
}

}  // namespace

TrustedProxies::Network TrustedProxies::ToNetwork(const boost::asio::ip::address& address) {
  Network network;
  network.v6 = address.is_v6();
  if (network.v6) {
    ip::address_v6::bytes_type b = address.to_v6().to_bytes();
    std::memcpy(network.bytes, b.data(), 16);
    network.prefix = 128;
  } else {
    ip::address_v4::bytes_type b = address.to_v4().to_bytes();
    std::memcpy(network.bytes, b.data(), 4);
    network.prefix = 32;
  }
  return network;
}

absl::StatusOr<std::string> CanonicalAddress(absl::string_view address) {
  absl::StatusOr<ip::address> parsed = ParseAddress(address);
  if (!parsed.ok()) return parsed.status();
  return parsed->to_string();
}

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies proxies;
  for (const std::string& entry : entries) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(entry, absl::MaxSplits('/', 1));
    absl::StatusOr<ip::address> address = ParseAddress(parts.first);
    if (!address.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "trusted proxy \"", entry, "\": want an address or a CIDR block such as 10.0.0.0/8"));
    }
    Network network = ToNetwork(*address);
    if (entry.find('/') != std::string::npos) {
      const int bits = network.prefix;
      int prefix = -1;
      if (parts.second.empty() || !std::all_of(parts.second.begin(), parts.second.end(),
                                                absl::ascii_isdigit) ||
          !absl::SimpleAtoi(parts.second, &prefix) || prefix > bits) {
        return absl::InvalidArgumentError(absl::StrCat("trusted proxy \"", entry,
                                                       "\": prefix length want 0 to ", bits));
      }
      network.prefix = prefix;
    }
    proxies.networks_.push_back(network);
  }
  return proxies;
}

bool TrustedProxies::Contains(const Network& network, const Network& address) {
  if (network.v6 != address.v6) return false;
  const int full = network.prefix / 8;
  if (std::memcmp(network.bytes, address.bytes, full) != 0) return false;
  const int rest = network.prefix % 8;
  if (rest == 0) return true;
  const unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (network.bytes[full] & mask) == (address.bytes[full] & mask);
}

bool TrustedProxies::Trusts(absl::string_view address) const {
  if (networks_.empty()) return false;
  absl::StatusOr<ip::address> parsed = ParseAddress(address);
  if (!parsed.ok()) return false;
  const Network candidate = ToNetwork(*parsed);
  for (const Network& network : networks_) {
    if (Contains(network, candidate)) return true;
  }
  return false;
}

absl::StatusOr<std::string> TrustedProxies::Source(absl::string_view peer,
                                                   absl::string_view forwarded_for) const {
  // The peer comes from this host's socket: its zone, if any, is dropped.
  absl::StatusOr<std::string> current = CanonicalAddress(peer.substr(0, peer.find('%')));
  if (!current.ok()) return current.status();
  if (!Trusts(*current) || forwarded_for.empty()) return current;
  std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',');
  if (hops.size() > kMaxHops) {
    return absl::InvalidArgumentError(absl::StrCat("X-Forwarded-For has ", hops.size(),
                                                   " addresses, want at most ", kMaxHops));
  }
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    absl::StatusOr<std::string> address = CanonicalAddress(absl::StripAsciiWhitespace(*hop));
    if (!address.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("X-Forwarded-For from a trusted proxy: ", address.status().message()));
    }
    current = *std::move(address);
    if (!Trusts(*current)) break;
  }
  return current;
}

}  // namespace api
}  // namespace vellum
