#include "api/ingest/internal/json_reader.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "proof/utf8.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

using google::protobuf::Value;

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

absl::string_view KindName(const Value& value) {
  switch (value.kind_case()) {
    case Value::kNullValue: return "null";
    case Value::kNumberValue: return "number";
    case Value::kStringValue: return "string";
    case Value::kBoolValue: return "bool";
    case Value::kStructValue: return "object";
    case Value::kListValue: return "array";
    default: return "nothing";
  }
}

bool IsExactInteger(double d) {
  return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= kMaxExactInteger;
}

}  // namespace

absl::StatusOr<JsonReader> JsonReader::Parse(absl::string_view json, size_t max_bytes,
                                             absl::string_view what) {
  if (json.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": got ", json.size(), " bytes, want at most ", max_bytes));
  }
  auto root = std::make_shared<google::protobuf::Struct>();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), root.get(), options).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": not a JSON object"));
  }
  const google::protobuf::Struct* object = root.get();
  return JsonReader(std::move(root), object, "", std::make_shared<absl::Status>());
}

JsonReader::JsonReader(std::shared_ptr<const google::protobuf::Struct> root,
                       const google::protobuf::Struct* object, std::string prefix,
                       std::shared_ptr<absl::Status> error)
    : root_(std::move(root)), object_(object), prefix_(std::move(prefix)), error_(std::move(error)) {}

