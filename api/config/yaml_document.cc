#include "api/config/yaml_document.h"

#include <exception>
#include <sstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proof/utf8.h"
#include "yaml-cpp/anchor.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace vellum {
namespace api {
namespace config {
namespace {

// Thrown by Builder to stop the parser at the first refused construct; caught in
// ParseYamlDocument together with yaml-cpp's own exceptions.
struct Refusal {
  absl::Status status;
};

int LineOf(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }

absl::Status LineError(int line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", message));
}

// Builds the tree from yaml-cpp's parse events.
class Builder : public YAML::EventHandler {
 public:
  explicit Builder(const YamlLimits& limits) : limits_(limits) {}

  bool empty() const { return documents_ == 0; }
  YamlNode TakeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ > 0) Refuse(mark, "want one YAML document, got a second one");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    CheckAnchor(mark, anchor);
    Attach(mark, YamlNode::Kind::kNull);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    Refuse(mark, "YAML aliases (*name) are not accepted");
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    CheckAnchor(mark, anchor);
    CheckTag(mark, tag);
    // Raw bytes and escapes such as "\ud800" can make text that is not UTF-8.
    if (!IsValidUtf8(value)) Refuse(mark, "want UTF-8 text, got invalid bytes");
    const bool quoted = tag == "!";
    if (AwaitingKey()) {
      AddKey(mark, value, quoted);
      return;
    }
    YamlNode& node = Attach(mark, YamlNode::Kind::kScalar);
    node.value = value;
    node.quoted = quoted;
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, YamlNode::Kind::kList);
  }
  void OnSequenceEnd() override { open_.pop_back(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, YamlNode::Kind::kMap);
  }
  void OnMapEnd() override { open_.pop_back(); }

 private:
  // An open list or map; for a map, the key waiting for its value.
  struct OpenNode {
    YamlNode* node;
    bool has_key = false;
    std::string key;
    int key_line = 0;
  };

  [[noreturn]] static void Refuse(const YAML::Mark& mark, absl::string_view message) {
    throw Refusal{LineError(LineOf(mark), message)};
  }

  static void CheckAnchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) Refuse(mark, "YAML anchors (&name) are not accepted");
  }

  // yaml-cpp reports "?" for an untagged plain node and "!" for an untagged quoted scalar;
  // anything else was written in the document.
  static void CheckTag(const YAML::Mark& mark, const std::string& tag) {
    if (tag != "?" && tag != "!") {
      Refuse(mark, absl::StrCat("YAML tags are not accepted, got !", tag.substr(0, 40)));
    }
  }

  void Count(const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes) {
      Refuse(mark, absl::StrCat("more than ", limits_.max_nodes, " YAML nodes"));
    }
  }

  bool AwaitingKey() const {
    return !open_.empty() && open_.back().node->kind == YamlNode::Kind::kMap &&
           !open_.back().has_key;
  }

  void AddKey(const YAML::Mark& mark, const std::string& key, bool quoted) {
    Count(mark);
    if (key == "<<" && !quoted) Refuse(mark, "YAML merge keys (<<) are not accepted");
    OpenNode& map = open_.back();
    for (const YamlNode::Entry& entry : map.node->entries) {
      if (entry.key == key) {
        Refuse(mark, absl::StrCat("duplicate key ", key.substr(0, 80), " (first on line ",
                                  entry.line, ")"));
      }
    }
    map.has_key = true;
    map.key = key;
    map.key_line = LineOf(mark);
  }

  void Open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
            YamlNode::Kind kind) {
    CheckAnchor(mark, anchor);
    CheckTag(mark, tag);
    if (static_cast<int>(open_.size()) >= limits_.max_depth) {
      Refuse(mark, absl::StrCat("nested deeper than ", limits_.max_depth, " levels"));
    }
    YamlNode* node = &Attach(mark, kind);
    open_.push_back(OpenNode{node, false, "", 0});
  }

  // Adds a node where the document is: the root, the next element of the open list, or the
  // value of the open map's pending key. A node stays where it is while it is open: its parent
  // grows only after it is closed.
  YamlNode& Attach(const YAML::Mark& mark, YamlNode::Kind kind) {
    if (AwaitingKey()) Refuse(mark, "want a string as a map key, got a list, map or null");
    Count(mark);
    YamlNode node;
    node.kind = kind;
    node.line = LineOf(mark);
    if (open_.empty()) {
      root_ = std::move(node);
      return root_;
    }
    OpenNode& parent = open_.back();
    if (parent.node->kind == YamlNode::Kind::kList) {
      parent.node->items.push_back(std::move(node));
      return parent.node->items.back();
    }
    parent.has_key = false;
    parent.node->entries.push_back({std::move(parent.key), parent.key_line, std::move(node)});
    return parent.node->entries.back().value;
  }

  const YamlLimits limits_;
  YamlNode root_;
  std::vector<OpenNode> open_;
  int documents_ = 0;
  size_t nodes_ = 0;
};

}  // namespace

absl::StatusOr<YamlNode> ParseYamlDocument(absl::string_view text, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("YAML input of ", text.size(),
                                                   " bytes, want at most ", limits.max_bytes));
  }
  Builder builder(limits);
  std::istringstream stream{std::string(text)};
  try {
    YAML::Parser parser(stream);
    // The second call finds nothing, or refuses the second document it starts.
    if (parser.HandleNextDocument(builder)) parser.HandleNextDocument(builder);
  } catch (const Refusal& refusal) {
    return refusal.status;
  } catch (const YAML::Exception& e) {
    return LineError(LineOf(e.mark), e.msg);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("YAML: ", e.what()));
  }
  if (builder.empty()) return absl::InvalidArgumentError("empty YAML input, want one document");
  return builder.TakeRoot();
}

}  // namespace config
}  // namespace api
}  // namespace vellum
