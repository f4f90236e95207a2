// Rooms over the Client-Server API, against the real binary: creation,
// membership, sending with transaction ids, state, redaction, reading and
// paginating history, every room version, and a restart.
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

class RoomsTest : public AccountsTest {
 protected:
  void SetUp() override {
    Start();
    alice_ = Register("alice", "pw").Str("access_token");
    bob_ = Register("bob", "pw").Str("access_token");
    ASSERT_FALSE(alice_.empty());
    ASSERT_FALSE(bob_.empty());
  }

  std::string Room(const std::string& room_id, const std::string& rest) {
    return absl::StrCat(kV3, "/rooms/", room_id, rest);
  }

  std::string CreateRoom(const std::string& body) {
    Reply reply = Call("POST", absl::StrCat(kV3, "/createRoom"), body, alice_);
    EXPECT_EQ(reply.status, 200) << boost::json::serialize(reply.body);
    return reply.Str("room_id");
  }

  Reply SendText(const std::string& room, const std::string& token,
                 const std::string& text, const std::string& txn) {
    return Call("PUT", Room(room, "/send/m.room.message/" + txn),
                absl::StrCat(R"({"msgtype":"m.text","body":")", text, R"("})"),
                token);
  }

  // Every message body in the room, newest first, paging back `limit` at a
  // time; also counts the pages.
  std::vector<std::string> History(const std::string& room, int limit,
                                   int* pages) {
    std::vector<std::string> bodies;
    std::string from;
    for (*pages = 0; *pages < 100; ++*pages) {
      std::string query = absl::StrCat("/messages?dir=b&limit=", limit,
                                       from.empty() ? "" : "&from=" + from);
      Reply page = Call("GET", Room(room, query), "", bob_);
      EXPECT_EQ(page.status, 200);
      for (const auto& event : page.body["chunk"].as_array()) {
        const auto& content = event.at("content").as_object();
        if (event.at("type") == "m.room.message" && content.contains("body")) {
          bodies.emplace_back(content.at("body").as_string());
        }
      }
      if (!page.body.contains("end")) break;
      from = page.Str("end");
    }
    return bodies;
  }

  std::string alice_, bob_;
};

TEST_F(RoomsTest, CreateInviteJoinAndTalk) {
  std::string room = CreateRoom(
      R"({"preset":"private_chat","name":"Pets","topic":"cats",
          "invite":["@bob:test.example"]})");
  ASSERT_EQ(room[0], '!');
  EXPECT_EQ(Call("GET", Room(room, "/state/m.room.name/"), "", alice_).Str("name"),
            "Pets");
  EXPECT_EQ(Call("GET", Room(room, "/state/m.room.topic"), "", alice_).Str("topic"),
            "cats");
  // Bob is invited, not joined: he cannot read yet.
  EXPECT_EQ(Call("GET", Room(room, "/messages"), "", bob_).status, 403);
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/join/", room), "{}", bob_).Str("room_id"),
            room);
  Reply joined = Call("GET", absl::StrCat(kV3, "/joined_rooms"), "", bob_);
  EXPECT_EQ(joined.body["joined_rooms"].as_array().size(), 1u);

  Reply hello = SendText(room, bob_, "hello alice", "txn1");
  ASSERT_EQ(hello.status, 200);
  // The same transaction id gives the same event, not a second message.
  EXPECT_EQ(SendText(room, bob_, "hello alice", "txn1").Str("event_id"),
            hello.Str("event_id"));
  ASSERT_EQ(SendText(room, alice_, "hi bob", "txn1").status, 200);

  Reply event = Call("GET", Room(room, "/event/" + hello.Str("event_id")), "", alice_);
  EXPECT_EQ(event.status, 200);
  EXPECT_EQ(event.body["content"].at("body"), "hello alice");
  EXPECT_EQ(event.body["sender"], "@bob:test.example");
  EXPECT_FALSE(event.body.contains("signatures"));
  EXPECT_TRUE(event.body["unsigned"].as_object().contains("age"));

  int pages = 0;
  EXPECT_THAT(History(room, 10, &pages),
              ::testing::ElementsAre("hi bob", "hello alice"));

  Reply members = Call("GET", Room(room, "/joined_members"), "", alice_);
  EXPECT_EQ(members.body["joined"].as_object().size(), 2u);
  Reply all = Call("GET", Room(room, "/members?membership=join"), "", alice_);
  EXPECT_EQ(all.body["chunk"].as_array().size(), 2u);
}

