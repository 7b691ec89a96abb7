#ifndef VELLUM_API_CONFIG_YAML_MESSAGE_H_
#define VELLUM_API_CONFIG_YAML_MESSAGE_H_

// A YAML tree (yaml_document.h) mapped onto a protobuf message through its descriptor: keys are
// field names, unknown keys and wrong types are errors that name the key path and its line.
// Scalars: strings, booleans (true, false), whole numbers and numbers written plain ("5" in
// quotes is a string); maps with string keys; lists; google.protobuf.ListValue as a list of
// strings. The one mapping the configuration and the policy file share.

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/config/yaml_document.h"
#include "google/protobuf/message.h"

namespace vellum {
namespace api {
namespace config {

// The line of each key path ("auth.oidc[0].issuer") in the YAML, for later messages.
using YamlLines = std::map<std::string, int>;

// Fills `message` from `root` (a map), recording each key path's line in `lines`. `what` names
// the top level in errors ("the configuration"). InvalidArgument: "<path> (line N): <what is
// wrong>".
absl::Status FillMessageFromYaml(const YamlNode& root, absl::string_view what, YamlLines* lines,
                                 google::protobuf::Message* message);

// Key paths as errors write them: "a.b", "a[3]"; and a value cut to 60 bytes for a message.
std::string YamlChildPath(absl::string_view path, absl::string_view key);
std::string YamlElementPath(absl::string_view path, size_t index);
std::string YamlTruncated(absl::string_view text);

}  // namespace config
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CONFIG_YAML_MESSAGE_H_
