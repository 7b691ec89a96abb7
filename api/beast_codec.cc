#include "api/beast_codec.h"

#include <utility>

#include <boost/asio/error.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace vellum {
namespace api {

namespace http = boost::beast::http;

void LimitRequestParser(size_t max_header_bytes, size_t max_body_bytes,
                        BeastRequestParser* parser) {
  parser->header_limit(static_cast<uint32_t>(max_header_bytes));
  parser->body_limit(max_body_bytes);
}

HttpRequest ToHttpRequestHead(const BeastRequest& message, std::string remote_address) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name = absl::AsciiStrToLower(
        absl::string_view(field.name_string().data(), field.name_string().size()));
    std::string value(field.value().data(), field.value().size());
    auto [it, inserted] = request.headers.emplace(name, value);
    if (!inserted) absl::StrAppend(&it->second, ",", value);
  }
  request.remote_address = std::move(remote_address);
  return request;
}

HttpRequest ToHttpRequest(BeastRequest message, std::string remote_address) {
  HttpRequest request = ToHttpRequestHead(message, std::move(remote_address));
  request.body = std::move(message.body());
  return request;
}

absl::optional<HttpResponse> ReadErrorResponse(const boost::beast::error_code& ec,
                                               size_t max_body_bytes) {
  namespace net = boost::asio;
  if (ec == http::error::header_limit) {
    return ErrorResponse(431, "request header is larger than the limit");
  }
  if (ec == http::error::body_limit) {
    return ErrorResponse(413, absl::StrCat("request body is larger than the limit of ",
                                           max_body_bytes, " bytes"));
  }
  if (ec == http::error::end_of_stream || ec == boost::beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset ||
      ec == net::error::eof) {
    return absl::nullopt;
  }
  return ErrorResponse(400, absl::StrCat("malformed HTTP request: ", ec.message()));
}

BeastResponse ToBeastResponse(HttpResponse response, unsigned version, bool keep_alive) {
  BeastResponse message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  message.set(http::field::server, "vellumd");
  message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

}  // namespace api
}  // namespace vellum
