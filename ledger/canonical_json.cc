#include "ledger/canonical_json.h"

#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"

namespace vellum {
namespace ledger {

std::string CanonicalJson(const google::protobuf::Message& message) {
  // The JSON printer renders the wire form, field by field in the order written. Deterministic
  // serialization writes fields in field-number order and map entries sorted by key; the
  // default would write map entries in hash order.
  std::string wire;
  {
    google::protobuf::io::StringOutputStream stream(&wire);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&out);
  }
  static auto* const resolver = google::protobuf::util::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", google::protobuf::DescriptorPool::generated_pool());
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::BinaryToJsonString(
      resolver, "type.googleapis.com/" + message.GetDescriptor()->full_name(), wire, &json,
      options);
  // The wire bytes come from a message of the generated pool, so the printer cannot fail on
  // them.
  if (!status.ok()) return "";
  return json;
}

}  // namespace ledger
}  // namespace vellum
