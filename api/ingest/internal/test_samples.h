#ifndef VELLUM_API_INGEST_INTERNAL_TEST_SAMPLES_H_
#define VELLUM_API_INGEST_INTERNAL_TEST_SAMPLES_H_

// Test helpers for the adapters: sample deliveries from testdata/events, signatures made with a
// test secret, and the check that nothing secret leaks into events or errors.

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/http.h"
#include "ledger/events/audit_event.pb.h"

namespace vellum {
namespace api {
namespace ingest {

// The contents of testdata/events/<name>; fails the test if it cannot be read.
std::string ReadSample(absl::string_view name);

// A POST request whose body is the sample `body_file` and whose headers are the "Name: value"
// lines of the sample `headers_file` (names lower-cased), if that is not empty.
HttpRequest SampleRequest(absl::string_view headers_file, absl::string_view body_file);

std::string HmacHex(absl::string_view secret, absl::string_view data);
std::string HmacBase64(absl::string_view secret, absl::string_view data);

// Adds a test failure if any of `secrets` appears in an event's entry bytes, in its JSON, or in
// the error message of `result`.
void ExpectNoLeak(const absl::StatusOr<std::vector<ledger::AuditEvent>>& result,
                  std::initializer_list<absl::string_view> secrets);

// The single event of `result`; fails the test (and returns an empty event) otherwise.
ledger::AuditEvent SingleEvent(const absl::StatusOr<std::vector<ledger::AuditEvent>>& result);

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_INTERNAL_TEST_SAMPLES_H_
