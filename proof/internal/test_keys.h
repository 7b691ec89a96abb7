#ifndef VELLUM_PROOF_INTERNAL_TEST_KEYS_H_
#define VELLUM_PROOF_INTERNAL_TEST_KEYS_H_

// Fresh note keys for tests. Test-only.

#include <cstdint>
#include <memory>

#include "absl/strings/string_view.h"
#include "proof/note.h"

namespace vellum {
namespace internal {

// A freshly generated key pair of `type` (a log key, 0x01, or a witness's cosigner key, 0x04).
struct TestKeys {
  std::unique_ptr<NoteSigner> signer;
  std::unique_ptr<NoteVerifier> verifier;
};

// Generates TestKeys named `name`; fails the calling test if the keys cannot be made.
TestKeys NewTestKeys(absl::string_view name, uint8_t type);

}  // namespace internal
}  // namespace vellum

#endif  // VELLUM_PROOF_INTERNAL_TEST_KEYS_H_
