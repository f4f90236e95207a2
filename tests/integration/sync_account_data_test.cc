// Per-user data through /sync: global and room account data, tags, ignored
// users, and to-device messages (delivered exactly once, across restarts).
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/sync_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

class SyncAccountDataTest : public SyncTest {
 protected:
  void PutAccountData(const User& user, const std::string& rest, const std::string& body) {
    Reply reply = Call("PUT", UserPath(user, rest), body, user.token);
    ASSERT_EQ(reply.status, 200) << rest << ": " << json::serialize(reply.body);
  }

  void SendToDevice(const User& from, const std::string& type, const std::string& txn,
                    const User& to, const std::string& device, const std::string& content) {
    std::string body = absl::StrCat(R"({"messages":{")", to.id, R"(":{")", device,
                                    R"(":)", content, "}}}");
    Reply reply = Call("PUT", absl::StrCat(kV3, "/sendToDevice/", type, "/", txn), body,
                       from.token);
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }

  // The `n` of each to-device event of `type`, in order.
  static std::vector<int64_t> ToDevice(const Reply& sync, const std::string& type,
                                       const std::string& sender) {
    std::vector<int64_t> numbers;
    for (const auto& event : Events(sync.body, "to_device")) {
      if (Field(event, "type") != type) continue;
      EXPECT_EQ(Field(event, "sender"), sender);
      numbers.push_back(event.at("content").at("n").as_int64());
    }
    return numbers;
  }
};

TEST_F(SyncAccountDataTest, GlobalAndRoomAccountData) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(alice_).Str("next_batch");
  std::string bob_since = Sync(bob_).Str("next_batch");
  PutAccountData(alice_, "/account_data/org.example.settings", R"({"theme":"dark"})");
  PutAccountData(alice_, "/rooms/" + room + "/account_data/org.example.room",
                 R"({"pinned":true})");

  for (const Reply& sync : {SyncSince(alice_, since), Sync(alice_)}) {
    const json::value* global = FindEvent(Events(sync.body, "account_data"),
                                          "org.example.settings");
    ASSERT_NE(global, nullptr) << json::serialize(sync.body);
    EXPECT_EQ(ContentField(*global, "theme"), "dark");
    const json::value* per_room =
        FindEvent(Events(Joined(sync, room), "account_data"), "org.example.room");
    ASSERT_NE(per_room, nullptr) << json::serialize(sync.body);
    EXPECT_TRUE(per_room->at("content").at("pinned").as_bool());
    // Room data stays in its room; global data stays global.
    EXPECT_EQ(FindEvent(Events(sync.body, "account_data"), "org.example.room"), nullptr);
  }
  // Bob sees none of it.
  Reply bob = SyncSince(bob_, bob_since);
  EXPECT_EQ(FindEvent(Events(bob.body, "account_data"), "org.example.settings"), nullptr);
  EXPECT_EQ(FindEvent(Events(Joined(bob, room), "account_data"), "org.example.room"),
            nullptr);

  // A change is sent again, with the new content; an unchanged type is not.
  Reply before = Sync(alice_);
  PutAccountData(alice_, "/account_data/org.example.settings", R"({"theme":"light"})");
  Reply changed = SyncSince(alice_, before.Str("next_batch"));
  const json::value* global =
      FindEvent(Events(changed.body, "account_data"), "org.example.settings");
  ASSERT_NE(global, nullptr);
  EXPECT_EQ(ContentField(*global, "theme"), "light");
  EXPECT_EQ(FindEvent(Events(Joined(changed, room), "account_data"), "org.example.room"),
            nullptr);
}

