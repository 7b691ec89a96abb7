#ifndef VELLUM_LEDGER_PRIVACY_ERASURE_REQUEST_H_
#define VELLUM_LEDGER_PRIVACY_ERASURE_REQUEST_H_

// The request to erase subjects (docs/privacy.md, "Erasure"): its body and its limits.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/privacy/erasure_request.pb.h"

namespace vellum {
namespace ledger {

inline constexpr size_t kMaxErasureRequestBytes = 64 * 1024;
// The most subject ids and pseudonyms one request may name, together.
inline constexpr size_t kMaxErasureSubjects = 16;

// Checks the names of one request: at least one, at most kMaxErasureSubjects in all, each
// subject id 1 to SealedStore::kMaxSubjectBytes of UTF-8, each pseudonym "ps1_" and 32 hex
// digits. InvalidArgument naming the field and the sizes, never repeating a subject id.
absl::Status CheckErasureNames(const std::vector<std::string>& subjects,
                               const std::vector<std::string>& pseudonyms);

// Parses and checks the body of POST /v1/erasure: {"subject": [...], "pseudonym": [...]}, each
// a string or a list. InvalidArgument for a body past kMaxErasureRequestBytes, one that is not
// such an object (unknown keys included), or names that CheckErasureNames refuses.
absl::StatusOr<ErasureRequest> ParseErasureRequest(absl::string_view json);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_ERASURE_REQUEST_H_
