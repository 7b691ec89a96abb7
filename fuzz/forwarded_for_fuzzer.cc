// The source of a request behind trusted proxies (api::TrustedProxies, docs/operations.md,
// "Behind a proxy") and the idempotency key of a raw append (ledger::CheckIdempotencyKey), both
// from bytes a client chooses. Input: the trusted-proxy entries (comma-separated) on the first
// line, the peer address on the second, the X-Forwarded-For value on the third, and the rest as
// an idempotency key. Checks that parsing fails only with InvalidArgument, that the source is a
// canonical address that is the peer or one of the listed hops, that it is the peer whenever
// the peer is not trusted, that every hop to its right is trusted, and that the key check
// agrees with its documented rule.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "api/source_address.h"
#include "fuzz/fuzz_checks.h"
#include "ledger/sequencer.h"

namespace {

using vellum::api::CanonicalAddress;
using vellum::api::TrustedProxies;
using vellum::fuzz::Check;

bool ReferenceKeyOk(absl::string_view key) {
  if (key.empty() || key.size() > vellum::ledger::kMaxIdempotencyKeySize) return false;
  for (char c : key) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        absl::string_view("-_.:~+/=").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, absl::MaxSplits('\n', 3));
  lines.resize(4);

  const absl::Status key = vellum::ledger::CheckIdempotencyKey(lines[3]);
  Check(key.ok() == ReferenceKeyOk(lines[3]), "idempotency key check disagrees with its rule");
  Check(key.ok() || key.code() == absl::StatusCode::kInvalidArgument,
        "a bad idempotency key must be InvalidArgument");

  std::vector<std::string> entries;
  if (!lines[0].empty()) entries = absl::StrSplit(lines[0], ',');
  absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse(entries);
  if (!proxies.ok()) {
    Check(proxies.status().code() == absl::StatusCode::kInvalidArgument,
          "a bad proxy entry must be InvalidArgument");
    return 0;
  }
  absl::StatusOr<std::string> source = proxies->Source(lines[1], lines[2]);
  if (!source.ok()) {
    Check(source.status().code() == absl::StatusCode::kInvalidArgument,
          "a bad peer or X-Forwarded-For must be InvalidArgument");
    return 0;
  }
  absl::StatusOr<std::string> canonical = CanonicalAddress(*source);
  Check(canonical.ok() && *canonical == *source, "the source must be a canonical address");
  // The peer's zone, if any, is dropped (it comes from the server's own socket).
  const std::string peer = *CanonicalAddress(lines[1].substr(0, lines[1].find('%')));
  if (!proxies->Trusts(peer) || lines[2].empty()) {
    Check(*source == peer, "only a trusted proxy may name another source");
    return 0;
  }
  // Walking from the right: every hop after the source is trusted, and the source is a hop.
  std::vector<absl::string_view> hops = absl::StrSplit(lines[2], ',');
  bool found = false;
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const std::string address = *CanonicalAddress(absl::StripAsciiWhitespace(*hop));
    if (address == *source) {
      found = true;
      break;
    }
    Check(proxies->Trusts(address), "an untrusted hop right of the source was skipped");
  }
  Check(found, "the source must be one of the forwarded hops");
  return 0;
}
