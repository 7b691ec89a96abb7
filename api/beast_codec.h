#ifndef VELLUM_API_BEAST_CODEC_H_
#define VELLUM_API_BEAST_CODEC_H_

// Conversions between Boost.Beast's HTTP messages and the plain HttpRequest / HttpResponse of
// api/http.h, shared by the server and by the fuzz target of its request parsing, so that the
// fuzzer exercises exactly what the server runs.

#include <cstddef>
#include <string>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>

#include "absl/types/optional.h"
#include "api/http.h"

namespace vellum {
namespace api {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
using BeastRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Sets the parser's header and body limits.
void LimitRequestParser(size_t max_header_bytes, size_t max_body_bytes,
                        BeastRequestParser* parser);

// The handler's view of a parsed request: header names lower-cased, repeated headers joined
// with commas.
HttpRequest ToHttpRequest(BeastRequest message, std::string remote_address);
// The same without the body, for deciding on a request from its header.
HttpRequest ToHttpRequestHead(const BeastRequest& message, std::string remote_address);

// The answer to a failed read: 431 or 413 over a limit, 400 for a malformed request, or nullopt
// when the connection just ends (end of stream, timeout, reset).
absl::optional<HttpResponse> ReadErrorResponse(const boost::beast::error_code& ec,
                                               size_t max_body_bytes);

// The wire message for `response`.
BeastResponse ToBeastResponse(HttpResponse response, unsigned version, bool keep_alive);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_BEAST_CODEC_H_
