// /sync by membership: rooms joined (also busy ones), left, invited to (with
// stripped state), knocked on, kicked and banned from, include_leave and
// forgotten rooms.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/sync_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

class SyncMembershipTest : public SyncTest {};

TEST_F(SyncMembershipTest, JoinAppearsForTheJoinerAndForTheRoom) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat","topic":"t"})");
  Send(alice_, room, "before bob");
  std::string alice_since = Sync(alice_).Str("next_batch");
  std::string bob_since = Sync(bob_).Str("next_batch");
  Join(bob_, room);

  Reply bob = SyncSince(bob_, bob_since);
  const json::object& joined = Joined(bob, room);
  ASSERT_FALSE(joined.empty()) << json::serialize(bob.body);
  // A newly joined room comes with its full state, his own join included.
  json::array all = StateAndTimeline(joined);
  const json::value* me = FindEvent(all, "m.room.member", bob_.id.c_str());
  ASSERT_NE(me, nullptr) << json::serialize(bob.body);
  EXPECT_EQ(ContentField(*me, "membership"), "join");
  EXPECT_NE(FindEvent(all, "m.room.create", ""), nullptr);
  const json::value* topic = FindEvent(all, "m.room.topic", "");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(ContentField(*topic, "topic"), "t");
  EXPECT_NE(FindEvent(all, "m.room.member", alice_.id.c_str()), nullptr);

  Reply alice = SyncSince(alice_, alice_since);
  const json::value* join =
      FindEvent(Events(Joined(alice, room), "timeline"), "m.room.member", bob_.id.c_str());
  ASSERT_NE(join, nullptr) << json::serialize(alice.body);
  EXPECT_EQ(ContentField(*join, "membership"), "join");
  EXPECT_EQ(Field(*join, "sender"), bob_.id);
}

TEST_F(SyncMembershipTest, JoiningABusyRoomGivesALimitedTimeline) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat","topic":"busy"})");
  for (int i = 0; i < 15; ++i) Send(alice_, room, absl::StrCat("m", i));
  std::string since = Sync(bob_).Str("next_batch");
  Join(bob_, room);
  Reply sync = SyncSince(bob_, since);
  const json::object& joined = Joined(sync, room);
  const json::array& timeline = Events(joined, "timeline");
  ASSERT_EQ(timeline.size(), 10u) << json::serialize(joined);
  EXPECT_TRUE(Limited(joined));
  const json::value* me = FindEvent(timeline, "m.room.member", bob_.id.c_str());
  ASSERT_NE(me, nullptr) << "his join is the newest event";
  EXPECT_EQ(&timeline.back(), me);
  EXPECT_THAT(Bodies(timeline), ElementsAre("m6", "m7", "m8", "m9", "m10", "m11", "m12",
                                            "m13", "m14"));
  // What did not fit is state.
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.create", ""), nullptr);
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.topic", ""), nullptr);
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.member", alice_.id.c_str()),
            nullptr);
  // Public history: prev_batch pages back to earlier messages.
  std::string prev = ToString(At(joined, {"timeline"}).at("prev_batch"));
  Reply older = Call("GET", RoomPath(room, "/messages?dir=b&limit=2&from=" +
                                               UrlEncode(prev)),
                     "", bob_.token);
  ASSERT_EQ(older.status, 200) << json::serialize(older.body);
  EXPECT_THAT(Bodies(older.body["chunk"].as_array()), ElementsAre("m5", "m4"));
}

TEST_F(SyncMembershipTest, LeavingMovesTheRoomToLeave) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  std::string alice_since = Sync(alice_).Str("next_batch");
  Leave(bob_, room);
  Send(alice_, room, "after bob left");

  Reply bob = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(bob, "join", room));
  ASSERT_TRUE(InSection(bob, "leave", room)) << json::serialize(bob.body);
  json::array left = StateAndTimeline(Left(bob, room));
  const json::value* leave = FindEvent(left, "m.room.member", bob_.id.c_str());
  ASSERT_NE(leave, nullptr);
  EXPECT_EQ(ContentField(*leave, "membership"), "leave");
  // Nothing after his leave reaches him.
  EXPECT_THAT(Bodies(Events(Left(bob, room), "timeline")), IsEmpty());
  Reply later = SyncSince(bob_, bob.Str("next_batch"));
  EXPECT_FALSE(InSection(later, "join", room));
  EXPECT_THAT(Bodies(Events(Left(later, room), "timeline")), IsEmpty());

  Reply alice = SyncSince(alice_, alice_since);
  const json::value* seen =
      FindEvent(Events(Joined(alice, room), "timeline"), "m.room.member", bob_.id.c_str());
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(ContentField(*seen, "membership"), "leave");
}

