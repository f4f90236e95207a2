#include "bench/sync/sync_query.h"

#include "gtest/gtest.h"

namespace myelin::bench {
namespace {

TEST(UrlEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(UrlEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(UrlEncode("!room:x y"), "%21room%3Ax%20y");
  EXPECT_EQ(UrlEncode(R"({"a":1})"), "%7B%22a%22%3A1%7D");
  EXPECT_EQ(UrlEncode("\xff"), "%FF");
}

TEST(SyncTargetTest, LeavesOutEmptyParameters) {
  EXPECT_EQ(SyncTarget("", "", -1), "/_matrix/client/v3/sync");
  EXPECT_EQ(SyncTarget("", "s1_2", 0),
            "/_matrix/client/v3/sync?since=s1_2&timeout=0");
  EXPECT_EQ(SyncTarget(R"({"room":{}})", "", 30000),
            "/_matrix/client/v3/sync?filter=%7B%22room%22%3A%7B%7D%7D"
            "&timeout=30000");
}

TEST(SendTargetTest, EncodesRoomAndTxn) {
  EXPECT_EQ(SendTarget("!abc:bench.example", "t.1"),
            "/_matrix/client/v3/rooms/%21abc%3Abench.example/send/"
            "m.room.message/t.1");
}

TEST(MessageBodyTest, IsATextMessage) {
  EXPECT_EQ(MessageBody("hi"), R"({"msgtype":"m.text","body":"hi"})");
}

TEST(NextBatchTest, FindsTheToken) {
  EXPECT_EQ(NextBatch(R"({"next_batch":"s72_5","rooms":{}})"), "s72_5");
  EXPECT_EQ(NextBatch(R"({"rooms":{},"next_batch": "abc"})"), "abc");
}

TEST(NextBatchTest, RejectsMissingOrOddValues) {
  EXPECT_EQ(NextBatch(R"({"rooms":{}})"), std::nullopt);
  EXPECT_EQ(NextBatch(R"({"next_batch":12})"), std::nullopt);
  EXPECT_EQ(NextBatch(R"({"next_batch":"a\"b"})"), std::nullopt);
  EXPECT_EQ(NextBatch(R"({"next_batch":"unterminated)"), std::nullopt);
}

TEST(MarkerTest, NoMarkerIsAPrefixOfAnother) {
  EXPECT_EQ(Marker("fanout", "r7", 1), "fanout-r7-1.");
  EXPECT_EQ(std::string("fanout-r7-10.").find(Marker("fanout", "r7", 1)),
            std::string::npos);
}

}  // namespace
}  // namespace myelin::bench
