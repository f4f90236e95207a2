#include "server/http/message.h"

#include "gtest/gtest.h"

namespace myelin::http {
namespace {

TEST(MessageTest, PercentDecode) {
  std::string out;
  ASSERT_TRUE(PercentDecode("%21room%3Aexample.org", &out));
  EXPECT_EQ(out, "!room:example.org");
  ASSERT_TRUE(PercentDecode("%e2%9c%93", &out));
  EXPECT_EQ(out, "\xe2\x9c\x93");
  EXPECT_FALSE(PercentDecode("%2", &out));
  EXPECT_FALSE(PercentDecode("abc%", &out));
  EXPECT_FALSE(PercentDecode("%g1", &out));
  EXPECT_FALSE(PercentDecode("%00", &out));
}

TEST(MessageTest, ParseQuery) {
  auto query = ParseQuery("a=1&b=two%20words&c&d=x+y&a=2&&");
  EXPECT_EQ(query.count("a"), 2u);
  EXPECT_EQ(query.find("b")->second, "two words");
  EXPECT_EQ(query.find("c")->second, "");
  EXPECT_EQ(query.find("d")->second, "x y");
}

TEST(MessageTest, RequestAccessors) {
  Request request;
  request.headers["content-type"] = "application/json";
  request.query = ParseQuery("limit=10");
  request.params["roomId"] = "!a:b";
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("x-missing"), "");
  EXPECT_EQ(request.Query("limit"), "10");
  EXPECT_TRUE(request.HasQuery("limit"));
  EXPECT_FALSE(request.HasQuery("from"));
  EXPECT_EQ(request.Param("roomId"), "!a:b");
}

}  // namespace
}  // namespace myelin::http
