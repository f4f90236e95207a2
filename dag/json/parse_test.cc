#include "dag/json/parse.h"

#include <string>

#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"

namespace myelin::json {
namespace {

std::string Nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(ParseJsonTest, ParsesAllKinds) {
  auto v = ParseJson(R"({"a":[1,-2,18446744073709551615,1.5,true,false,null,"s"]})");
  ASSERT_TRUE(v.ok()) << v.status();
  const auto& arr = v->as_object().at("a").as_array();
  EXPECT_EQ(arr[0].as_int64(), 1);
  EXPECT_EQ(arr[1].as_int64(), -2);
  EXPECT_EQ(arr[2].as_uint64(), 18446744073709551615ull);
  EXPECT_EQ(arr[3].as_double(), 1.5);
  EXPECT_TRUE(arr[4].as_bool());
  EXPECT_TRUE(arr[6].is_null());
  EXPECT_EQ(arr[7].as_string(), "s");
}

TEST(ParseJsonTest, KeepsEscapedContent) {
  auto v = ParseJson(R"(["\u65E5\n\u0000\ud83d\ude00"])");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(std::string(v->as_array()[0].as_string()),
            std::string("\xE6\x97\xA5\n\0\xF0\x9F\x98\x80", 9));
}

struct BadCase {
  std::string text;
  std::string_view errcode;
};

TEST(ParseJsonTest, RejectsBadInput) {
  const BadCase cases[] = {
      {"", errcode::kNotJson},
      {"{", errcode::kNotJson},
      {"{} x", errcode::kNotJson},
      {"{'a':1}", errcode::kNotJson},
      {"[1,]", errcode::kNotJson},
      {"NaN", errcode::kNotJson},
      {"[01]", errcode::kNotJson},
      {"\"\xFF\"", errcode::kNotJson},                // invalid UTF-8
      {"\"\xED\xA0\x80\"", errcode::kNotJson},        // raw surrogate
      {R"(["\ud800"])", errcode::kNotJson},           // lone high surrogate
      {R"(["\udc00"])", errcode::kNotJson},           // lone low surrogate
      {R"(["\ud800\u0041"])", errcode::kNotJson},     // high + non-low
      {R"({"a":1,"a":2})", errcode::kBadJson},        // duplicate key
      {R"({"a":{"b":1,"b":1}})", errcode::kBadJson},  // nested duplicate
      {R"({"\u0061":1,"a":2})", errcode::kBadJson},   // duplicate after unescape
      {Nested(101), errcode::kBadJson},               // too deep
      {Nested(5000), errcode::kBadJson},              // far too deep
  };
  for (const BadCase& c : cases) {
    auto v = ParseJson(c.text);
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_EQ(ErrcodeOf(v.status()), c.errcode) << c.text << " " << v.status();
  }
}

TEST(ParseJsonTest, DepthLimitIsExact) {
  EXPECT_TRUE(ParseJson(Nested(100)).ok());
  EXPECT_FALSE(ParseJson(Nested(101)).ok());
  EXPECT_TRUE(ParseJson(Nested(3), {.max_depth = 3}).ok());
  EXPECT_FALSE(ParseJson(Nested(4), {.max_depth = 3}).ok());
  EXPECT_FALSE(ParseJson(R"({"a":{"b":{"c":{}}}})", {.max_depth = 3}).ok());
  // Switching limits back and forth on the same thread's parser.
  EXPECT_TRUE(ParseJson(Nested(100)).ok());
}

TEST(ParseJsonObjectTest, RequiresObject) {
  EXPECT_TRUE(ParseJsonObject("{}").ok());
  auto v = ParseJsonObject("[]");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(ErrcodeOf(v.status()), errcode::kBadJson);
  EXPECT_EQ(ErrcodeOf(ParseJsonObject("nope").status()), errcode::kNotJson);
}

TEST(ParseJsonTest, LargeInputReallocates) {
  std::string big = "[";
  for (int i = 0; i < 600000; ++i) big += "1,";  // over 1 MiB
  big += "1]";
  auto v = ParseJson(big);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->as_array().size(), 600001u);
  EXPECT_FALSE(ParseJson(big + "x").ok());
  EXPECT_TRUE(ParseJson("[1]").ok());
}

}  // namespace
}  // namespace myelin::json
