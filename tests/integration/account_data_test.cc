// Account data and room tags over the Client-Server API, real binary.
#include "absl/strings/str_cat.h"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

class AccountDataTest : public AccountsTest {
 protected:
  void SetUp() override {
    Start();
    alice_ = Register("alice", "pw").Str("access_token");
    bob_ = Register("bob", "pw").Str("access_token");
  }
  std::string alice_, bob_;
};

constexpr char kUser[] = "/_matrix/client/v3/user/@alice:test.example";

TEST_F(AccountDataTest, GlobalAndRoomDataRoundTrip) {
  std::string global = absl::StrCat(kUser, "/account_data/m.direct");
  EXPECT_EQ(Call("GET", global, "", alice_).Errcode(), "M_NOT_FOUND");
  ASSERT_EQ(Call("PUT", global, R"({"@bob:test.example":["!r:test.example"]})", alice_)
                .status,
            200);
  Reply read = Call("GET", global, "", alice_);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body["@bob:test.example"].as_array()[0].as_string(), "!r:test.example");
  std::string room = absl::StrCat(kUser, "/rooms/!r:test.example/account_data/org.x");
  ASSERT_EQ(Call("PUT", room, R"({"colour":"blue"})", alice_).status, 200);
  EXPECT_EQ(Call("GET", room, "", alice_).Str("colour"), "blue");
  // Global and room data of the same type are different things.
  EXPECT_EQ(Call("GET", absl::StrCat(kUser, "/account_data/org.x"), "", alice_).Errcode(),
            "M_NOT_FOUND");
  Restart();
  alice_ = Login("alice", "pw").Str("access_token");
  EXPECT_EQ(Call("GET", room, "", alice_).Str("colour"), "blue");
}

TEST_F(AccountDataTest, TagsAddAndRemove) {
  std::string tags = absl::StrCat(kUser, "/rooms/!r:test.example/tags");
  EXPECT_TRUE(Call("GET", tags, "", alice_).body["tags"].as_object().empty());
  ASSERT_EQ(Call("PUT", tags + "/m.favourite", R"({"order":0.25})", alice_).status, 200);
  ASSERT_EQ(Call("PUT", tags + "/u.work", "{}", alice_).status, 200);
  Reply both = Call("GET", tags, "", alice_);
  EXPECT_EQ(both.body["tags"].at("m.favourite").at("order").as_double(), 0.25);
  EXPECT_TRUE(both.body["tags"].as_object().contains("u.work"));
  ASSERT_EQ(Call("DELETE", tags + "/m.favourite", "", alice_).status, 200);
  Reply one = Call("GET", tags, "", alice_);
  EXPECT_FALSE(one.body["tags"].as_object().contains("m.favourite"));
  EXPECT_TRUE(one.body["tags"].as_object().contains("u.work"));
  // Tags are the room's m.tag account data.
  Reply raw = Call("GET", absl::StrCat(kUser, "/rooms/!r:test.example/account_data/m.tag"),
                   "", alice_);
  EXPECT_TRUE(raw.body["tags"].as_object().contains("u.work"));
  EXPECT_EQ(Call("PUT", tags + "/x", R"({"order":"first"})", alice_).Errcode(),
            "M_BAD_JSON");
}

TEST_F(AccountDataTest, ErrorsFollowTheSpec) {
  EXPECT_EQ(Call("PUT", absl::StrCat(kUser, "/account_data/m.direct"), "{}", bob_)
                .Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("GET", absl::StrCat(kUser, "/account_data/m.direct"), "", bob_)
                .Errcode(),
            "M_FORBIDDEN");
  Reply server_owned = Call("PUT", absl::StrCat(kUser, "/account_data/m.push_rules"),
                            "{}", alice_);
  EXPECT_EQ(server_owned.status, 405);
  EXPECT_EQ(server_owned.Errcode(), "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", absl::StrCat(kUser, "/rooms/!r:test.example/account_data/m.fully_read"),
                 "{}", alice_).status,
            405);
  EXPECT_EQ(Call("PUT", absl::StrCat(kUser, "/rooms/not-a-room/account_data/x"), "{}",
                 alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("PUT", absl::StrCat(kUser, "/account_data/x"), "[1]", alice_).Errcode(),
            "M_NOT_JSON");
}

TEST_F(AccountDataTest, TypingNeedsMembershipAndOneself) {
  Reply room = Call("POST", "/_matrix/client/v3/createRoom", "{}", alice_);
  std::string typing = absl::StrCat("/_matrix/client/v3/rooms/", room.Str("room_id"),
                                    "/typing/@alice:test.example");
  EXPECT_EQ(Call("PUT", typing, R"({"typing":true,"timeout":5000})", alice_).status, 200);
  EXPECT_EQ(Call("PUT", typing, R"({"typing":false})", alice_).status, 200);
  EXPECT_EQ(Call("PUT", typing, R"({"typing":true,"timeout":5000})", bob_).Errcode(),
            "M_FORBIDDEN");
  std::string bob_typing = absl::StrCat("/_matrix/client/v3/rooms/", room.Str("room_id"),
                                        "/typing/@bob:test.example");
  // Bob is not in the room.
  EXPECT_EQ(Call("PUT", bob_typing, R"({"typing":true,"timeout":5000})", bob_).Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("PUT", typing, R"({"typing":true})", alice_).Errcode(), "M_MISSING_PARAM");
  EXPECT_EQ(Call("PUT", typing, R"({"typing":"yes"})", alice_).Errcode(), "M_BAD_JSON");
}