TEST_F(SyncMembershipTest, InvitesCarryStrippedState) {
  std::string bob_since = Sync(bob_).Str("next_batch");
  std::string room = CreateRoom(alice_, R"({"preset":"private_chat","name":"Secret"})");
  Send(alice_, room, "not for invitees");
  Moderate(alice_, room, "invite", bob_);

  for (const Reply& sync : {SyncSince(bob_, bob_since), Sync(bob_)}) {
    const json::object& invited = Invited(sync, room);
    ASSERT_FALSE(invited.empty()) << json::serialize(sync.body);
    EXPECT_FALSE(InSection(sync, "join", room));
    const json::array& state = Events(invited, "invite_state");
    const json::value* member = FindEvent(state, "m.room.member", bob_.id.c_str());
    ASSERT_NE(member, nullptr) << json::serialize(invited);
    EXPECT_EQ(ContentField(*member, "membership"), "invite");
    EXPECT_EQ(Field(*member, "sender"), alice_.id);
    // Spec v1.16: m.room.create is required in invite_state.
    EXPECT_NE(FindEvent(state, "m.room.create", ""), nullptr);
    const json::value* name = FindEvent(state, "m.room.name", "");
    ASSERT_NE(name, nullptr);
    EXPECT_EQ(ContentField(*name, "name"), "Secret");
    // Stripped state never shows the room's messages.
    EXPECT_THAT(Bodies(state), IsEmpty());
  }

  std::string since = Sync(bob_).Str("next_batch");
  Join(bob_, room);
  Reply joined = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(joined, "invite", room)) << json::serialize(joined.body);
  EXPECT_TRUE(InSection(joined, "join", room));
}

TEST_F(SyncMembershipTest, RejectedInviteLeavesTheInviteSection) {
  std::string room = CreateRoom(alice_, R"({"preset":"private_chat"})");
  Moderate(alice_, room, "invite", bob_);
  std::string since = Sync(bob_).Str("next_batch");
  Leave(bob_, room);  // Rejecting is leaving.
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "invite", room)) << json::serialize(sync.body);
  EXPECT_FALSE(InSection(sync, "join", room));
  EXPECT_FALSE(InSection(Sync(bob_), "invite", room));
}

TEST_F(SyncMembershipTest, KnocksHaveTheirOwnSection) {
  std::string room = CreateRoom(
      alice_, R"({"room_version":"10","name":"Door","initial_state":[
          {"type":"m.room.join_rules","content":{"join_rule":"knock"}}]})");
  std::string since = Sync(bob_).Str("next_batch");
  ASSERT_EQ(Call("POST", absl::StrCat(kV3, "/knock/", room), R"({"reason":"hi"})",
                 bob_.token).status,
            200);
  Reply sync = SyncSince(bob_, since);
  const json::object& knocked = Knocked(sync, room);
  ASSERT_FALSE(knocked.empty()) << json::serialize(sync.body);
  const json::array& state = Events(knocked, "knock_state");
  const json::value* member = FindEvent(state, "m.room.member", bob_.id.c_str());
  ASSERT_NE(member, nullptr) << json::serialize(knocked);
  EXPECT_EQ(ContentField(*member, "membership"), "knock");
  EXPECT_NE(FindEvent(state, "m.room.create", ""), nullptr);
  EXPECT_FALSE(InSection(sync, "join", room));
  EXPECT_FALSE(InSection(sync, "invite", room));
}

TEST_F(SyncMembershipTest, KickShowsInLeaveWithTheKicker) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  Moderate(alice_, room, "kick", bob_, "too loud");
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "join", room));
  ASSERT_TRUE(InSection(sync, "leave", room)) << json::serialize(sync.body);
  json::array left = StateAndTimeline(Left(sync, room));
  const json::value* kick = FindEvent(left, "m.room.member", bob_.id.c_str());
  ASSERT_NE(kick, nullptr);
  EXPECT_EQ(ContentField(*kick, "membership"), "leave");
  EXPECT_EQ(Field(*kick, "sender"), alice_.id);
  EXPECT_EQ(ContentField(*kick, "reason"), "too loud");
}

