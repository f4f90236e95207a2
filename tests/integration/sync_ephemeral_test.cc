// Ephemeral data through /sync: typing notifications (with their timeout),
// read receipts (private and threaded) and presence.
#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/sync_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

class SyncEphemeralTest : public SyncTest {
 protected:
  // Alice's public room with Bob in it.
  std::string SharedRoom() {
    std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
    Join(bob_, room);
    return room;
  }

  void Typing(const User& user, const std::string& room, bool typing,
              int timeout_ms = 0) {
    std::string body = typing ? absl::StrCat(R"({"typing":true,"timeout":)", timeout_ms, "}")
                              : R"({"typing":false})";
    Reply reply = Call("PUT", RoomPath(room, "/typing/" + user.id), body, user.token);
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }

  // The user ids of the last m.typing event of the room in `sync`, or
  // nullopt when the sync has none.
  static std::optional<std::vector<std::string>> TypingUsers(const Reply& sync,
                                                             const std::string& room) {
    const json::value* typing = FindEvent(Events(Joined(sync, room), "ephemeral"), "m.typing");
    if (typing == nullptr) return std::nullopt;
    std::vector<std::string> users;
    for (const auto& id : typing->at("content").at("user_ids").as_array()) {
      users.push_back(ToString(id));
    }
    return users;
  }

  void Receipt(const User& user, const std::string& room, const std::string& type,
               const std::string& event_id, const std::string& body = "{}") {
    Reply reply = Call("POST", RoomPath(room, "/receipt/" + type + "/" + event_id), body,
                       user.token);
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }

  // content[event_id][type][user] of any m.receipt of the room, or null.
  static const json::object* FindReceipt(const Reply& sync, const std::string& room,
                                         const std::string& event_id,
                                         const std::string& type, const std::string& user) {
    for (const auto& event : Events(Joined(sync, room), "ephemeral")) {
      if (Field(event, "type") != "m.receipt") continue;
      const json::object& receipt = At(event.as_object(), {"content", event_id, type, user});
      if (At(event.as_object(), {"content", event_id, type}).contains(user)) return &receipt;
    }
    return nullptr;
  }

  // Whether any m.receipt of any joined room mentions `type`.
  static bool AnyReceiptOfType(const Reply& sync, const std::string& type) {
    for (const auto& [room, joined] : At(sync.body, {"rooms", "join"})) {
      for (const auto& event : Events(joined.as_object(), "ephemeral")) {
        if (Field(event, "type") != "m.receipt") continue;
        for (const auto& [event_id, types] : At(event.as_object(), {"content"})) {
          if (types.is_object() && types.as_object().contains(type)) return true;
        }
      }
    }
    return false;
  }

  // The content of the last m.presence event from `sender`, or null.
  static const json::object* PresenceOf(const Reply& sync, const std::string& sender) {
    const json::object* found = nullptr;
    for (const auto& event : Events(sync.body, "presence")) {
      if (Field(event, "type") == "m.presence" && Field(event, "sender") == sender) {
        found = &At(event.as_object(), {"content"});
      }
    }
    return found;
  }

  void SetPresence(const User& user, const std::string& body) {
    Reply reply = Call("PUT", absl::StrCat(kV3, "/presence/", user.id, "/status"), body,
                       user.token);
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }
};

