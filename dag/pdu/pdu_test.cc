#include "dag/pdu/pdu.h"

#include "gtest/gtest.h"

namespace myelin {
namespace {

const RoomVersionRules& V(const char* id) { return *FindRoomVersion(id); }

TEST(PduTest, ParsesV3PlusShape) {
  absl::StatusOr<Pdu> pdu = Pdu::ParseText(R"({
    "event_id": "$e", "room_id": "!r:x", "type": "m.room.member",
    "state_key": "@a:x", "sender": "@a:x", "origin_server_ts": 5,
    "depth": 3, "prev_events": ["$p"], "auth_events": ["$c", "$d"],
    "content": {"membership": "join"}})",
                                           V("10"));
  ASSERT_TRUE(pdu.ok()) << pdu.status();
  EXPECT_EQ(pdu->event_id(), "$e");
  EXPECT_EQ(*pdu->room_id(), "!r:x");
  EXPECT_TRUE(pdu->IsState("m.room.member", "@a:x"));
  EXPECT_EQ(pdu->origin_server_ts(), 5);
  EXPECT_EQ(pdu->depth(), 3);
  EXPECT_EQ(pdu->prev_events(), std::vector<std::string>{"$p"});
  EXPECT_EQ(pdu->auth_events(), (std::vector<std::string>{"$c", "$d"}));
  EXPECT_EQ(*pdu->membership(), "join");
}

TEST(PduTest, ParsesV1PairsAndTopLevelRedacts) {
  absl::StatusOr<Pdu> pdu = Pdu::ParseText(R"({
    "event_id": "$e:x", "room_id": "!r:x", "type": "m.room.redaction",
    "sender": "@a:x", "redacts": "$t:x",
    "prev_events": [["$p:x", {"sha256": "abc"}]],
    "auth_events": [["$c:x", {"sha256": "abc"}]], "content": {}})",
                                           V("1"));
  ASSERT_TRUE(pdu.ok()) << pdu.status();
  EXPECT_EQ(pdu->prev_events(), std::vector<std::string>{"$p:x"});
  EXPECT_EQ(pdu->auth_events(), std::vector<std::string>{"$c:x"});
  EXPECT_EQ(*pdu->redacts(), "$t:x");
  EXPECT_FALSE(pdu->is_state());
}

TEST(PduTest, PairsRejectedFromV3) {
  EXPECT_FALSE(Pdu::ParseText(R"({"room_id": "!r:x", "type": "m.x",
    "sender": "@a:x", "prev_events": [["$p", {}]], "auth_events": [],
    "content": {}})",
                              V("3"), "$e")
                   .ok());
}

TEST(PduTest, RedactsInContentFromV11) {
  absl::StatusOr<Pdu> pdu = Pdu::ParseText(R"({"room_id": "!r:x",
    "type": "m.room.redaction", "sender": "@a:x", "redacts": "$old",
    "prev_events": [], "auth_events": [], "content": {"redacts": "$t"}})",
                                           V("11"), "$e");
  ASSERT_TRUE(pdu.ok()) << pdu.status();
  EXPECT_EQ(*pdu->redacts(), "$t");
}

TEST(PduTest, V12CreateHasNoRoomId) {
  const char* create = R"({"type": "m.room.create", "state_key": "",
    "sender": "@a:x", "prev_events": [], "auth_events": [],
    "content": {"room_version": "12"}})";
  EXPECT_TRUE(Pdu::ParseText(create, V("12"), "$c").ok());
  EXPECT_FALSE(Pdu::ParseText(create, V("11"), "$c").ok());
  EXPECT_EQ(CreateEventIdFromRoomId("!abc"), "$abc");
}

TEST(PduTest, RejectsMalformed) {
  const char* cases[] = {
      "not json",
      "[]",
      R"({"room_id": "!r", "sender": "@a:x", "prev_events": [],
          "auth_events": [], "content": {}})",
      R"({"room_id": "!r", "type": 5, "sender": "@a:x", "prev_events": [],
          "auth_events": [], "content": {}})",
      R"({"room_id": "!r", "type": "m.x", "sender": "@a:x",
          "prev_events": [], "auth_events": [], "content": []})",
      R"({"room_id": "!r", "type": "m.x", "sender": "@a:x",
          "prev_events": {}, "auth_events": [], "content": {}})",
      R"({"room_id": "!r", "type": "m.x", "sender": "@a:x", "depth": "1",
          "prev_events": [], "auth_events": [], "content": {}})",
      R"({"room_id": "!r", "type": "m.x", "sender": "@a:x", "state_key": 1,
          "prev_events": [], "auth_events": [], "content": {}})",
  };
  for (const char* c : cases) {
    EXPECT_FALSE(Pdu::ParseText(c, V("10"), "$e").ok()) << c;
  }
}

TEST(PduTest, ServerName) {
  EXPECT_EQ(ServerNameOf("@a:example.com:8448"), "example.com:8448");
  EXPECT_EQ(ServerNameOf("@a"), "");
}

}  // namespace
}  // namespace myelin
