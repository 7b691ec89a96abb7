#include "api/message_codec.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "google/protobuf/util/json_util.h"

namespace vellum {
namespace api {

std::string MediaType(absl::string_view content_type) {
  return absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(content_type.substr(0, content_type.find(';'))));
}

bool WantsProtobuf(const HttpRequest& request) {
  return absl::StrContains(request.Header("accept"), kProtobufType);
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
