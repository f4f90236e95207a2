#include "server/filter/event_fields.h"

#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "gtest/gtest.h"

namespace myelin::filter {
namespace {

boost::json::object Event() {
  return boost::json::parse(R"({
    "type": "m.room.message", "sender": "@a:x", "event_id": "$e",
    "content": {"body": "hi", "msgtype": "m.text",
                "m.relates_to": {"rel_type": "m.thread"}},
    "unsigned": {"age": 5}})").as_object();
}

TEST(EventFieldsTest, SplitsOnUnescapedDots) {
  EXPECT_EQ(SplitFieldPath("content.body"),
            (std::vector<std::string>{"content", "body"}));
  EXPECT_EQ(SplitFieldPath(R"(content.m\.relates_to)"),
            (std::vector<std::string>{"content", "m.relates_to"}));
  EXPECT_EQ(SplitFieldPath(R"(a\\.b)"), (std::vector<std::string>{"a\\", "b"}));
}

TEST(EventFieldsTest, KeepsOnlyTheNamedFields) {
  boost::json::object projected =
      ProjectEventFields(Event(), {"type", "content.body", R"(content.m\.relates_to.rel_type)"});
  EXPECT_EQ(boost::json::serialize(projected),
            R"({"type":"m.room.message","content":{"body":"hi","m.relates_to":{"rel_type":"m.thread"}}})");
}

TEST(EventFieldsTest, PathsThatNameNothingAreSkipped) {
  boost::json::object projected =
      ProjectEventFields(Event(), {"content.nope", "type.deeper", "missing"});
  EXPECT_TRUE(projected.empty());
}

}  // namespace
}  // namespace myelin::filter
