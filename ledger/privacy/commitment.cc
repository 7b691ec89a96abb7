#include "ledger/privacy/commitment.h"

namespace vellum {
namespace ledger {

crypto::Sha256Digest FieldCommitment(absl::string_view salt, absl::string_view path,
                                     absl::string_view value) {
  return crypto::Sha256({salt, path, absl::string_view("\0", 1), value});
}

}  // namespace ledger
}  // namespace vellum
