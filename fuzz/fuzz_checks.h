#ifndef VELLUM_FUZZ_FUZZ_CHECKS_H_
#define VELLUM_FUZZ_FUZZ_CHECKS_H_

// Invariant checks shared by the fuzz targets of the HTTP service.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/http.h"

namespace vellum {
namespace fuzz {

// Reports `what` on stderr and traps (a crash libFuzzer records) unless `condition` holds.
void Check(bool condition, const char* what);
void CheckOk(const absl::Status& status, const char* what);

// True if `text`, the inside of a JSON string literal, is well formed: only valid escapes, no
// raw control characters or quotes, valid UTF-8.
bool IsJsonStringBody(absl::string_view text);

// Checks what every answer of the service over an in-memory log must satisfy: a status in
// 200..499 (the storage cannot fail), for errors the one-line JSON body {"error":"..."}\n
// holding a well-formed JSON string, and for 405 an Allow header.
void CheckResponseShape(const api::HttpResponse& response);

}  // namespace fuzz
}  // namespace vellum

#endif  // VELLUM_FUZZ_FUZZ_CHECKS_H_