TEST_F(AccountDataTest, ReceiptsAndReadMarkers) {
  Reply room = Call("POST", "/_matrix/client/v3/createRoom", R"({"preset":"public_chat"})",
                    alice_);
  std::string base = absl::StrCat("/_matrix/client/v3/rooms/", room.Str("room_id"));
  std::string event =
      Call("PUT", base + "/send/m.room.message/t1", R"({"msgtype":"m.text","body":"x"})",
           alice_)
          .Str("event_id");
  ASSERT_FALSE(event.empty());
  EXPECT_EQ(Call("POST", base + "/receipt/m.read/" + event, "{}", alice_).status, 200);
  EXPECT_EQ(Call("POST", base + "/receipt/m.read/" + event, R"({"thread_id":"main"})",
                 alice_).status,
            200);
  EXPECT_EQ(Call("POST", base + "/receipt/m.read.private/" + event, "{}", alice_).status,
            200);
  EXPECT_EQ(Call("POST", base + "/read_markers",
                 absl::StrCat(R"({"m.fully_read":")", event, R"(","m.read":")", event,
                              R"("})"),
                 alice_).status,
            200);
  // The fully-read marker is the room's m.fully_read account data.
  Reply marker = Call("GET", absl::StrCat(kUser, "/rooms/", room.Str("room_id"),
                                          "/account_data/m.fully_read"),
                      "", alice_);
  EXPECT_EQ(marker.Str("event_id"), event);
  EXPECT_EQ(Call("POST", base + "/receipt/m.read/$nope", "{}", alice_).Errcode(),
            "M_NOT_FOUND");
  EXPECT_EQ(Call("POST", base + "/receipt/m.bogus/" + event, "{}", alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", base + "/receipt/m.read/" + event, R"({"thread_id":7})", alice_)
                .Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", base + "/receipt/m.read/" + event, "{}", bob_).Errcode(),
            "M_FORBIDDEN");
}

TEST_F(AccountDataTest, PresenceIsSetBySelfAndSeenByRoommates) {
  std::string alice_status = "/_matrix/client/v3/presence/@alice:test.example/status";
  EXPECT_EQ(Call("GET", alice_status, "", alice_).Str("presence"), "offline");
  ASSERT_EQ(Call("PUT", alice_status, R"({"presence":"online","status_msg":"here"})",
                 alice_).status,
            200);
  Reply mine = Call("GET", alice_status, "", alice_);
  EXPECT_EQ(mine.Str("presence"), "online");
  EXPECT_EQ(mine.Str("status_msg"), "here");
  EXPECT_TRUE(mine.body["currently_active"].as_bool());
  // Bob shares no room with Alice yet.
  EXPECT_EQ(Call("GET", alice_status, "", bob_).Errcode(), "M_FORBIDDEN");
  Reply room = Call("POST", "/_matrix/client/v3/createRoom", R"({"preset":"public_chat"})",
                    alice_);
  ASSERT_EQ(Call("POST", absl::StrCat("/_matrix/client/v3/join/", room.Str("room_id")),
                 "{}", bob_).status,
            200);
  EXPECT_EQ(Call("GET", alice_status, "", bob_).Str("presence"), "online");
  EXPECT_EQ(Call("PUT", alice_status, R"({"presence":"online"})", bob_).Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("PUT", alice_status, R"({"presence":"busy"})", alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("GET", "/_matrix/client/v3/presence/@nobody:test.example/status", "",
                 alice_).Errcode(),
            "M_FORBIDDEN");
}

TEST_F(AccountDataTest, SendToDeviceValidatesAndIsIdempotent) {
  std::string send = "/_matrix/client/v3/sendToDevice/m.room_key_request/";
  std::string body =
      R"({"messages":{"@bob:test.example":{"*":{"action":"request"}},
          "@nobody:elsewhere.example":{"DEV":{"x":1}}}})";
  EXPECT_EQ(Call("PUT", send + "t1", body, alice_).status, 200);
  EXPECT_EQ(Call("PUT", send + "t1", body, alice_).status, 200);  // Retry.
  EXPECT_EQ(Call("PUT", send + "t2", "{}", alice_).Errcode(), "M_MISSING_PARAM");
  EXPECT_EQ(Call("PUT", send + "t3", R"({"messages":[]})", alice_).Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", send + "t4", R"({"messages":{"@bob:test.example":{"D":5}}})",
                 alice_).Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", send + "t5", body).Errcode(), "M_MISSING_TOKEN");
}

}  // namespace
}  // namespace myelin::testing
