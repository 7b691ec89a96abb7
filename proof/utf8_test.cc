#include "proof/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace vellum {
namespace {

TEST(Utf8Test, DecodesEachLength) {
  struct Case {
    std::string text;
    size_t length;
    char32_t code_point;
  };
  const Case cases[] = {
      {"A", 1, 0x41},           {"\x7F", 1, 0x7F},          {"\xC2\x80", 2, 0x80},
      {"\xDF\xBF", 2, 0x7FF},   {"\xE0\xA0\x80", 3, 0x800}, {"\xED\x9F\xBF", 3, 0xD7FF},
      {"\xEE\x80\x80", 3, 0xE000}, {"\xEF\xBF\xBF", 3, 0xFFFF},
      {"\xF0\x90\x80\x80", 4, 0x10000}, {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
      {"\xC3\xA9tail", 2, 0xE9},
  };
  for (const Case& c : cases) {
    char32_t code_point = 0;
    EXPECT_EQ(DecodeUtf8(c.text, &code_point), c.length) << c.text;
    EXPECT_EQ(code_point, c.code_point) << c.text;
    EXPECT_TRUE(IsValidUtf8(c.text));
  }
}

TEST(Utf8Test, RefusesWhatRfc3629Forbids) {
  const std::string cases[] = {
      "",                  // Nothing to decode.
      "\x80",              // A stray continuation byte.
      "\xC2",              // Truncated.
      "\xE0\xA0",          // Truncated.
      "\xC0\x80",          // Overlong U+0000.
      "\xC1\xBF",          // Overlong U+007F.
      "\xE0\x9F\xBF",      // Overlong U+07FF.
      "\xF0\x8F\xBF\xBF",  // Overlong U+FFFF.
      "\xED\xA0\x80",      // The surrogate U+D800.
      "\xED\xBF\xBF",      // The surrogate U+DFFF.
      "\xF4\x90\x80\x80",  // U+110000.
      "\xF8\x88\x80\x80",  // A five-byte lead.
      "\xFF",
      "\xC3\x28",          // A lead followed by ASCII.
  };
  for (const std::string& text : cases) {
    EXPECT_EQ(DecodeUtf8(text), 0u) << testing::PrintToString(text);
    if (!text.empty()) {
      EXPECT_FALSE(IsValidUtf8(text)) << testing::PrintToString(text);
    }
  }
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_FALSE(IsValidUtf8("ok\xC3"));
}

}  // namespace
}  // namespace vellum