TEST_F(RoomsTest, PaginatesBothWays) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  for (int i = 0; i < 25; ++i) {
    ASSERT_EQ(SendText(room, alice_, absl::StrCat("m", i), absl::StrCat("t", i)).status, 200);
  }
  int pages = 0;
  std::vector<std::string> newest_first = History(room, 10, &pages);
  ASSERT_EQ(newest_first.size(), 25u);
  EXPECT_EQ(newest_first.front(), "m24");
  EXPECT_EQ(newest_first.back(), "m0");
  EXPECT_GE(pages, 2);
  // Forward from the beginning: oldest first, the creation events included.
  Reply forward = Call("GET", Room(room, "/messages?dir=f&limit=3"), "", bob_);
  ASSERT_EQ(forward.status, 200);
  EXPECT_EQ(forward.body["chunk"].as_array()[0].at("type"), "m.room.create");
  EXPECT_TRUE(forward.body.contains("end"));
  // An empty `from` is no `from` (nio sends one without a sync token).
  Reply empty_from = Call("GET", Room(room, "/messages?from=&limit=1"), "", bob_);
  ASSERT_EQ(empty_from.status, 200);
  EXPECT_EQ(empty_from.body["chunk"].as_array()[0].at("content").at("body"), "m24");
  EXPECT_EQ(Call("GET", Room(room, "/messages?from=garbage"), "", bob_).Errcode(),
            "M_INVALID_PARAM");
}

TEST_F(RoomsTest, MembersAtAPointInTime) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(SendText(room, alice_, "before bob", "a1").status, 200);
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  EXPECT_EQ(Call("GET", Room(room, "/members"), "", alice_).body["chunk"].as_array().size(),
            2u);
  // Paging back over Bob's join leaves a token just before it.
  Reply last = Call("GET", Room(room, "/messages?dir=b&limit=1"), "", alice_);
  ASSERT_EQ(last.body["chunk"].as_array()[0].at("type").as_string(), "m.room.member");
  Reply before = Call("GET", Room(room, "/members?at=" + last.Str("end")), "", alice_);
  ASSERT_EQ(before.status, 200) << boost::json::serialize(before.body);
  ASSERT_EQ(before.body["chunk"].as_array().size(), 1u);
  EXPECT_EQ(before.body["chunk"].as_array()[0].at("state_key").as_string(),
            "@alice:test.example");
  EXPECT_TRUE(Call("GET", Room(room, "/members?not_membership=join"), "", alice_)
                  .body["chunk"].as_array().empty());
  EXPECT_EQ(Call("GET", Room(room, "/members?at=zzz"), "", alice_).Errcode(),
            "M_INVALID_PARAM");
}

TEST_F(RoomsTest, KnockThenGetInvited) {
  std::string room = CreateRoom(
      R"({"room_version":"10","initial_state":[{"type":"m.room.join_rules",
          "content":{"join_rule":"knock"}}]})");
  EXPECT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).Errcode(), "M_FORBIDDEN");
  Reply knock = Call("POST", absl::StrCat(kV3, "/knock/", room),
                     R"({"reason":"let me in"})", bob_);
  ASSERT_EQ(knock.status, 200) << boost::json::serialize(knock.body);
  EXPECT_EQ(knock.Str("room_id"), room);
  Reply member = Call("GET", Room(room, "/state/m.room.member/@bob:test.example"), "",
                      alice_);
  EXPECT_EQ(member.Str("membership"), "knock");
  EXPECT_EQ(member.Str("reason"), "let me in");
  ASSERT_EQ(Call("POST", Room(room, "/invite"), R"({"user_id":"@bob:test.example"})",
                 alice_).status,
            200);
  EXPECT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  // Knocking is not a thing in room versions before 7.
  std::string old = CreateRoom(R"({"room_version":"6"})");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/knock/", old), "{}", bob_).Errcode(),
            "M_FORBIDDEN");
}