TEST_F(SyncAccountDataTest, TagsAreRoomAccountData) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  std::string since = Sync(alice_).Str("next_batch");
  std::string tags = "/rooms/" + room + "/tags";
  PutAccountData(alice_, tags + "/u.work", R"({"order":0.5})");
  PutAccountData(alice_, tags + "/m.favourite", "{}");
  Reply tagged = SyncSince(alice_, since);
  const json::value* tag = FindEvent(Events(Joined(tagged, room), "account_data"), "m.tag");
  ASSERT_NE(tag, nullptr) << json::serialize(tagged.body);
  const json::object& all = At(tag->as_object(), {"content", "tags"});
  EXPECT_EQ(all.at("u.work").at("order").as_double(), 0.5);
  EXPECT_TRUE(all.contains("m.favourite"));

  ASSERT_EQ(Call("DELETE", UserPath(alice_, tags + "/u.work"), "", alice_.token).status, 200);
  Reply untagged = SyncSince(alice_, tagged.Str("next_batch"));
  tag = FindEvent(Events(Joined(untagged, room), "account_data"), "m.tag");
  ASSERT_NE(tag, nullptr) << json::serialize(untagged.body);
  EXPECT_FALSE(At(tag->as_object(), {"content", "tags"}).contains("u.work"));
  EXPECT_TRUE(At(tag->as_object(), {"content", "tags"}).contains("m.favourite"));
}

TEST_F(SyncAccountDataTest, IgnoredUsersAreHidden) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  PutAccountData(bob_, "/account_data/m.ignored_user_list",
                 absl::StrCat(R"({"ignored_users":{")", alice_.id, R"(":{}}})"));
  Reply ignoring = SyncSince(bob_, since);
  EXPECT_NE(FindEvent(Events(ignoring.body, "account_data"), "m.ignored_user_list"),
            nullptr)
      << json::serialize(ignoring.body);

  Send(alice_, room, "you cannot hear me");
  PutState(alice_, room, "m.room.topic", "", R"({"topic":"state still counts"})");
  Send(bob_, room, "talking to myself");
  Reply hidden = SyncSince(bob_, ignoring.Str("next_batch"));
  const json::array& timeline = Events(Joined(hidden, room), "timeline");
  EXPECT_THAT(Bodies(timeline), ElementsAre("talking to myself"));
  // Spec: state events from ignored users are still sent.
  json::array events = StateAndTimeline(Joined(hidden, room));
  const json::value* topic = FindEvent(events, "m.room.topic", "");
  ASSERT_NE(topic, nullptr) << json::serialize(hidden.body);
  EXPECT_EQ(ContentField(*topic, "topic"), "state still counts");
  // A fresh sync hides the message too.
  EXPECT_THAT(Bodies(Events(Joined(Sync(bob_), room), "timeline")),
              Not(Contains("you cannot hear me")));

  // Invites from an ignored user never reach the client.
  std::string invite_room = CreateRoom(alice_, R"({"preset":"private_chat"})");
  Moderate(alice_, invite_room, "invite", bob_);
  Reply no_invite = SyncSince(bob_, hidden.Str("next_batch"));
  EXPECT_FALSE(InSection(no_invite, "invite", invite_room)) << json::serialize(no_invite.body);
  EXPECT_FALSE(InSection(Sync(bob_), "invite", invite_room));

  // Un-ignored: her new messages arrive again.
  PutAccountData(bob_, "/account_data/m.ignored_user_list", R"({"ignored_users":{}})");
  std::string after = SyncSince(bob_, no_invite.Str("next_batch")).Str("next_batch");
  Send(alice_, room, "can you hear me now");
  Reply heard = SyncSince(bob_, after);
  EXPECT_THAT(Bodies(Events(Joined(heard, room), "timeline")),
              ElementsAre("can you hear me now"));
}