TEST_F(SyncEphemeralTest, TypingStartsStopsAndTimesOut) {
  std::string room = SharedRoom();
  std::string since = Sync(bob_).Str("next_batch");
  Typing(alice_, room, true, 30000);
  Reply typing = SyncSince(bob_, since);
  ASSERT_TRUE(TypingUsers(typing, room).has_value()) << json::serialize(typing.body);
  EXPECT_THAT(*TypingUsers(typing, room), ElementsAre(alice_.id));

  Typing(alice_, room, false);
  Reply stopped = SyncSince(bob_, typing.Str("next_batch"));
  ASSERT_TRUE(TypingUsers(stopped, room).has_value()) << json::serialize(stopped.body);
  EXPECT_THAT(*TypingUsers(stopped, room), Not(Contains(alice_.id)));

  // A short timeout: some later sync reports that she stopped, without her
  // saying so. Bounded polling, up to about 30 s.
  Typing(alice_, room, true, 1000);
  std::string token = stopped.Str("next_batch");
  bool expired = false;
  for (int i = 0; i < 30 && !expired; ++i) {
    Reply poll = SyncSince(bob_, token, "&timeout=1000");
    token = poll.Str("next_batch");
    auto users = TypingUsers(poll, room);
    expired = users.has_value() && !absl::c_linear_search(*users, alice_.id);
  }
  EXPECT_TRUE(expired) << "typing did not time out";
  // And a fresh sync does not show her typing.
  EXPECT_THAT(TypingUsers(Sync(bob_), room).value_or(std::vector<std::string>{}),
              Not(Contains(alice_.id)));
}

TEST_F(SyncEphemeralTest, TypingStaysInItsRoom) {
  std::string room = SharedRoom();
  std::string other = CreateRoom(alice_, R"({"preset":"public_chat"})");
  std::string since = Sync(bob_).Str("next_batch");
  Typing(alice_, other, true, 30000);
  Send(alice_, room, "hello");  // Something for Bob's sync to carry.
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "join", other));
  auto users = TypingUsers(sync, room);
  EXPECT_THAT(users.value_or(std::vector<std::string>{}), Not(Contains(alice_.id)));
}

TEST_F(SyncEphemeralTest, ReceiptsPublicPrivateAndThreaded) {
  std::string room = SharedRoom();
  std::string one = Send(alice_, room, "one");
  std::string two = Send(alice_, room, "two");
  std::string alice_since = Sync(alice_).Str("next_batch");
  std::string bob_since = Sync(bob_).Str("next_batch");
  Receipt(bob_, room, "m.read", one, R"({"thread_id":"main"})");
  Receipt(bob_, room, "m.read.private", two);

  Reply alice = SyncSince(alice_, alice_since);
  const json::object* threaded = FindReceipt(alice, room, one, "m.read", bob_.id);
  ASSERT_NE(threaded, nullptr) << json::serialize(alice.body);
  EXPECT_TRUE(threaded->at("ts").is_number());
  EXPECT_EQ(ToString(threaded->at("thread_id")), "main");
  // Spec: m.read.private reaches nobody but its sender.
  EXPECT_FALSE(AnyReceiptOfType(alice, "m.read.private")) << json::serialize(alice.body);
  EXPECT_FALSE(AnyReceiptOfType(Sync(alice_), "m.read.private"));

  Reply bob = SyncSince(bob_, bob_since);
  EXPECT_NE(FindReceipt(bob, room, two, "m.read.private", bob_.id), nullptr)
      << json::serialize(bob.body);
  EXPECT_NE(FindReceipt(bob, room, one, "m.read", bob_.id), nullptr);
  EXPECT_NE(FindReceipt(Sync(bob_), room, two, "m.read.private", bob_.id), nullptr);

  // An unthreaded receipt has no thread_id.
  Receipt(bob_, room, "m.read", two);
  Reply later = SyncSince(alice_, alice.Str("next_batch"));
  const json::object* plain = FindReceipt(later, room, two, "m.read", bob_.id);
  ASSERT_NE(plain, nullptr) << json::serialize(later.body);
  EXPECT_FALSE(plain->contains("thread_id"));
}

TEST_F(SyncEphemeralTest, ReadMarkersSendTheReceipt) {
  std::string room = SharedRoom();
  std::string event = Send(alice_, room, "read me");
  std::string since = Sync(alice_).Str("next_batch");
  std::string bob_since = Sync(bob_).Str("next_batch");
  ASSERT_EQ(Call("POST", RoomPath(room, "/read_markers"),
                 absl::StrCat(R"({"m.fully_read":")", event, R"(","m.read":")", event, R"("})"),
                 bob_.token).status,
            200);
  Reply alice = SyncSince(alice_, since);
  EXPECT_NE(FindReceipt(alice, room, event, "m.read", bob_.id), nullptr)
      << json::serialize(alice.body);
  // The fully-read marker is Bob's room account data, for him alone.
  Reply bob = SyncSince(bob_, bob_since);
  const json::value* marker =
      FindEvent(Events(Joined(bob, room), "account_data"), "m.fully_read");
  ASSERT_NE(marker, nullptr) << json::serialize(bob.body);
  EXPECT_EQ(ContentField(*marker, "event_id"), event);
  EXPECT_EQ(FindEvent(Events(Joined(alice, room), "account_data"), "m.fully_read"), nullptr);
}

