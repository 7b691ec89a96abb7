#include "api/config/yaml_document.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace config {
namespace {

using ::testing::HasSubstr;

void ExpectRefused(const std::string& yaml, const std::string& message,
                   const YamlLimits& limits = YamlLimits()) {
  absl::StatusOr<YamlNode> node = ParseYamlDocument(yaml, limits);
  ASSERT_FALSE(node.ok()) << yaml;
  EXPECT_EQ(node.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(node.status().message(), HasSubstr(message)) << yaml;
}

TEST(YamlDocumentTest, BuildsTheTreeWithLines) {
  absl::StatusOr<YamlNode> root = ParseYamlDocument(
      "a: 1\n"
      "b:\n"
      "  - x\n"
      "  - 'y'\n"
      "c: {d: ~}\n");
  ASSERT_TRUE(root.ok()) << root.status();
  ASSERT_EQ(root->kind, YamlNode::Kind::kMap);
  ASSERT_EQ(root->entries.size(), 3u);
  EXPECT_EQ(root->entries[0].key, "a");
  EXPECT_EQ(root->entries[0].line, 1);
  EXPECT_EQ(root->entries[0].value.value, "1");
  EXPECT_FALSE(root->entries[0].value.quoted);
  const YamlNode& b = root->entries[1].value;
  EXPECT_EQ(root->entries[1].line, 2);
  ASSERT_EQ(b.kind, YamlNode::Kind::kList);
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_EQ(b.items[0].line, 3);
  EXPECT_EQ(b.items[1].value, "y");
  EXPECT_TRUE(b.items[1].quoted);
  const YamlNode& c = root->entries[2].value;
  ASSERT_EQ(c.kind, YamlNode::Kind::kMap);
  EXPECT_EQ(c.entries[0].key, "d");
  EXPECT_EQ(c.entries[0].value.kind, YamlNode::Kind::kNull);
}

TEST(YamlDocumentTest, RefusesExpansionAndTags) {
  ExpectRefused("a: &x [1, 2]\nb: *x\n", "line 1: YAML anchors (&name) are not accepted");
  ExpectRefused("a: *x\n", "line 1:");
  ExpectRefused("a: {b: 1}\nc:\n  <<: {b: 2}\n", "line 3: YAML merge keys (<<) are not accepted");
  ExpectRefused("a: !!str 5\n", "line 1: YAML tags are not accepted");
  ExpectRefused("a: !custom {b: 1}\n", "YAML tags are not accepted");
  // A quoted "<<" is an ordinary key.
  EXPECT_TRUE(ParseYamlDocument("'<<': 1\n").ok());
}

TEST(YamlDocumentTest, RefusesTextThatIsNotUtf8) {
  ExpectRefused("a: \xff\n", "line 1: want UTF-8 text, got invalid bytes");
  ExpectRefused("b: 1\n\xc3: 1\n", "line 2: want UTF-8 text, got invalid bytes");
  ExpectRefused("a: \"\\ud800\"\n", "line 1: invalid unicode");
  EXPECT_TRUE(ParseYamlDocument("a: \"\\u00e9t\u00e9\"\n").ok());
}

TEST(YamlDocumentTest, RefusesDuplicateAndNonStringKeys) {
  ExpectRefused("a: 1\nb: 2\na: 3\n", "line 3: duplicate key a (first on line 1)");
  ExpectRefused("x: {a: 1, a: 2}\n", "line 1: duplicate key a");
  ExpectRefused("[1]: 2\n", "want a string as a map key");
  ExpectRefused("? {a: 1}\n: 2\n", "want a string as a map key");
}

TEST(YamlDocumentTest, RefusesBadDocuments) {
  ExpectRefused("", "empty YAML input");
  ExpectRefused("# only a comment\n", "empty YAML input");
  ExpectRefused("a: 1\n---\nb: 2\n", "line 2: want one YAML document, got a second one");
  ExpectRefused("a: [1, 2\n", "line ");
  ExpectRefused("a: b: c\n", "line 1:");
}

TEST(YamlDocumentTest, LimitsDepthNodesAndSize) {
  YamlLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(ParseYamlDocument("a: [[x]]\n", limits).ok());
  ExpectRefused("a: [[[x]]]\n", "line 1: nested deeper than 3 levels", limits);

  limits = YamlLimits();
  limits.max_nodes = 5;  // the map, two keys, two values
  EXPECT_TRUE(ParseYamlDocument("a: 1\nb: 2\n", limits).ok());
  ExpectRefused("a: 1\nb: 2\nc: 3\n", "line 3: more than 5 YAML nodes", limits);

  limits = YamlLimits();
  limits.max_bytes = 8;
  EXPECT_TRUE(ParseYamlDocument("a: 12345", limits).ok());
  ExpectRefused("a: 123456", "YAML input of 9 bytes, want at most 8", limits);

  // The default depth limit holds against a deep flow collection.
  ExpectRefused(std::string(10000, '[') + std::string(10000, ']'), "nested deeper than 16");
}

}  // namespace
}  // namespace config
}  // namespace api
}  // namespace vellum