TEST_F(RoomsTest, ForgetOnlyAfterLeaving) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  Reply joined = Call("POST", Room(room, "/forget"), "{}", bob_);
  EXPECT_EQ(joined.status, 400);
  EXPECT_EQ(joined.Errcode(), "M_UNKNOWN");
  ASSERT_EQ(Call("POST", Room(room, "/leave"), "{}", bob_).status, 200);
  EXPECT_EQ(Call("POST", Room(room, "/forget"), "{}", bob_).status, 200);
  EXPECT_EQ(Call("POST", Room("!never:test.example", "/forget"), "{}", bob_).Errcode(),
            "M_NOT_FOUND");
  // Forgetting does not stop him from coming back.
  EXPECT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
}

TEST_F(RoomsTest, MessagesHonourFilters) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  for (int i = 0; i < 30; ++i) {
    const std::string& token = i % 3 == 0 ? bob_ : alice_;
    ASSERT_EQ(SendText(room, token, absl::StrCat("f", i), absl::StrCat("f", i)).status, 200);
  }
  // %7B"senders":["@bob:test.example"],"types":["m.room.*"]%7D
  std::string only_bob =
      "%7B%22senders%22%3A%5B%22%40bob%3Atest.example%22%5D%2C%22types%22%3A%5B%22m.room.message%22%5D%7D";
  Reply page = Call("GET", Room(room, "/messages?dir=b&limit=4&filter=" + only_bob), "",
                    alice_);
  ASSERT_EQ(page.status, 200) << boost::json::serialize(page.body);
  const auto& chunk = page.body["chunk"].as_array();
  ASSERT_EQ(chunk.size(), 4u);
  EXPECT_EQ(chunk[0].at("content").at("body").as_string(), "f27");
  EXPECT_EQ(chunk[3].at("content").at("body").as_string(), "f18");
  for (const auto& event : chunk) {
    EXPECT_EQ(event.at("sender").as_string(), "@bob:test.example");
  }
  // Continuing from `end` gives the next matches.
  Reply next = Call("GET", Room(room, "/messages?dir=b&limit=2&filter=" + only_bob +
                                          "&from=" + page.Str("end")),
                    "", alice_);
  EXPECT_EQ(next.body["chunk"].as_array()[0].at("content").at("body").as_string(), "f15");
  EXPECT_EQ(Call("GET", Room(room, "/messages?filter=%7Bnope"), "", alice_).Errcode(),
            "M_BAD_JSON");
}

TEST_F(RoomsTest, MessagesLazyLoadMembersAndSyncTokens) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  ASSERT_EQ(SendText(room, bob_, "from bob", "l1").status, 200);
  // {"lazy_load_members":true}
  std::string lazy = "%7B%22lazy_load_members%22%3Atrue%7D";
  Reply page = Call("GET", Room(room, "/messages?dir=b&limit=1&filter=" + lazy), "",
                    alice_);
  ASSERT_EQ(page.status, 200) << boost::json::serialize(page.body);
  ASSERT_TRUE(page.body.contains("state")) << boost::json::serialize(page.body);
  const auto& state = page.body["state"].as_array();
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0].at("type").as_string(), "m.room.member");
  EXPECT_EQ(state[0].at("state_key").as_string(), "@bob:test.example");
  // Without the filter there is no state.
  EXPECT_FALSE(Call("GET", Room(room, "/messages?dir=b&limit=1"), "", alice_)
                   .body.contains("state"));
  // Spec: `from` may be a /sync next_batch: paging back from it starts with
  // the newest event.
  Reply sync = Call("GET", absl::StrCat(kV3, "/sync"), "", alice_);
  ASSERT_EQ(sync.status, 200) << boost::json::serialize(sync.body);
  Reply back = Call("GET", Room(room, "/messages?dir=b&limit=1&from=" + sync.Str("next_batch")),
                    "", alice_);
  ASSERT_EQ(back.status, 200) << boost::json::serialize(back.body);
  EXPECT_EQ(back.body["chunk"].as_array()[0].at("content").at("body").as_string(),
            "from bob");
}

