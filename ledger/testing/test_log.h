#ifndef VELLUM_LEDGER_TESTING_TEST_LOG_H_
#define VELLUM_LEDGER_TESTING_TEST_LOG_H_

// Small helpers for tests of logs.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proof/hash.h"
#include "proof/note.h"

namespace vellum {
namespace ledger {

// A signer for a fresh random key named `origin`; fails the test if one cannot be made.
std::unique_ptr<NoteSigner> NewTestSigner(absl::string_view origin);

// The RFC 6962 root of the tree whose leaves are `entries`, in order.
Hash RootOf(const std::vector<std::string>& entries);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TESTING_TEST_LOG_H_
