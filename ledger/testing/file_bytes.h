#ifndef VELLUM_LEDGER_TESTING_FILE_BYTES_H_
#define VELLUM_LEDGER_TESTING_FILE_BYTES_H_

#include <string>

namespace vellum {
namespace ledger {

// The bytes of every regular file directly in `dir`, concatenated ("" when there is none): what
// tests search to show that a value is, or is not, anywhere in a store's files.
std::string AllFileBytes(const std::string& dir);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_TESTING_FILE_BYTES_H_