// Spec: "Ignoring Users" — /messages leaves out an ignored user's events,
// except their state events.
TEST_F(RoomsTest, MessagesHideIgnoredUsers) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  ASSERT_EQ(SendText(room, alice_, "from alice", "i1").status, 200);
  ASSERT_EQ(Call("PUT", Room(room, "/state/m.room.topic/"), R"({"topic":"kept"})",
                 alice_).status,
            200);
  ASSERT_EQ(Call("PUT",
                 absl::StrCat(kV3, "/user/@bob:test.example/account_data/m.ignored_user_list"),
                 R"({"ignored_users":{"@alice:test.example":{}}})", bob_)
                .status,
            200);
  Reply page = Call("GET", Room(room, "/messages?dir=b&limit=50"), "", bob_);
  ASSERT_EQ(page.status, 200);
  bool topic = false;
  for (const auto& event : page.body["chunk"].as_array()) {
    EXPECT_NE(event.at("type").as_string(), "m.room.message");
    topic = topic || event.at("type").as_string() == "m.room.topic";
  }
  EXPECT_TRUE(topic);
  // Others still see the message.
  Reply alices = Call("GET", Room(room, "/messages?dir=b&limit=50"), "", alice_);
  int messages = 0;
  for (const auto& event : alices.body["chunk"].as_array()) {
    messages += event.at("type").as_string() == "m.room.message";
  }
  EXPECT_EQ(messages, 1);
}

TEST_F(RoomsTest, AuthRulesAreEnforced) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  // Not joined: cannot send, cannot read.
  EXPECT_EQ(SendText(room, bob_, "x", "a").Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Call("GET", Room(room, "/state"), "", bob_).status, 403);
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  // Power 0 may not change the topic (state_default 50).
  EXPECT_EQ(Call("PUT", Room(room, "/state/m.room.topic/"), R"({"topic":"mine"})", bob_)
                .Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("PUT", Room(room, "/state/m.room.topic/"), R"({"topic":"ours"})", alice_)
                .status,
            200);
  // Ban, then nothing; unban lets him back only by invite once the room is
  // invite-only.
  ASSERT_EQ(Call("POST", Room(room, "/ban"), R"({"user_id":"@bob:test.example"})", alice_)
                .status,
            200);
  EXPECT_EQ(SendText(room, bob_, "x", "b").Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).Errcode(), "M_FORBIDDEN");
  ASSERT_EQ(Call("PUT", Room(room, "/state/m.room.join_rules/"),
                 R"({"join_rule":"invite"})", alice_).status,
            200);
  ASSERT_EQ(Call("POST", Room(room, "/unban"), R"({"user_id":"@bob:test.example"})", alice_)
                .status,
            200);
  EXPECT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).Errcode(), "M_FORBIDDEN");
  ASSERT_EQ(Call("POST", Room(room, "/invite"), R"({"user_id":"@bob:test.example"})", alice_)
                .status,
            200);
  EXPECT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  ASSERT_EQ(Call("POST", Room(room, "/leave"), "{}", bob_).status, 200);
  EXPECT_EQ(SendText(room, bob_, "x", "c").Errcode(), "M_FORBIDDEN");
}

TEST_F(RoomsTest, BadRequestsGetMatrixErrors) {
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/createRoom"), R"({"room_version":"99"})", alice_)
                .Errcode(),
            "M_UNSUPPORTED_ROOM_VERSION");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/createRoom"), R"({"preset":"party"})", alice_)
                .Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/createRoom"), R"({"invite":["nobody"]})", alice_)
                .Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/createRoom"), "{}").Errcode(),
            "M_MISSING_TOKEN");
  EXPECT_EQ(SendText("!nowhere:test.example", alice_, "x", "z").Errcode(),
            "M_NOT_FOUND");
  std::string room = CreateRoom("{}");
  EXPECT_EQ(Call("GET", Room(room, "/event/$nope"), "", alice_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("POST", Room(room, "/invite"), R"({"user_id":42})", alice_).Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("POST", Room(room, "/kick"), "{}", alice_).Errcode(), "M_MISSING_PARAM");
}

TEST_F(RoomsTest, EveryRoomVersionWorks) {
  for (int version = 1; version <= 12; ++version) {
    SCOPED_TRACE(version);
    std::string room =
        CreateRoom(absl::StrCat(R"({"room_version":")", version, R"(","name":"v"})"));
    ASSERT_FALSE(room.empty());
    Reply create = Call("GET", Room(room, "/state/m.room.create/"), "", alice_);
    EXPECT_EQ(create.Str("room_version"), absl::StrCat(version));
    ASSERT_EQ(SendText(room, alice_, "hi", absl::StrCat("v", version)).status, 200);
  }
}

