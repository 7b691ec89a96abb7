#ifndef VELLUM_API_MESSAGE_CODEC_H_
#define VELLUM_API_MESSAGE_CODEC_H_

// How the dynamic endpoints speak protobuf messages (docs/api.md, "Conventions"): binary
// protobuf when the client asks for it with `Accept: application/x-protobuf`, proto3 JSON
// otherwise; request bodies by their Content-Type.

#include <string>

#include "absl/strings/string_view.h"
#include "api/http.h"
#include "google/protobuf/message.h"

namespace vellum {
namespace api {

inline constexpr char kProtobufType[] = "application/x-protobuf";

// The media type of a Content-Type value, lower-cased and without its parameters: both
// "application/json; charset=utf-8" and "Application/JSON" are "application/json".
std::string MediaType(absl::string_view content_type);

// True if the request's Accept header asks for binary protobuf: one of its media ranges is
// application/x-protobuf (in any case, with any parameters) without q=0.
bool WantsProtobuf(const HttpRequest& request);

// The calling thread's message of type M, cleared. Clear() keeps the elements of repeated string
// fields for reuse, so refilling the message with as many strings of the same size allocates
// nothing, where a fresh message allocates two per string: 42 for an inclusion proof of 21
// hashes, the largest share of a proof's cost (docs/benchmarks.md). The reference is valid until
// this thread's next ThreadMessage<M>().
template <typename M>
M& ThreadMessage() {
  thread_local M message;
  message.Clear();
  return message;
}

// A 200 answer holding `message` as binary protobuf, or as proto3 JSON with every field printed
// and a final newline.
HttpResponse EncodeMessage(bool protobuf, const google::protobuf::Message& message);
// As the request asks (WantsProtobuf).
HttpResponse EncodeMessage(const HttpRequest& request, const google::protobuf::Message& message);

}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_MESSAGE_CODEC_H_
