#ifndef VELLUM_LEDGER_PRIVACY_KEY_FILE_H_
#define VELLUM_LEDGER_PRIVACY_KEY_FILE_H_

// The privacy layer's server keys on disk (docs/privacy.md, "Keys"): one file per key, holding
// the key in hex and a newline, mode 0600.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {
namespace ledger {

// Returns the `size`-byte key in `path`. When there is no file, makes a random key and writes it
// (to a temporary file that is synced and renamed into place, and the directory synced, so a
// crash leaves either no key file or a whole one). An existing file must be private
// (ledger::CheckPrivateFile) and hold exactly 2 * `size` hex digits; the error names the file and
// never its contents. `what` names the key in messages ("lookup key").
absl::StatusOr<std::string> LoadOrCreateKeyFile(absl::string_view what, const std::string& path,
                                                size_t size);

// Where vellumd keeps K_lookup when the configuration names no file (privacy.lookup_key_file):
// <data_dir>/privacy-lookup.key.
std::string DefaultLookupKeyFile(absl::string_view data_dir);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_PRIVACY_KEY_FILE_H_
