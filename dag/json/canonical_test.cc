#include "dag/json/canonical.h"

#include <string>

#include "boost/json/parse.hpp"
#include "dag/base/matrix_error.h"
#include "dag/json/parse.h"
#include "gtest/gtest.h"

namespace myelin::json {
namespace {

std::string Canon(std::string_view text,
                  JsonStrictness s = JsonStrictness::kStrict) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << text << " " << v.status();
  if (!v.ok()) return "<parse error>";
  auto out = EncodeCanonicalJson(*v, s);
  if (!out.ok()) return "<" + std::string(ErrcodeOf(out.status())) + ">";
  return *out;
}

struct Case {
  std::string input;
  std::string expected;
};

TEST(CanonicalJsonTest, Escapes) {
  const Case cases[] = {
      {R"(["\"\\/"])", R"(["\"\\/"])"},  // '/' is never escaped
      {R"(["\b\f\n\r\t"])", R"(["\b\f\n\r\t"])"},
      {R"(["\u0000\u0001\u001f"])", R"(["\u0000\u0001\u001f"])"},
      {R"(["\u000B\u001E"])", R"(["\u000b\u001e"])"},  // lower-case hex
      {R"(["\u007f\u0080"])", "[\"\x7f\xc2\x80\"]"},   // DEL raw
      {R"(["\u2028\u2029"])", "[\"\xe2\x80\xa8\xe2\x80\xa9\"]"},
      {R"(["\ud83d\ude00"])", "[\"\xf0\x9f\x98\x80\"]"},
      {R"({"\n":1})", R"({"\n":1})"},
  };
  for (const Case& c : cases) EXPECT_EQ(Canon(c.input), c.expected) << c.input;
}

TEST(CanonicalJsonTest, KeyOrderIsCodePointOrder) {
  const Case cases[] = {
      {R"({"b":1,"a":2,"":3})", R"({"":3,"a":2,"b":1})"},
      {R"({"a":1,"B":2,"_":3})", R"({"B":2,"_":3,"a":1})"},
      {R"({"ab":1,"a":2})", R"({"a":2,"ab":1})"},
      // U+00E9 (2 bytes) < U+65E5 (3 bytes) < U+1F600 (4 bytes); an
      // UTF-16 sort would put U+1F600 (surrogates D83D) before U+FFFD.
      {R"({"\ud83d\ude00":1,"\ufffd":2,"\u65e5":3,"\u00e9":4,"z":5})",
       "{\"z\":5,\"\xc3\xa9\":4,\"\xe6\x97\xa5\":3,\"\xef\xbf\xbd\":2,"
       "\"\xf0\x9f\x98\x80\":1}"},
      {R"({"x":{"d":[{"b":1,"a":2}],"c":null}})",
       R"({"x":{"c":null,"d":[{"a":2,"b":1}]}})"},
  };
  for (const Case& c : cases) EXPECT_EQ(Canon(c.input), c.expected) << c.input;
}

TEST(CanonicalJsonTest, StrictNumbers) {
  const Case cases[] = {
      {"[0,-0,1,-1]", "[0,0,1,-1]"},
      {"[9007199254740991,-9007199254740991]",
       "[9007199254740991,-9007199254740991]"},
      {"[9007199254740992]", "<M_BAD_JSON>"},
      {"[-9007199254740992]", "<M_BAD_JSON>"},
      {"[18446744073709551615]", "<M_BAD_JSON>"},
      {"[1e10,1E2,-0.0,2.0]", "[10000000000,100,0,2]"},
      {"[1.5]", "<M_BAD_JSON>"},
      {"[1e300]", "<M_BAD_JSON>"},
      {"[true,false,null]", "[true,false,null]"},
  };
  for (const Case& c : cases) EXPECT_EQ(Canon(c.input), c.expected) << c.input;
}

TEST(CanonicalJsonTest, LenientNumbers) {
  constexpr auto kLenient = JsonStrictness::kLenient;
  const Case cases[] = {
      {"[9007199254740992]", "[9007199254740992]"},
      {"[-9223372036854775808]", "[-9223372036854775808]"},
      {"[18446744073709551615]", "[18446744073709551615]"},
      {"[1.5,-0.25]", "[1.5,-0.25]"},
      {"[1e300]", "[1e+300]"},
      {"[1e10]", "[10000000000]"},
      // Found by the fuzzer: bare digits here would read back as an
      // integer beyond 64 bits and be refused. Python (Synapse) writes the
      // same text.
      {"[444444444444444444449.9]", "[4.4444444444444446e+20]"},
      {"[1e20]", "[1e+20]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Canon(c.input, kLenient), c.expected) << c.input;
  }
}

TEST(CanonicalJsonTest, RejectsInvalidUtf8BuiltInCode) {
  boost::json::object obj;
  obj["k"] = "\xff";
  EXPECT_EQ(ErrcodeOf(EncodeCanonicalJson(obj).status()), errcode::kBadJson);
  boost::json::object bad_key;
  bad_key["\xed\xa0\x80"] = 1;
  EXPECT_FALSE(EncodeCanonicalJson(bad_key).ok());
}

TEST(CanonicalJsonTest, NonFiniteRejectedEvenWhenLenient) {
  boost::json::array arr;
  arr.emplace_back(std::numeric_limits<double>::infinity());
  EXPECT_FALSE(EncodeCanonicalJson(arr, JsonStrictness::kLenient).ok());
}

TEST(CanonicalJsonTest, WithoutOmitsTopLevelKeysOnly) {
  auto v = ParseJsonObject(
      R"({"unsigned":1,"b":{"signatures":2},"signatures":{},"a":0})");
  ASSERT_TRUE(v.ok());
  auto out = EncodeCanonicalJsonWithout(*v, {"signatures", "unsigned"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"({"a":0,"b":{"signatures":2}})");
}

TEST(CanonicalJsonTest, IsAFixedPoint) {
  const std::string text =
      R"({"z":[1,{"y":"\u0001é","x":[]}],"a":{"c":true,"b":null},"m":-5})";
  std::string once = Canon(text);
  EXPECT_EQ(Canon(once), once);
}

}  // namespace
}  // namespace myelin::json
