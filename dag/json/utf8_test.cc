#include "dag/json/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace myelin::json {
namespace {

struct Utf8Case {
  std::string bytes;
  bool valid;
};

TEST(Utf8Test, Table) {
  const Utf8Case cases[] = {
      {"", true},
      {"plain ascii", true},
      {"\xE6\x97\xA5\xE6\x9C\xAC", true},       // 日本
      {"\xF0\x9F\x98\x80", true},               // U+1F600
      {std::string("a\0b", 3), true},           // NUL is a code point
      {"\xC0\xAF", false},                      // overlong '/'
      {"\xED\xA0\x80", false},                  // U+D800 (surrogate)
      {"\xED\xBF\xBF", false},                  // U+DFFF (surrogate)
      {"\xF4\x90\x80\x80", false},              // above U+10FFFF
      {"\xE6\x97", false},                      // truncated
      {"\x80", false},                          // lone continuation
      {"\xFF", false},
  };
  for (const Utf8Case& c : cases) {
    EXPECT_EQ(IsValidUtf8(c.bytes), c.valid) << c.bytes;
  }
}

}  // namespace
}  // namespace myelin::json
