// Fuzzes ParseJwks, the parser of an identity provider's key set (fetched from its jwks_uri, so
// untrusted). Invariants: errors are InvalidArgument with one-line messages; an accepted set
// stays within the limits, every key's kid fits, every skip reason is one line, and verifying
// an arbitrary signature with each key fails cleanly.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ledger/identity/jwk.h"

namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "jwks_fuzzer: %s\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vellum::ledger::identity::Jwk;
  using vellum::ledger::identity::JwkSet;
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<JwkSet> set = vellum::ledger::identity::ParseJwks(input);
  if (!set.ok()) {
    Check(set.status().code() == absl::StatusCode::kInvalidArgument,
          "an error is not InvalidArgument");
    Check(set.status().message().find('\n') == absl::string_view::npos, "an error spans lines");
    return 0;
  }
  Check(set->size() <= vellum::ledger::identity::kMaxJwksKeys, "too many keys accepted");
  Check(set->size() + set->skipped().size() <= vellum::ledger::identity::kMaxJwksKeys,
        "more keys and skips than entries");
  for (const std::string& reason : set->skipped()) {
    Check(reason.find('\n') == std::string::npos, "a skip reason spans lines");
  }
  const std::string signature(64, '\x01');
  for (const auto& [kid, key] : set->keys()) {
    Check(kid == key.kid(), "a key is filed under another kid");
    Check(kid.size() <= vellum::ledger::identity::kMaxKidBytes, "a kid is too long");
    Check(set->Find(kid) == &key, "Find misses a key");
    Check(!key.Verify("signing input", signature).ok(), "a constant signature verifies");
  }
  return 0;
}
