#include "api/config/yaml_message.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "proof/decimal.h"

namespace vellum {
namespace api {
namespace config {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::ListValue;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

std::string YamlTruncated(absl::string_view text) {
  return text.size() <= 60 ? std::string(text) : absl::StrCat(text.substr(0, 60), "...");
}

std::string YamlChildPath(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string YamlElementPath(absl::string_view path, size_t index) {
  return absl::StrCat(path, "[", index, "]");
}

namespace {

std::string Describe(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::kNull:
      return "nothing (null)";
    case YamlNode::Kind::kList:
      return "a list";
    case YamlNode::Kind::kMap:
      return "a map";
    case YamlNode::Kind::kScalar:
      break;
  }
  return absl::StrCat(node.quoted ? "the string \"" : "\"", YamlTruncated(node.value), "\"");
}

bool IsListValue(const FieldDescriptor* field) {
  return field->type() == FieldDescriptor::TYPE_MESSAGE &&
         field->message_type() == ListValue::descriptor();
}

// What a singular value of `field` must be, as error messages say it.
std::string Want(const FieldDescriptor* field) {
  switch (field->type()) {
    case FieldDescriptor::TYPE_STRING:
      return "a string";
    case FieldDescriptor::TYPE_BOOL:
      return "true or false";
    case FieldDescriptor::TYPE_UINT32:
      return "a whole number from 0 to 4294967295";
    case FieldDescriptor::TYPE_UINT64:
      return "a whole number from 0 to 18446744073709551615";
    case FieldDescriptor::TYPE_DOUBLE:
      return "a number";
    default:
      return IsListValue(field) ? "a list of strings" : "a map";
  }
}

// Maps a YAML tree onto a message through its descriptor.
class Mapper {
 public:
  Mapper(absl::string_view what, YamlLines* lines) : what_(what), lines_(lines) {}

  // `line` is the line of the node's key, or the node's own for the top level.
  absl::Status FillMessage(const YamlNode& node, const std::string& path, int line,
                           Message* message) {
    if (node.kind != YamlNode::Kind::kMap) {
      return Bad(path, line, absl::StrCat("want a map, got ", Describe(node)));
    }
    const Descriptor* descriptor = message->GetDescriptor();
    for (const YamlNode::Entry& entry : node.entries) {
      const std::string child = YamlChildPath(path, entry.key);
      (*lines_)[child] = entry.line;
      const FieldDescriptor* field = descriptor->FindFieldByName(entry.key);
      if (field == nullptr) {
        std::vector<std::string> names;
        for (int i = 0; i < descriptor->field_count(); ++i) {
          names.push_back(descriptor->field(i)->name());
        }
        return Bad(child, entry.line,
                   absl::StrCat("unknown key; want one of ", absl::StrJoin(names, ", ")));
      }
      absl::Status status = FillField(entry.value, child, entry.line, field, message);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Bad(const std::string& path, int line, absl::string_view message) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.empty() ? what_ : path, " (line ", line, "): ", message));
  }

  absl::Status FillField(const YamlNode& node, const std::string& path, int line,
                         const FieldDescriptor* field, Message* message) {
    const Reflection* reflection = message->GetReflection();
    if (field->is_map()) {
      if (node.kind != YamlNode::Kind::kMap) {
        return Bad(path, line, absl::StrCat("want a map, got ", Describe(node)));
      }
      const Descriptor* entry_type = field->message_type();
      for (const YamlNode::Entry& entry : node.entries) {
        const std::string child = YamlChildPath(path, entry.key);
        (*lines_)[child] = entry.line;
        Message* map_entry = reflection->AddMessage(message, field);
        map_entry->GetReflection()->SetString(map_entry, entry_type->map_key(), entry.key);
        absl::Status status =
            FillField(entry.value, child, entry.line, entry_type->map_value(), map_entry);
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    if (field->is_repeated()) {
      if (node.kind != YamlNode::Kind::kList) {
        return Bad(path, line,
                   absl::StrCat("want a list of ", Plural(field), ", got ", Describe(node)));
      }
      for (size_t i = 0; i < node.items.size(); ++i) {
        const std::string element = YamlElementPath(path, i);
        (*lines_)[element] = node.items[i].line;
        absl::Status status = AddValue(node.items[i], element, field, message);
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      Message* child = reflection->MutableMessage(message, field);
      return IsListValue(field) ? FillList(node, path, line, static_cast<ListValue*>(child))
                                : FillMessage(node, path, line, child);
    }
    return SetScalar(node, path, line, field, message, /*add=*/false);
  }

  static std::string Plural(const FieldDescriptor* field) {
    if (field->type() == FieldDescriptor::TYPE_STRING) return "strings";
    return IsListValue(field) ? "lists of strings" : "maps";
  }

  absl::Status AddValue(const YamlNode& node, const std::string& path,
                        const FieldDescriptor* field, Message* message) {
    if (field->type() != FieldDescriptor::TYPE_MESSAGE) {
      return SetScalar(node, path, node.line, field, message, /*add=*/true);
    }
    Message* child = message->GetReflection()->AddMessage(message, field);
    return IsListValue(field) ? FillList(node, path, node.line, static_cast<ListValue*>(child))
                              : FillMessage(node, path, node.line, child);
  }

  absl::Status FillList(const YamlNode& node, const std::string& path, int line,
                        ListValue* list) {
    if (node.kind != YamlNode::Kind::kList) {
      return Bad(path, line, absl::StrCat("want a list of strings, got ", Describe(node)));
    }
    for (size_t i = 0; i < node.items.size(); ++i) {
      const YamlNode& item = node.items[i];
      (*lines_)[YamlElementPath(path, i)] = item.line;
      if (item.kind != YamlNode::Kind::kScalar) {
        return Bad(YamlElementPath(path, i), item.line,
                   absl::StrCat("want a string, got ", Describe(item)));
      }
      list->add_values()->set_string_value(item.value);
    }
    return absl::OkStatus();
  }

  // Sets (or with `add`, appends) a string, bool, uint32, uint64 or double. Numbers and booleans must
  // be written plain: "5" in quotes is a string.
  absl::Status SetScalar(const YamlNode& node, const std::string& path, int line,
                         const FieldDescriptor* field, Message* message, bool add) {
    const std::string want = Want(field);
    if (node.kind != YamlNode::Kind::kScalar ||
        (node.quoted && field->type() != FieldDescriptor::TYPE_STRING)) {
      return Bad(path, line, absl::StrCat("want ", want, ", got ", Describe(node)));
    }
    const Reflection* reflection = message->GetReflection();
    switch (field->type()) {
      case FieldDescriptor::TYPE_STRING:
        add ? reflection->AddString(message, field, node.value)
            : reflection->SetString(message, field, node.value);
        return absl::OkStatus();
      case FieldDescriptor::TYPE_BOOL: {
        if (node.value != "true" && node.value != "false") break;
        add ? reflection->AddBool(message, field, node.value == "true")
            : reflection->SetBool(message, field, node.value == "true");
        return absl::OkStatus();
      }
      case FieldDescriptor::TYPE_UINT32: {
        absl::StatusOr<uint64_t> n = ParseDecimal(node.value, path);
        if (!n.ok() || *n > std::numeric_limits<uint32_t>::max()) break;
        add ? reflection->AddUInt32(message, field, static_cast<uint32_t>(*n))
            : reflection->SetUInt32(message, field, static_cast<uint32_t>(*n));
        return absl::OkStatus();
      }
      case FieldDescriptor::TYPE_UINT64: {
        absl::StatusOr<uint64_t> n = ParseDecimal(node.value, path);
        if (!n.ok()) break;
        add ? reflection->AddUInt64(message, field, *n) : reflection->SetUInt64(message, field, *n);
        return absl::OkStatus();
      }
      case FieldDescriptor::TYPE_DOUBLE: {
        double d = 0;
        const bool decimal = !node.value.empty() &&
                             node.value.find_first_not_of("0123456789.eE+-") == std::string::npos;
        if (!decimal || !absl::SimpleAtod(node.value, &d) || !std::isfinite(d)) break;
        add ? reflection->AddDouble(message, field, d) : reflection->SetDouble(message, field, d);
        return absl::OkStatus();
      }
      default:
        // config.proto has no other scalar types; a new one needs a case here.
        return Bad(path, line, absl::StrCat("unsupported field type ", field->type_name()));
    }
    return Bad(path, line, absl::StrCat("want ", want, ", got ", Describe(node)));
  }

  const std::string what_;
  YamlLines* lines_;
};


}  // namespace

absl::Status FillMessageFromYaml(const YamlNode& root, absl::string_view what, YamlLines* lines,
                                 google::protobuf::Message* message) {
  return Mapper(what, lines).FillMessage(root, "", root.line, message);
}

}  // namespace config
}  // namespace api
}  // namespace vellum
