#ifndef VELLUM_API_INGEST_INTERNAL_JSON_READER_H_
#define VELLUM_API_INGEST_INTERNAL_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "google/protobuf/struct.pb.h"
#include "ledger/events/event_codec.h"

namespace vellum {
namespace api {
namespace ingest {

// A path of object keys from a JSON object to one of its members: {"deployment", "id"}. Keys are
// matched exactly (Kubernetes annotation keys contain dots and slashes).
using JsonPath = std::initializer_list<absl::string_view>;

// Typed, bounded reads from a JSON object parsed into google.protobuf.Struct, for the adapters'
// source payloads. Reads never fail on their own: the first problem (a member of the wrong type,
// a string over the length limit, a missing required member) is recorded, later reads return
// empty values, and status() reports it. Error messages name the member's path and the got/want
// types or sizes, never the member's contents, since payloads may hold data that must not reach
// logs. Readers made by Objects() share their parent's error. Thread-compatible.
class JsonReader {
 public:
  // Parses `json`, which must be a JSON object of at most `max_bytes`. `what` names the input in
  // error messages ("mlflow body"). Fails with InvalidArgument; the message never quotes the
  // input (the parser's own messages do, so they are dropped).
  static absl::StatusOr<JsonReader> Parse(absl::string_view json, size_t max_bytes,
                                          absl::string_view what);

  // True if the member exists and is not null.
  bool Has(JsonPath path) const;

  // The member as a string: a JSON string, or an integral JSON number in decimal (sources
  // disagree on whether ids and versions are numbers). "" if absent or null. Records an error
  // for other types and for strings over `max_bytes` (by default the event field limit).
  std::string String(JsonPath path, size_t max_bytes = ledger::kMaxEventStringBytes);
  // As String(), and records an error if the member is absent or empty.
  std::string RequiredString(JsonPath path, size_t max_bytes = ledger::kMaxEventStringBytes);
  // A JSON string cut to at most `max_bytes` on a UTF-8 character boundary: for free text, which
  // should not make a whole delivery fail.
  std::string TruncatedString(JsonPath path, size_t max_bytes);
  // The member as an integral JSON number exactly representable as a double (|n| <= 2^53).
  absl::optional<int64_t> Integer(JsonPath path);
  // The member as a JSON boolean; false if absent or null.
  bool Bool(JsonPath path);
  // An array of strings, each as String() reads it; records an error above `max_count`.
  std::vector<std::string> Strings(JsonPath path, size_t max_count);
  // The member object as a reader; a reader of an empty object if it is absent.
  JsonReader Object(JsonPath path);
  // An array of objects, each as a reader; records an error above `max_count`.
  std::vector<JsonReader> Objects(JsonPath path, size_t max_count);
  // An object's members whose values are strings (others are an error); records an error above
  // `max_count` members.
  std::vector<std::pair<std::string, std::string>> StringMap(JsonPath path, size_t max_count);

  // Records `status` unless an error is recorded already.
  void Fail(absl::Status status);
  // OK, or the first recorded error.
  absl::Status status() const { return *error_; }

 private:
  JsonReader(std::shared_ptr<const google::protobuf::Struct> root,
             const google::protobuf::Struct* object, std::string prefix,
             std::shared_ptr<absl::Status> error);

  const google::protobuf::Value* Find(JsonPath path) const;
  std::string PathName(JsonPath path) const;
  void Mismatch(JsonPath path, const google::protobuf::Value& value, absl::string_view want);
  // The items of the array at `path`: nullptr when it is absent or an error was recorded, or
  // (recording why) when it is not an array or holds more than `max_count` items.
  const google::protobuf::ListValue* Array(JsonPath path, size_t max_count);

  std::shared_ptr<const google::protobuf::Struct> root_;  // Keeps object_ alive.
  const google::protobuf::Struct* object_;
  std::string prefix_;  // The path of object_ within the input, for messages.
  std::shared_ptr<absl::Status> error_;
};

}  // namespace ingest
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_INGEST_INTERNAL_JSON_READER_H_