TEST_F(SyncEphemeralTest, PresenceReachesRoommatesOnly) {
  std::string room = SharedRoom();
  User carol = NewUser("carol");  // Shares no room with Alice.
  std::string since = Sync(bob_).Str("next_batch");
  std::string carol_since = Sync(carol).Str("next_batch");
  // Alice does not sync here: a sync would mark her online.
  SetPresence(alice_, R"({"presence":"unavailable","status_msg":"lunch"})");
  Reply away = SyncSince(bob_, since);
  const json::object* presence = PresenceOf(away, alice_.id);
  ASSERT_NE(presence, nullptr) << json::serialize(away.body);
  EXPECT_EQ(ToString(presence->at("presence")), "unavailable");
  EXPECT_EQ(ToString(presence->at("status_msg")), "lunch");

  SetPresence(alice_, R"({"presence":"online"})");
  Reply back = SyncSince(bob_, away.Str("next_batch"));
  presence = PresenceOf(back, alice_.id);
  ASSERT_NE(presence, nullptr) << json::serialize(back.body);
  EXPECT_EQ(ToString(presence->at("presence")), "online");

  EXPECT_EQ(PresenceOf(SyncSince(carol, carol_since), alice_.id), nullptr);
  EXPECT_EQ(PresenceOf(Sync(carol), alice_.id), nullptr);
  // Once they share a room, Carol sees Alice's presence too.
  Join(carol, room);
  SetPresence(alice_, R"({"presence":"unavailable"})");
  Reply shared = Sync(carol);
  presence = PresenceOf(shared, alice_.id);
  ASSERT_NE(presence, nullptr) << json::serialize(shared.body);
  EXPECT_EQ(ToString(presence->at("presence")), "unavailable");
}

TEST_F(SyncEphemeralTest, SyncingMarksTheUserOnlineUnlessAskedNotTo) {
  SharedRoom();
  SetPresence(alice_, R"({"presence":"offline"})");  // Whatever requests did.
  std::string since = Sync(bob_).Str("next_batch");
  Sync(alice_, "set_presence=offline");
  Reply quiet = SyncSince(bob_, since);
  const json::object* presence = PresenceOf(quiet, alice_.id);
  if (presence != nullptr) {
    EXPECT_NE(ToString(presence->at("presence")), "online");
  }
  Sync(alice_);  // Default: set_presence=online.
  Reply online = SyncSince(bob_, quiet.Str("next_batch"));
  presence = PresenceOf(online, alice_.id);
  ASSERT_NE(presence, nullptr) << json::serialize(online.body);
  EXPECT_EQ(ToString(presence->at("presence")), "online");
}

class SyncPresenceDisabledTest : public SyncEphemeralTest {
 protected:
  void SetUp() override {
    Start("enable_registration: true\n"
          "rate_limiting: {enabled: false}\n"
          "presence_enabled: false\n");
    alice_ = NewUser("alice");
    bob_ = NewUser("bob");
  }
};

TEST_F(SyncPresenceDisabledTest, NoPresenceEvents) {
  std::string room = SharedRoom();
  std::string since = Sync(bob_).Str("next_batch");
  SetPresence(alice_, R"({"presence":"online","status_msg":"hi"})");
  Send(alice_, room, "hello");
  Reply sync = SyncSince(bob_, since);
  EXPECT_THAT(Bodies(Events(Joined(sync, room), "timeline")), ElementsAre("hello"));
  EXPECT_EQ(PresenceOf(sync, alice_.id), nullptr) << json::serialize(sync.body);
}

}  // namespace
}  // namespace myelin::testing