TEST_F(SyncAccountDataTest, ToDeviceIsDeliveredExactlyOnceAcrossRestarts) {
  std::string first = Sync(bob_).Str("next_batch");
  EXPECT_THAT(ToDevice(Sync(bob_), "org.example.ping", alice_.id), IsEmpty());
  SendToDevice(alice_, "org.example.ping", "txn1", bob_, bob_.device, R"({"n":1})");

  Reply delivered = SyncSince(bob_, first);
  EXPECT_THAT(ToDevice(delivered, "org.example.ping", alice_.id), ElementsAre(1))
      << json::serialize(delivered.body);
  // Its next_batch was never used: the retry with the old token gets the
  // message again.
  Reply retried = SyncSince(bob_, first);
  EXPECT_THAT(ToDevice(retried, "org.example.ping", alice_.id), ElementsAre(1));

  Restart();
  Reply acknowledged = SyncSince(bob_, retried.Str("next_batch"));
  EXPECT_THAT(ToDevice(acknowledged, "org.example.ping", alice_.id), IsEmpty())
      << json::serialize(acknowledged.body);

  // Sent before a restart, delivered after it, then never again.
  SendToDevice(alice_, "org.example.ping", "txn2", bob_, bob_.device, R"({"n":2})");
  Restart();
  Reply second = SyncSince(bob_, acknowledged.Str("next_batch"));
  EXPECT_THAT(ToDevice(second, "org.example.ping", alice_.id), ElementsAre(2))
      << json::serialize(second.body);
  Reply done = SyncSince(bob_, second.Str("next_batch"));
  EXPECT_THAT(ToDevice(done, "org.example.ping", alice_.id), IsEmpty());
  Restart();
  EXPECT_THAT(ToDevice(SyncSince(bob_, done.Str("next_batch")), "org.example.ping",
                       alice_.id),
              IsEmpty());
  EXPECT_THAT(ToDevice(Sync(bob_), "org.example.ping", alice_.id), IsEmpty());
}

TEST_F(SyncAccountDataTest, ManyToDeviceMessagesArriveOverSeveralSyncsInOrder) {
  constexpr int kMessages = 250;  // More than a server sends in one sync.
  std::string since = Sync(bob_).Str("next_batch");
  for (int i = 0; i < kMessages; ++i) {
    SendToDevice(alice_, "org.example.ping", absl::StrCat("m", i), bob_, bob_.device,
                 absl::StrCat(R"({"n":)", i, "}"));
  }
  std::vector<int64_t> received;
  for (int syncs = 0; syncs < 50; ++syncs) {
    Reply sync = SyncSince(bob_, since);
    std::vector<int64_t> batch = ToDevice(sync, "org.example.ping", alice_.id);
    since = sync.Str("next_batch");
    if (batch.empty()) break;
    received.insert(received.end(), batch.begin(), batch.end());
  }
  std::vector<int64_t> expected(kMessages);
  for (int i = 0; i < kMessages; ++i) expected[i] = i;
  EXPECT_EQ(received, expected);
}

TEST_F(SyncAccountDataTest, ToDeviceReachesOnlyTheAddressedDevices) {
  User tablet = NewDevice(bob_, "bob");
  std::string phone_since = Sync(bob_).Str("next_batch");
  std::string tablet_since = Sync(tablet).Str("next_batch");
  SendToDevice(alice_, "org.example.ping", "one", bob_, bob_.device, R"({"n":1})");
  SendToDevice(alice_, "org.example.ping", "all", bob_, "*", R"({"n":2})");
  Reply phone = SyncSince(bob_, phone_since);
  EXPECT_THAT(ToDevice(phone, "org.example.ping", alice_.id), ElementsAre(1, 2))
      << json::serialize(phone.body);
  Reply on_tablet = SyncSince(tablet, tablet_since);
  EXPECT_THAT(ToDevice(on_tablet, "org.example.ping", alice_.id), ElementsAre(2))
      << json::serialize(on_tablet.body);
  // A retried send (same transaction id) is not a second message.
  SendToDevice(alice_, "org.example.ping", "all", bob_, "*", R"({"n":2})");
  EXPECT_THAT(ToDevice(SyncSince(tablet, on_tablet.Str("next_batch")), "org.example.ping",
                       alice_.id),
              IsEmpty());
}

}  // namespace
}  // namespace myelin::testing
