#ifndef VELLUM_API_CONFIG_YAML_DOCUMENT_H_
#define VELLUM_API_CONFIG_YAML_DOCUMENT_H_

// A YAML document read into a plain tree, with the line of every node: the one place that calls
// yaml-cpp. Only the part of YAML a configuration needs is accepted: maps with unique string keys,
// lists and scalars. Anchors, aliases, merge keys (`<<`) and tags are refused, so a small input
// can never expand into a large tree, and the size, nesting depth and node count are bounded.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vellum {
namespace api {
namespace config {

struct YamlNode {
  enum class Kind { kNull, kScalar, kList, kMap };

  Kind kind = Kind::kNull;
  // 1-based line where the node starts.
  int line = 0;
  // kScalar: the text, and whether it was quoted (a quoted scalar is never a number or a bool).
  std::string value;
  bool quoted = false;
  // kList: the elements, in order.
  std::vector<YamlNode> items;
  // kMap: the entries in document order; keys are unique.
  struct Entry;
  std::vector<Entry> entries;
};

struct YamlNode::Entry {
  std::string key;
  // The key's line; a block list or map value starts on a later one.
  int line = 0;
  YamlNode value;
};

struct YamlLimits {
  size_t max_bytes = 1 << 20;
  // A scalar at the top level has depth 0; each enclosing list or map adds one.
  int max_depth = 16;
  size_t max_nodes = 100000;
};

// Parses `text`, which must hold exactly one YAML document, into a tree. Fails with
// InvalidArgument naming the line on a syntax error, on a refused construct (anchor, alias,
// merge key, tag, non-string or duplicate key, text that is not UTF-8), past a limit of `limits`, and on an empty input
// or more than one document. Thread-safe.
absl::StatusOr<YamlNode> ParseYamlDocument(absl::string_view text,
                                           const YamlLimits& limits = YamlLimits());

}  // namespace config
}  // namespace api
}  // namespace vellum

#endif  // VELLUM_API_CONFIG_YAML_DOCUMENT_H_