const Value* JsonReader::Find(JsonPath path) const {
  const google::protobuf::Struct* object = object_;
  const Value* value = nullptr;
  for (absl::string_view key : path) {
    if (object == nullptr) return nullptr;
    auto it = object->fields().find(std::string(key));
    if (it == object->fields().end()) return nullptr;
    value = &it->second;
    object = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  if (value == nullptr || value->kind_case() == Value::kNullValue) return nullptr;
  return value;
}

std::string JsonReader::PathName(JsonPath path) const {
  std::string name = absl::StrJoin(path, ".");
  return prefix_.empty() ? name : absl::StrCat(prefix_, ".", name);
}

void JsonReader::Fail(absl::Status status) {
  if (error_->ok()) *error_ = std::move(status);
}

void JsonReader::Mismatch(JsonPath path, const Value& value, absl::string_view want) {
  Fail(absl::InvalidArgumentError(
      absl::StrCat("member ", PathName(path), ": got ", KindName(value), ", want ", want)));
}

bool JsonReader::Has(JsonPath path) const { return Find(path) != nullptr; }

std::string JsonReader::String(JsonPath path, size_t max_bytes) {
  const Value* value = Find(path);
  if (value == nullptr || !error_->ok()) return "";
  std::string out;
  if (value->has_string_value()) {
    out = value->string_value();
  } else if (value->kind_case() == Value::kNumberValue && IsExactInteger(value->number_value())) {
    out = absl::StrCat(static_cast<int64_t>(value->number_value()));
  } else {
    Mismatch(path, *value, "a string");
    return "";
  }
  if (out.size() > max_bytes) {
    Fail(absl::InvalidArgumentError(absl::StrCat("member ", PathName(path), ": got ", out.size(),
                                                 " bytes, want at most ", max_bytes)));
    return "";
  }
  return out;
}

std::string JsonReader::RequiredString(JsonPath path, size_t max_bytes) {
  std::string out = String(path, max_bytes);
  if (out.empty()) {
    Fail(absl::InvalidArgumentError(
        absl::StrCat("member ", PathName(path), ": missing or empty, want a string")));
  }
  return out;
}

std::string JsonReader::TruncatedString(JsonPath path, size_t max_bytes) {
  const Value* value = Find(path);
  if (value == nullptr || !error_->ok()) return "";
  if (!value->has_string_value()) {
    Mismatch(path, *value, "a string");
    return "";
  }
  return SanitizeUtf8(value->string_value(), max_bytes);
}

absl::optional<int64_t> JsonReader::Integer(JsonPath path) {
  const Value* value = Find(path);
  if (value == nullptr || !error_->ok()) return absl::nullopt;
  if (value->kind_case() != Value::kNumberValue || !IsExactInteger(value->number_value())) {
    Mismatch(path, *value, "an integer");
    return absl::nullopt;
  }
  return static_cast<int64_t>(value->number_value());
}

bool JsonReader::Bool(JsonPath path) {
  const Value* value = Find(path);
  if (value == nullptr || !error_->ok()) return false;
  if (value->kind_case() != Value::kBoolValue) {
    Mismatch(path, *value, "a boolean");
    return false;
  }
  return value->bool_value();
}

const google::protobuf::ListValue* JsonReader::Array(JsonPath path, size_t max_count) {
  const Value* value = Find(path);
  if (value == nullptr || !error_->ok()) return nullptr;
  if (!value->has_list_value()) {
    Mismatch(path, *value, "an array");
    return nullptr;
  }
  if (static_cast<size_t>(value->list_value().values_size()) > max_count) {
    Fail(absl::InvalidArgumentError(absl::StrCat("member ", PathName(path), ": got ",
                                                 value->list_value().values_size(),
                                                 " items, want at most ", max_count)));
    return nullptr;
  }
  return &value->list_value();
}

std::vector<std::string> JsonReader::Strings(JsonPath path, size_t max_count) {
  std::vector<std::string> out;
  const google::protobuf::ListValue* list = Array(path, max_count);
  if (list == nullptr) return out;
  const auto& items = list->values();
  for (const Value& item : items) {
    if (!item.has_string_value() || item.string_value().size() > ledger::kMaxEventStringBytes) {
      Fail(absl::InvalidArgumentError(
          absl::StrCat("member ", PathName(path), ": got an item that is ", KindName(item),
                       item.has_string_value() ? " over the length limit" : "",
                       ", want strings of at most ", ledger::kMaxEventStringBytes, " bytes")));
      return {};
    }
    out.push_back(item.string_value());
  }
  return out;
}

JsonReader JsonReader::Object(JsonPath path) {
  const Value* value = Find(path);
  const google::protobuf::Struct* object = &google::protobuf::Struct::default_instance();
  if (value != nullptr && value->has_struct_value()) {
    object = &value->struct_value();
  } else if (value != nullptr) {
    Mismatch(path, *value, "an object");
  }
  return JsonReader(root_, object, PathName(path), error_);
}

std::vector<JsonReader> JsonReader::Objects(JsonPath path, size_t max_count) {
  std::vector<JsonReader> out;
  const google::protobuf::ListValue* list = Array(path, max_count);
  if (list == nullptr) return out;
  const auto& items = list->values();
  for (int i = 0; i < items.size(); ++i) {
    if (!items[i].has_struct_value()) {
      Mismatch(path, items[i], "an array of objects");
      return {};
    }
    out.push_back(JsonReader(root_, &items[i].struct_value(),
                             absl::StrCat(PathName(path), "[", i, "]"), error_));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> JsonReader::StringMap(JsonPath path,
                                                                       size_t max_count) {
  std::vector<std::pair<std::string, std::string>> out;
  const Value* value = Find(path);
  if (value == nullptr || !error_->ok()) return out;
  if (!value->has_struct_value()) {
    Mismatch(path, *value, "an object");
    return out;
  }
  const auto& fields = value->struct_value().fields();
  if (fields.size() > max_count) {
    Fail(absl::InvalidArgumentError(absl::StrCat("member ", PathName(path), ": got ",
                                                 fields.size(), " members, want at most ",
                                                 max_count)));
    return out;
  }
  for (const auto& field : fields) {
    if (!field.second.has_string_value() || field.first.size() > ledger::kMaxEventStringBytes ||
        field.second.string_value().size() > ledger::kMaxEventStringBytes) {
      Fail(absl::InvalidArgumentError(
          absl::StrCat("member ", PathName(path), ": got a member that is ", KindName(field.second),
                       " or over the length limit, want strings of at most ",
                       ledger::kMaxEventStringBytes, " bytes")));
      return {};
    }
    out.emplace_back(field.first, field.second.string_value());
  }
  return out;
}

}  // namespace ingest
}  // namespace api
}  // namespace vellum