TEST_F(SyncMembershipTest, BanShowsInLeaveAndStopsTheTimeline) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  Send(alice_, room, "last words bob hears");
  Moderate(alice_, room, "ban", bob_, "spam");
  Send(alice_, room, "bob is gone");
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "join", room));
  const json::object& left = Left(sync, room);
  ASSERT_FALSE(left.empty()) << json::serialize(sync.body);
  json::array events = StateAndTimeline(left);
  const json::value* ban = FindEvent(events, "m.room.member", bob_.id.c_str());
  ASSERT_NE(ban, nullptr);
  EXPECT_EQ(ContentField(*ban, "membership"), "ban");
  EXPECT_EQ(Field(*ban, "sender"), alice_.id);
  EXPECT_THAT(Bodies(Events(left, "timeline")), ElementsAre("last words bob hears"));
  // Still banned, still nothing new.
  Send(alice_, room, "more");
  Reply later = SyncSince(bob_, sync.Str("next_batch"));
  EXPECT_FALSE(InSection(later, "join", room));
  EXPECT_THAT(Bodies(Events(Left(later, room), "timeline")), IsEmpty());
}

TEST_F(SyncMembershipTest, LeaveAndRejoinBetweenSyncsEndsJoined) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  Leave(bob_, room);
  Join(bob_, room);
  Send(alice_, room, "welcome back");
  Reply sync = SyncSince(bob_, since);
  ASSERT_TRUE(InSection(sync, "join", room)) << json::serialize(sync.body);
  const json::array& timeline = Events(Joined(sync, room), "timeline");
  const json::value* last = FindEvent(timeline, "m.room.member", bob_.id.c_str());
  ASSERT_NE(last, nullptr) << json::serialize(sync.body);
  EXPECT_EQ(ContentField(*last, "membership"), "join");
  EXPECT_THAT(Bodies(timeline), ElementsAre("welcome back"));
}

TEST_F(SyncMembershipTest, KickedThenReinvitedEndsInvited) {
  std::string room = CreateRoom(alice_, R"({"preset":"private_chat"})");
  Moderate(alice_, room, "invite", bob_);
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  Moderate(alice_, room, "kick", bob_);
  Moderate(alice_, room, "invite", bob_);
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "join", room));
  const json::array& state = Events(Invited(sync, room), "invite_state");
  const json::value* member = FindEvent(state, "m.room.member", bob_.id.c_str());
  ASSERT_NE(member, nullptr) << json::serialize(sync.body);
  EXPECT_EQ(ContentField(*member, "membership"), "invite");
  // An initial sync agrees.
  Reply initial = Sync(bob_);
  EXPECT_TRUE(InSection(initial, "invite", room)) << json::serialize(initial.body);
  EXPECT_FALSE(InSection(initial, "join", room));
}

TEST_F(SyncMembershipTest, IncludeLeaveAndForgottenRooms) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  Send(bob_, room, "bye");
  Leave(bob_, room);
  std::string include_leave = FilterParam(R"({"room":{"include_leave":true}})").substr(1);
  // Left rooms are in an initial sync only when asked for.
  EXPECT_FALSE(InSection(Sync(bob_), "leave", room));
  Reply with_leave = Sync(bob_, include_leave);
  ASSERT_TRUE(InSection(with_leave, "leave", room)) << json::serialize(with_leave.body);
  EXPECT_THAT(Bodies(Events(Left(with_leave, room), "timeline")), Contains("bye"));
  // Forgotten rooms are gone for good.
  ASSERT_EQ(Call("POST", RoomPath(room, "/forget"), "{}", bob_.token).status, 200);
  Reply forgotten = Sync(bob_, include_leave);
  EXPECT_FALSE(InSection(forgotten, "leave", room)) << json::serialize(forgotten.body);
  EXPECT_FALSE(InSection(forgotten, "join", room));
  Restart();
  EXPECT_FALSE(InSection(Sync(bob_, include_leave), "leave", room));
}

TEST_F(SyncMembershipTest, RoomsForgottenBeforeTheNextSyncAreNotInLeave) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  Leave(bob_, room);
  ASSERT_EQ(Call("POST", RoomPath(room, "/forget"), "{}", bob_.token).status, 200);
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "join", room));
  EXPECT_FALSE(InSection(sync, "leave", room)) << json::serialize(sync.body);
}

}  // namespace
}  // namespace myelin::testing
