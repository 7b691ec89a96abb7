#include "ledger/identity/jose_text.h"

#include "absl/strings/str_cat.h"
#include "proof/utf8.h"

namespace vellum {
namespace ledger {
namespace identity {

std::string QuoteUntrusted(absl::string_view text) {
  std::string out = SanitizeUtf8(text, kMaxQuotedBytes);
  const bool cut = out.size() < text.size();
  for (char& c : out) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') c = '?';
  }
  return absl::StrCat("\"", out, cut ? "\"..." : "\"");
}

absl::string_view JsonKindName(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
      return "null";
    case google::protobuf::Value::kNumberValue:
      return "number";
    case google::protobuf::Value::kStringValue:
      return "string";
    case google::protobuf::Value::kBoolValue:
      return "bool";
    case google::protobuf::Value::kStructValue:
      return "object";
    case google::protobuf::Value::kListValue:
      return "array";
    case google::protobuf::Value::KIND_NOT_SET:
      break;
  }
  return "nothing";
}

const google::protobuf::Value* FindMember(const google::protobuf::Struct& object,
                                          absl::string_view name) {
  auto it = object.fields().find(std::string(name));
  return it == object.fields().end() ? nullptr : &it->second;
}

}  // namespace identity
}  // namespace ledger
}  // namespace vellum
