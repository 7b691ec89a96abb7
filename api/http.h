#ifndef VELLUM_API_HTTP_H_
#define VELLUM_API_HTTP_H_

// Plain HTTP request and response values, independent of the server library, so that handlers
// can be tested and fuzzed without sockets.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "ledger/identity/principal.h"

namespace vellum {
namespace api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // Path and query, as sent: "/v1/proof/inclusion?index=1&size=2".
  std::map<std::string, std::string> headers;  // Names lower-cased.
  std::string body;
  std::string remote_address;
  // The verified client certificate's identity (its SPIFFE ID, else its subject CN), set by
  // HttpServer on an mTLS connection; empty otherwise.
  std::string tls_peer;
  // Who is asking, set by the authorization layer (api/authorizer.h) before a handler sees the
  // request; nullptr for an anonymous caller. Handlers read this, never credentials.
  std::shared_ptr<const ledger::identity::Principal> caller;

  // The header's value, or "" when absent. `name` must be lower case.
  std::string Header(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Splits a request target into its path and its query string (without the "?").
std::pair<absl::string_view, absl::string_view> SplitTarget(absl::string_view target);

// The parameters of a query string. Parsing is strict: each parameter appears at most once, names
// are non-empty, and %-escapes are two hex digits. At most 16 parameters of 1 KiB each.
class QueryParams {
 public:
  static absl::StatusOr<QueryParams> Parse(absl::string_view query);

  absl::optional<std::string> Get(absl::string_view name) const;
  // A 0/1 switch: false when absent; InvalidArgument for any value but "0" and "1".
  absl::StatusOr<bool> GetFlag(absl::string_view name) const;
  // Fails with InvalidArgument naming any parameter not in `allowed`.
  absl::Status CheckAllowed(std::initializer_list<absl::string_view> allowed) const;

 private:
  std::map<std::string, std::string, std::less<>> params_;
};

// The HTTP status for an error status: InvalidArgument 400, Unauthenticated 401,
// PermissionDenied 403, NotFound 404, AlreadyExists and Aborted 409, FailedPrecondition 412,
// OutOfRange 400, ResourceExhausted 429 (507 when ledger::IsInsufficientStorage: the disk is
// full), Unavailable 503, DeadlineExceeded 504, DataLoss and others 500.
int HttpStatusFor(const absl::Status& status);

// Escapes `text` as the body of a JSON string literal (RFC 8259). JSON text is UTF-8, so each
// byte that is not part of a well-formed UTF-8 sequence becomes U+FFFD, as Go's encoding/json
// does.
std::string JsonEscape(absl::string_view text);

// The first `max_bytes` of an untrusted answer body, trimmed, with every byte other than
// printable ASCII replaced by '?', for an error message.
std::string BodyExcerpt(absl::string_view body, size_t max_bytes);

// The way back, for clients: the error for a non-200 response, its HTTP status mapped to a code
// (400 and 413 InvalidArgument, 401 Unauthenticated, 403 PermissionDenied, 404 NotFound, 409
// Aborted, 412 FailedPrecondition, 429 ResourceExhausted, 503 Unavailable, 507
// ledger::InsufficientStorageError, others Internal) with
// "HTTP <status>: " and BodyExcerpt(body, 512) as its message.
absl::Status StatusFromResponse(const HttpResponse& response);

// The error for a non-200 answer to GET `target` from a server a client reads, for callers that
// tell a missing resource from a failed exchange: NotFound for 404 and Unavailable for any other
// status, with the message "GET <target>: " and StatusFromResponse()'s.
absl::Status FetchError(absl::string_view target, const HttpResponse& response);

// A one-line JSON error body {"error": "..."} with the status's message, and its HTTP status.
// A 429, 503 or 507 answer carries Retry-After: the status's ledger::RetryAfter() hint in whole
// seconds (rounded up, at least 1), or 1 second without one.
HttpResponse ErrorResponse(const absl::Status& status);
HttpResponse ErrorResponse(int http_status, absl::string_view message);

// The 401 for a missing or unknown bearer token: the error, and WWW-Authenticate naming the
// scheme, as RFC 9110 (section 11.6.1) requires.
HttpResponse UnauthorizedResponse(const absl::Status& status);

// The 405 for `method`, with the Allow header listing `allowed` (e.g. "GET").
HttpResponse MethodNotAllowedResponse(absl::string_view method, absl::string_view allowed);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_HTTP_H_
