#include "api/message_codec.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"

namespace vellum {
namespace api {

std::string MediaType(absl::string_view content_type) {
  return absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(content_type.substr(0, content_type.find(';'))));
}

bool WantsProtobuf(const HttpRequest& request) {
  // Accept lists media ranges with parameters (RFC 9110, section 12.5.1). Protobuf when one of
  // them names it and does not refuse it with q=0; the other ranges are not weighed against it.
  const std::string accept = request.Header("accept");
  for (absl::string_view range : absl::StrSplit(accept, ',')) {
    const size_t semicolon = range.find(';');
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(range.substr(0, semicolon)),
                                kProtobufType)) {
      continue;
    }
    bool refused = false;
    if (semicolon != absl::string_view::npos) {
      for (absl::string_view param : absl::StrSplit(range.substr(semicolon + 1), ';')) {
        param = absl::StripAsciiWhitespace(param);
        double q;
        if (absl::StartsWithIgnoreCase(param, "q=") && absl::SimpleAtod(param.substr(2), &q)) {
          refused = q == 0;
        }
      }
    }
    if (!refused) return true;
  }
  return false;
}

HttpResponse EncodeMessage(bool protobuf, const google::protobuf::Message& message) {
  HttpResponse response;
  if (protobuf) {
    response.content_type = kProtobufType;
    message.SerializeToString(&response.body);
    return response;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &response.body, options).ok()) {
    return ErrorResponse(500, "cannot encode the response as JSON");
  }
  response.content_type = "application/json";
  response.body.push_back('\n');
  return response;
}

HttpResponse EncodeMessage(const HttpRequest& request, const google::protobuf::Message& message) {
  return EncodeMessage(WantsProtobuf(request), message);
}

}  // namespace api
}  // namespace vellum