TEST_F(RoomsTest, RedactionIsAnEvent) {
  std::string room = CreateRoom("{}");
  std::string target = SendText(room, alice_, "oops", "r1").Str("event_id");
  Reply redaction = Call("PUT", Room(room, "/redact/" + target + "/r2"),
                         R"({"reason":"typo"})", alice_);
  ASSERT_EQ(redaction.status, 200);
  Reply event = Call("GET", Room(room, "/event/" + redaction.Str("event_id")), "", alice_);
  EXPECT_EQ(event.body["type"], "m.room.redaction");
  EXPECT_EQ(event.body["content"].at("reason"), "typo");
}

TEST_F(RoomsTest, TransactionIdsSurviveARestart) {
  std::string room = CreateRoom("{}");
  std::string first = SendText(room, alice_, "only once", "durable").Str("event_id");
  ASSERT_FALSE(first.empty());
  Restart();
  // The client retries after the restart: same event, no second message.
  EXPECT_EQ(SendText(room, alice_, "only once", "durable").Str("event_id"), first);
  Reply page = Call("GET", Room(room, "/messages?dir=b&limit=2"), "", alice_);
  EXPECT_NE(page.body["chunk"].as_array()[1].at("type").as_string(), "m.room.message");
}

TEST_F(RoomsTest, RoomsSurviveARestart) {
  std::string room = CreateRoom(R"({"name":"kept"})");
  ASSERT_EQ(SendText(room, alice_, "before", "k1").status, 200);
  Restart();
  ASSERT_EQ(SendText(room, alice_, "after", "k2").status, 200);
  Reply page = Call("GET", Room(room, "/messages?dir=b&limit=2"), "", alice_);
  ASSERT_EQ(page.status, 200);
  const auto& chunk = page.body["chunk"].as_array();
  ASSERT_EQ(chunk.size(), 2u);
  EXPECT_EQ(chunk[0].at("content").at("body"), "after");
  EXPECT_EQ(chunk[1].at("content").at("body"), "before");
}

TEST_F(RoomsTest, ProfileChangesReachMemberEvents) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  ASSERT_EQ(Call("PUT", absl::StrCat(kV3, "/profile/@bob:test.example/displayname"),
                 R"({"displayname":"Bobby"})", bob_).status,
            200);
  Reply member = Call("GET", Room(room, "/state/m.room.member/@bob:test.example"), "",
                      alice_);
  EXPECT_EQ(member.Str("membership"), "join");
  EXPECT_EQ(member.Str("displayname"), "Bobby");
  Reply joined = Call("GET", Room(room, "/joined_members"), "", alice_);
  EXPECT_EQ(joined.body["joined"].at("@bob:test.example").at("display_name"), "Bobby");
}

TEST_F(RoomsTest, DeactivatedUsersLeaveTheirRooms) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  ASSERT_EQ(Call("POST", Room(room, "/join"), "{}", bob_).status, 200);
  ASSERT_EQ(Call("POST", absl::StrCat(kV3, "/account/deactivate"),
                 R"({"auth":{"type":"m.login.password","user":"bob","password":"pw"}})",
                 bob_).status,
            200);
  Reply member = Call("GET", Room(room, "/state/m.room.member/@bob:test.example"), "",
                      alice_);
  EXPECT_EQ(member.Str("membership"), "leave");
}

TEST_F(RoomsTest, ContextAroundAnEvent) {
  std::string room = CreateRoom(R"({"preset":"public_chat"})");
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(SendText(room, alice_, absl::StrCat("m", i), absl::StrCat("c", i))
                      .Str("event_id"));
  }
  Reply context = Call("GET", Room(room, "/context/" + ids[5] + "?limit=4"), "", alice_);
  ASSERT_EQ(context.status, 200) << boost::json::serialize(context.body);
  auto body_of = [](const boost::json::value& e) {
    return std::string(e.at("content").at("body").as_string());
  };
  EXPECT_EQ(body_of(context.body["event"]), "m5");
  const auto& before = context.body["events_before"].as_array();
  const auto& after = context.body["events_after"].as_array();
  ASSERT_EQ(before.size(), 2u);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(body_of(before[0]), "m4");  // Newest first.
  EXPECT_EQ(body_of(before[1]), "m3");
  EXPECT_EQ(body_of(after[0]), "m6");
  EXPECT_EQ(body_of(after[1]), "m7");
  EXPECT_FALSE(context.body["state"].as_array().empty());
  // The tokens continue with /messages.
  Reply older = Call("GET", Room(room, "/messages?dir=b&limit=1&from=" +
                                           context.Str("start")),
                     "", alice_);
  EXPECT_EQ(body_of(older.body["chunk"].as_array()[0]), "m2");
  Reply newer = Call("GET", Room(room, "/messages?dir=f&limit=1&from=" +
                                           context.Str("end")),
                     "", alice_);
  EXPECT_EQ(body_of(newer.body["chunk"].as_array()[0]), "m8");
  EXPECT_EQ(Call("GET", Room(room, "/context/$missing"), "", alice_).Errcode(),
            "M_NOT_FOUND");
}

