#include "server/filter/room_event_filter.h"

#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"

namespace myelin::filter {
namespace {

RoomEventFilter Parse(std::string_view text) {
  absl::StatusOr<RoomEventFilter> filter = ParseRoomEventFilterText(text);
  EXPECT_TRUE(filter.ok()) << filter.status();
  return filter.value_or(RoomEventFilter{});
}

const boost::json::object kText{{"body", "hi"}};
const boost::json::object kImage{{"body", "cat.png"}, {"url", "mxc://a/b"}};

TEST(RoomEventFilterTest, WildcardsMatchAnySequence) {
  EXPECT_TRUE(TypeMatches("m.room.*", "m.room.message"));
  EXPECT_TRUE(TypeMatches("*", "anything"));
  EXPECT_TRUE(TypeMatches("m.*.member", "m.room.member"));
  EXPECT_TRUE(TypeMatches("m.room.message", "m.room.message"));
  EXPECT_FALSE(TypeMatches("m.room.*", "m.call.invite"));
  EXPECT_FALSE(TypeMatches("m.room.message", "m.room.messages"));
  EXPECT_TRUE(TypeMatches("*.*.*", "a.b.c"));
  EXPECT_FALSE(TypeMatches("*.x", "a.b.c"));
}

TEST(RoomEventFilterTest, EmptyFilterAllowsEverything) {
  RoomEventFilter filter = Parse("{}");
  EXPECT_TRUE(filter.Matches("!r:x", "m.room.message", "@a:x", kText));
}

TEST(RoomEventFilterTest, NotListsWinOverPositiveLists) {
  RoomEventFilter filter = Parse(
      R"({"types":["m.room.*"],"not_types":["m.room.member"],
          "senders":["@a:x","@b:x"],"not_senders":["@b:x"]})");
  EXPECT_TRUE(filter.Matches("!r:x", "m.room.message", "@a:x", kText));
  EXPECT_FALSE(filter.Matches("!r:x", "m.room.member", "@a:x", kText));
  EXPECT_FALSE(filter.Matches("!r:x", "m.reaction", "@a:x", kText));
  EXPECT_FALSE(filter.Matches("!r:x", "m.room.message", "@b:x", kText));
  EXPECT_FALSE(filter.Matches("!r:x", "m.room.message", "@c:x", kText));
}

TEST(RoomEventFilterTest, EmptyTypesListMatchesNothing) {
  RoomEventFilter filter = Parse(R"({"types":[]})");
  EXPECT_FALSE(filter.Matches("!r:x", "m.room.message", "@a:x", kText));
}

TEST(RoomEventFilterTest, ContainsUrl) {
  RoomEventFilter with = Parse(R"({"contains_url":true})");
  EXPECT_TRUE(with.Matches("!r:x", "m.room.message", "@a:x", kImage));
  EXPECT_FALSE(with.Matches("!r:x", "m.room.message", "@a:x", kText));
  RoomEventFilter without = Parse(R"({"contains_url":false})");
  EXPECT_FALSE(without.Matches("!r:x", "m.room.message", "@a:x", kImage));
  EXPECT_TRUE(without.Matches("!r:x", "m.room.message", "@a:x", kText));
}

TEST(RoomEventFilterTest, Rooms) {
  RoomEventFilter filter = Parse(R"({"rooms":["!a:x","!b:x"],"not_rooms":["!b:x"]})");
  EXPECT_TRUE(filter.MatchesRoom("!a:x"));
  EXPECT_FALSE(filter.MatchesRoom("!b:x"));
  EXPECT_FALSE(filter.MatchesRoom("!c:x"));
}

TEST(RoomEventFilterTest, ReadsFlagsAndLimit) {
  RoomEventFilter filter = Parse(
      R"({"limit":5,"lazy_load_members":true,"include_redundant_members":true,
          "unread_thread_notifications":true})");
  EXPECT_EQ(filter.limit, 5);
  EXPECT_TRUE(filter.lazy_load_members);
  EXPECT_TRUE(filter.include_redundant_members);
  EXPECT_TRUE(filter.unread_thread_notifications);
}

TEST(RoomEventFilterTest, WrongTypesAreBadJson) {
  for (const char* text : {R"({"types":"m.room.message"})", R"({"types":[1]})",
                           R"({"limit":0})", R"({"limit":"5"})",
                           R"({"contains_url":"yes"})", "[]", "{not json"}) {
    absl::StatusOr<RoomEventFilter> filter = ParseRoomEventFilterText(text);
    ASSERT_FALSE(filter.ok()) << text;
    EXPECT_EQ(ErrcodeOf(filter.status()), "M_BAD_JSON") << text;
  }
}

}  // namespace
}  // namespace myelin::filter
