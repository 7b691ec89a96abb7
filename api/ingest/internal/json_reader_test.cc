#include "api/ingest/internal/json_reader.h"

#include "gtest/gtest.h"

namespace vellum {
namespace api {
namespace ingest {
namespace {

TEST(JsonReaderTest, ReadsTypedMembersAndRecordsTheFirstError) {
  auto reader = JsonReader::Parse(
      R"({"a": {"b": "x", "n": 12, "f": 1.5}, "list": [{"k": "v"}], "s": ["p", "q"],
          "text": "h\u00e9llo"})",
      1024, "body");
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->String({"a", "b"}), "x");
  EXPECT_EQ(reader->String({"a", "n"}), "12");
  EXPECT_EQ(reader->Integer({"a", "n"}), 12);
  EXPECT_EQ(reader->String({"a", "missing"}), "");
  EXPECT_EQ(reader->TruncatedString({"text"}, 2), "h");  // Not half of the é.
  EXPECT_EQ(reader->Strings({"s"}, 2), (std::vector<std::string>{"p", "q"}));
  std::vector<JsonReader> items = reader->Objects({"list"}, 1);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].String({"k"}), "v");
  EXPECT_TRUE(reader->status().ok());

  EXPECT_EQ(items[0].RequiredString({"absent"}), "");
  EXPECT_EQ(reader->status(),
            absl::InvalidArgumentError("member list[0].absent: missing or empty, want a string"));
  reader->String({"a", "f"});  // A later error does not replace the first.
  EXPECT_EQ(reader->status().message(), "member list[0].absent: missing or empty, want a string");
}

TEST(JsonReaderTest, RejectsWrongTypesOversizeValuesAndNonObjects) {
  auto reader = JsonReader::Parse(R"({"f": 1.5, "long": "abcdef"})", 1024, "body");
  ASSERT_TRUE(reader.ok());
  reader->String({"f"});
  EXPECT_EQ(reader->status(), absl::InvalidArgumentError("member f: got number, want a string"));

  reader = JsonReader::Parse(R"({"yes": true, "no": "false"})", 1024, "body");
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(reader->Bool({"yes"}));
  EXPECT_FALSE(reader->Bool({"absent"}));
  EXPECT_FALSE(reader->Bool({"no"}));
  EXPECT_EQ(reader->status(), absl::InvalidArgumentError("member no: got string, want a boolean"));

  reader = JsonReader::Parse(R"({"long": "abcdef"})", 1024, "body");
  ASSERT_TRUE(reader.ok());
  reader->String({"long"}, 5);
  EXPECT_EQ(reader->status(),
            absl::InvalidArgumentError("member long: got 6 bytes, want at most 5"));

  EXPECT_EQ(JsonReader::Parse("[1]", 1024, "body").status(),
            absl::InvalidArgumentError("body: not a JSON object"));
  EXPECT_EQ(JsonReader::Parse("{\"secret-ish\": ", 1024, "body").status(),
            absl::InvalidArgumentError("body: not a JSON object"));
  EXPECT_EQ(JsonReader::Parse("{}", 1, "body").status(),
            absl::InvalidArgumentError("body: got 2 bytes, want at most 1"));
}

}  // namespace
}  // namespace ingest
}  // namespace api
}  // namespace vellum