TEST_F(RoomsTest, UpgradeReplacesTheRoom) {
  std::string old_room = CreateRoom(
      R"({"preset":"public_chat","room_version":"10","name":"Old","topic":"t"})");
  ASSERT_EQ(Call("POST", Room(old_room, "/join"), "{}", bob_).status, 200);
  EXPECT_EQ(Call("POST", Room(old_room, "/upgrade"), R"({"new_version":"12"})", bob_)
                .Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("POST", Room(old_room, "/upgrade"), R"({"new_version":"77"})", alice_)
                .Errcode(),
            "M_UNSUPPORTED_ROOM_VERSION");
  Reply upgraded =
      Call("POST", Room(old_room, "/upgrade"), R"({"new_version":"12"})", alice_);
  ASSERT_EQ(upgraded.status, 200) << boost::json::serialize(upgraded.body);
  std::string new_room = upgraded.Str("replacement_room");
  ASSERT_NE(new_room, old_room);
  Reply create = Call("GET", Room(new_room, "/state/m.room.create/"), "", alice_);
  EXPECT_EQ(create.Str("room_version"), "12");
  EXPECT_EQ(create.body["predecessor"].at("room_id").as_string(), old_room);
  EXPECT_EQ(Call("GET", Room(new_room, "/state/m.room.name/"), "", alice_).Str("name"),
            "Old");
  EXPECT_EQ(Call("GET", Room(new_room, "/state/m.room.join_rules/"), "", alice_)
                .Str("join_rule"),
            "public");
  Reply tombstone = Call("GET", Room(old_room, "/state/m.room.tombstone/"), "", bob_);
  EXPECT_EQ(tombstone.Str("replacement_room"), new_room);
  // The old room no longer takes messages from ordinary members.
  EXPECT_EQ(SendText(old_room, bob_, "still here?", "u1").Errcode(), "M_FORBIDDEN");
  // Bob follows the tombstone.
  EXPECT_EQ(Call("POST", Room(new_room, "/join"), "{}", bob_).status, 200);
  EXPECT_EQ(SendText(new_room, bob_, "moved", "u2").status, 200);
}

TEST_F(RoomsTest, UpgradeFromV12ToAnOlderVersion) {
  // v12 power levels do not list the creator; the older room must.
  std::string old_room = CreateRoom(R"({"room_version":"12","name":"n"})");
  Reply upgraded =
      Call("POST", Room(old_room, "/upgrade"), R"({"new_version":"11"})", alice_);
  ASSERT_EQ(upgraded.status, 200) << boost::json::serialize(upgraded.body);
  std::string new_room = upgraded.Str("replacement_room");
  Reply levels = Call("GET", Room(new_room, "/state/m.room.power_levels/"), "", alice_);
  EXPECT_EQ(levels.body["users"].at("@alice:test.example").as_int64(), 100);
  EXPECT_EQ(Call("GET", Room(new_room, "/state/m.room.name/"), "", alice_).Str("name"), "n");
}

class RateLimitedRoomsTest : public RoomsTest {
 protected:
  void SetUp() override {
    Start("enable_registration: true\n"
          "rate_limiting:\n"
          "  registration: {per_second: 100, burst: 100}\n"
          "  message: {per_second: 0.01, burst: 3}\n");
    alice_ = Register("alice", "pw").Str("access_token");
  }
};

TEST_F(RateLimitedRoomsTest, SendsBeyondTheBurstAreRefused) {
  std::string room = CreateRoom("{}");  // One request of the burst.
  ASSERT_EQ(SendText(room, alice_, "1", "a").status, 200);
  ASSERT_EQ(SendText(room, alice_, "2", "b").status, 200);
  Reply limited = SendText(room, alice_, "3", "c");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Errcode(), "M_LIMIT_EXCEEDED");
  EXPECT_TRUE(limited.body.contains("retry_after_ms"));
}

}  // namespace
}  // namespace myelin::testing
