#include "ledger/testing/test_log.h"

#include "gtest/gtest.h"
#include "proof/compact_range.h"

namespace vellum {
namespace ledger {

std::unique_ptr<NoteSigner> NewTestSigner(absl::string_view origin) {
  absl::StatusOr<GeneratedKey> key = GenerateNoteKey(origin);
  EXPECT_TRUE(key.ok()) << key.status();
  if (!key.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<NoteSigner>> signer = NoteSigner::Create(key->signer_key);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return signer.ok() ? *std::move(signer) : nullptr;
}

Hash RootOf(const std::vector<std::string>& entries) {
  CompactRange range;
  for (const std::string& e : entries) range.Append(HashLeaf(e));
  return range.Root();
}

}  // namespace ledger
}  // namespace vellum
