#include "proof/internal/test_keys.h"

#include <utility>

#include "gtest/gtest.h"

namespace vellum {
namespace internal {

TestKeys NewTestKeys(absl::string_view name, uint8_t type) {
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey(name, type);
  EXPECT_TRUE(key.ok()) << key.status();
  if (!key.ok()) return {};
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer = NoteSigner::Create(key->signer_key);
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier = NoteVerifier::Create(key->verifier_key);
  EXPECT_TRUE(signer.ok()) << signer.status();
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  if (!signer.ok() || !verifier.ok()) return {};
  return {*std::move(signer), *std::move(verifier)};
}

}  // namespace internal
}  // namespace vellum
