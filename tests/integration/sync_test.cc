// GET /sync against the real binary: rooms joined, left, invited to, knocked
// on, kicked and banned from, state changes, limited timelines and their
// prev_batch, full_state and use_state_after, the room summary, transaction
// ids and forgotten rooms. Filters, ephemeral events, account data,
// to-device messages and long-polling have their own files.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/sync_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

TEST_F(SyncTest, InitialSyncHasTheRoomStateAndTimeline) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat","name":"Lobby"})");
  Send(alice_, room, "first");
  Send(alice_, room, "second");
  Reply sync = Sync(alice_);
  const json::object& joined = Joined(sync, room);
  ASSERT_FALSE(joined.empty()) << json::serialize(sync.body);
  EXPECT_THAT(Bodies(Events(joined, "timeline")), ElementsAre("first", "second"));
  // The state (before the timeline) and the timeline together are the
  // room's whole state.
  json::array all = StateAndTimeline(joined);
  EXPECT_NE(FindEvent(all, "m.room.create", ""), nullptr);
  EXPECT_NE(FindEvent(all, "m.room.power_levels", ""), nullptr);
  EXPECT_NE(FindEvent(all, "m.room.join_rules", ""), nullptr);
  const json::value* name = FindEvent(all, "m.room.name", "");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(ContentField(*name, "name"), "Lobby");
  const json::value* me = FindEvent(all, "m.room.member", alice_.id.c_str());
  ASSERT_NE(me, nullptr);
  EXPECT_EQ(ContentField(*me, "membership"), "join");
  // Events are in client format with ids, senders and timestamps.
  const json::value& last = Events(joined, "timeline").back();
  EXPECT_EQ(Field(last, "sender"), alice_.id);
  EXPECT_EQ(Field(last, "event_id").substr(0, 1), "$");
  EXPECT_TRUE(last.at("origin_server_ts").is_number());
  // Bob is in no room.
  Reply bob = Sync(bob_);
  EXPECT_FALSE(InSection(bob, "join", room));
  EXPECT_FALSE(InSection(bob, "invite", room));
}

TEST_F(SyncTest, IncrementalSyncBringsOnlyNewEvents) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Send(alice_, room, "old");
  std::string since = Sync(alice_).Str("next_batch");
  Send(alice_, room, "new 1");
  Send(alice_, room, "new 2");
  Reply sync = SyncSince(alice_, since);
  const json::object& joined = Joined(sync, room);
  EXPECT_THAT(Bodies(Events(joined, "timeline")), ElementsAre("new 1", "new 2"));
  EXPECT_FALSE(Limited(joined));
  // Nothing new: the room has no timeline events.
  Reply quiet = SyncSince(alice_, sync.Str("next_batch"));
  EXPECT_THAT(Events(Joined(quiet, room), "timeline"), IsEmpty());
}

TEST_F(SyncTest, JoinAppearsForTheJoinerAndForTheRoom) {
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

TEST_F(SyncTest, JoiningABusyRoomGivesALimitedTimeline) {
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

TEST_F(SyncTest, RedactedEventsArriveRedacted) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  std::string oops = Send(alice_, room, "oops, a secret");
  Reply redaction = Call("PUT", RoomPath(room, "/redact/" + oops + "/r1"),
                         R"({"reason":"secret"})", alice_.token);
  ASSERT_EQ(redaction.status, 200) << json::serialize(redaction.body);
  for (const Reply& sync : {SyncSince(bob_, since), Sync(bob_)}) {
    const json::array& timeline = Events(Joined(sync, room), "timeline");
    const json::value* redacted = nullptr;
    for (const auto& event : timeline) {
      if (Field(event, "event_id") == oops) redacted = &event;
    }
    ASSERT_NE(redacted, nullptr) << json::serialize(sync.body);
    EXPECT_TRUE(At(redacted->as_object(), {"content"}).empty()) << json::serialize(*redacted);
    EXPECT_TRUE(At(redacted->as_object(), {"unsigned"}).contains("redacted_because"));
    EXPECT_NE(FindEvent(timeline, "m.room.redaction"), nullptr);
  }
}

TEST_F(SyncTest, LeavingMovesTheRoomToLeave) {
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

TEST_F(SyncTest, InvitesCarryStrippedState) {
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

TEST_F(SyncTest, RejectedInviteLeavesTheInviteSection) {
  std::string room = CreateRoom(alice_, R"({"preset":"private_chat"})");
  Moderate(alice_, room, "invite", bob_);
  std::string since = Sync(bob_).Str("next_batch");
  Leave(bob_, room);  // Rejecting is leaving.
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "invite", room)) << json::serialize(sync.body);
  EXPECT_FALSE(InSection(sync, "join", room));
  EXPECT_FALSE(InSection(Sync(bob_), "invite", room));
}

TEST_F(SyncTest, KnocksHaveTheirOwnSection) {
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

TEST_F(SyncTest, KickShowsInLeaveWithTheKicker) {
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

TEST_F(SyncTest, BanShowsInLeaveAndStopsTheTimeline) {
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

TEST_F(SyncTest, StateChangesAppearInTheTimeline) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  PutState(alice_, room, "m.room.topic", "", R"({"topic":"new topic"})");
  PutState(alice_, room, "org.example.state", "k", R"({"v":1})");
  Reply sync = SyncSince(bob_, since);
  const json::array& timeline = Events(Joined(sync, room), "timeline");
  const json::value* topic = FindEvent(timeline, "m.room.topic", "");
  ASSERT_NE(topic, nullptr) << json::serialize(sync.body);
  EXPECT_EQ(ContentField(*topic, "topic"), "new topic");
  EXPECT_EQ(Field(*topic, "sender"), alice_.id);
  const json::value* custom = FindEvent(timeline, "org.example.state", "k");
  ASSERT_NE(custom, nullptr);
  EXPECT_EQ(custom->at("content").at("v").as_int64(), 1);
}

TEST_F(SyncTest, DefaultTimelineLimitIsTen) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  for (int i = 0; i < 15; ++i) Send(alice_, room, absl::StrCat("m", i));
  Reply sync = Sync(alice_);
  const json::object& joined = Joined(sync, room);
  EXPECT_THAT(Bodies(Events(joined, "timeline")),
              ElementsAre("m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12", "m13",
                          "m14"));
  EXPECT_TRUE(Limited(joined));
  // The creation events did not fit: they are state.
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.create", ""), nullptr);
  // prev_batch of an initial sync pages back from the timeline's start.
  std::string prev = ToString(At(joined, {"timeline"}).at("prev_batch"));
  Reply older = Call("GET", RoomPath(room, "/messages?dir=b&limit=2&from=" +
                                               UrlEncode(prev)),
                     "", alice_.token);
  ASSERT_EQ(older.status, 200) << json::serialize(older.body);
  EXPECT_THAT(Bodies(older.body["chunk"].as_array()), ElementsAre("m4", "m3"));
}

TEST_F(SyncTest, FullStateResendsTheWholeState) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat","name":"Full"})");
  std::string since = Sync(alice_).Str("next_batch");
  Send(alice_, room, "news");
  Reply delta = SyncSince(alice_, since);
  json::array changes = StateAndTimeline(Joined(delta, room));
  EXPECT_EQ(FindEvent(changes, "m.room.create", ""), nullptr);
  Reply full = SyncSince(alice_, since, "&full_state=true");
  const json::object& joined = Joined(full, room);
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.create", ""), nullptr)
      << json::serialize(full.body);
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.name", ""), nullptr);
  // The timeline is still only what is new.
  EXPECT_THAT(Bodies(Events(joined, "timeline")), ElementsAre("news"));
}

TEST_F(SyncTest, LimitedTimelineHasAUsablePrevBatch) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string filter = FilterParam(R"({"room":{"timeline":{"limit":3}}})");
  std::string since = Sync(bob_, filter.substr(1)).Str("next_batch");
  for (int i = 0; i < 8; ++i) Send(alice_, room, absl::StrCat("m", i));
  Reply sync = SyncSince(bob_, since, filter);
  const json::object& joined = Joined(sync, room);
  EXPECT_THAT(Bodies(Events(joined, "timeline")), ElementsAre("m5", "m6", "m7"));
  EXPECT_TRUE(Limited(joined)) << json::serialize(joined);
  std::string prev = ToString(At(joined, {"timeline"}).at("prev_batch"));
  ASSERT_FALSE(prev.empty());
  // prev_batch pages back into the gap.
  Reply older = Call("GET", RoomPath(room, "/messages?dir=b&limit=3&from=" +
                                               UrlEncode(prev)),
                     "", bob_.token);
  ASSERT_EQ(older.status, 200) << json::serialize(older.body);
  EXPECT_THAT(Bodies(older.body["chunk"].as_array()), ElementsAre("m4", "m3", "m2"));

  // Fewer new events than the limit: not limited.
  Send(alice_, room, "one more");
  Reply small = SyncSince(bob_, sync.Str("next_batch"), filter);
  EXPECT_THAT(Bodies(Events(Joined(small, room), "timeline")), ElementsAre("one more"));
  EXPECT_FALSE(Limited(Joined(small, room)));
}

TEST_F(SyncTest, StateChangedInTheGapOfALimitedSyncIsInState) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string filter = FilterParam(R"({"room":{"timeline":{"limit":2}}})");
  std::string since = Sync(bob_, filter.substr(1)).Str("next_batch");
  PutState(alice_, room, "m.room.topic", "", R"({"topic":"changed in the gap"})");
  for (int i = 0; i < 5; ++i) Send(alice_, room, absl::StrCat("m", i));
  Reply sync = SyncSince(bob_, since, filter);
  const json::object& joined = Joined(sync, room);
  EXPECT_TRUE(Limited(joined));
  EXPECT_EQ(FindEvent(Events(joined, "timeline"), "m.room.topic", ""), nullptr);
  // Spec: `state` holds the changes between `since` and the timeline start.
  const json::value* topic = FindEvent(Events(joined, "state"), "m.room.topic", "");
  ASSERT_NE(topic, nullptr) << json::serialize(joined);
  EXPECT_EQ(ContentField(*topic, "topic"), "changed in the gap");
}

TEST_F(SyncTest, SummaryCountsMembersAndNamesHeroes) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");  // No name.
  Join(bob_, room);
  Reply sync = Sync(alice_);
  const json::object& summary = At(Joined(sync, room), {"summary"});
  ASSERT_TRUE(summary.contains("m.joined_member_count")) << json::serialize(sync.body);
  EXPECT_EQ(summary.at("m.joined_member_count").as_int64(), 2);
  ASSERT_TRUE(summary.contains("m.heroes"));
  std::vector<std::string> heroes;
  for (const auto& hero : summary.at("m.heroes").as_array()) heroes.push_back(ToString(hero));
  EXPECT_THAT(heroes, Contains(bob_.id));
  EXPECT_THAT(heroes, Not(Contains(alice_.id)));  // Never the syncing user.

  User carol = NewUser("carol");
  Moderate(alice_, room, "invite", carol);
  Reply later = SyncSince(alice_, sync.Str("next_batch"));
  const json::object& changed = At(Joined(later, room), {"summary"});
  ASSERT_TRUE(changed.contains("m.invited_member_count")) << json::serialize(later.body);
  EXPECT_EQ(changed.at("m.invited_member_count").as_int64(), 1);
  if (changed.contains("m.joined_member_count")) {
    EXPECT_EQ(changed.at("m.joined_member_count").as_int64(), 2);
  }
}

TEST_F(SyncTest, TransactionIdOnlyForTheSendingDevice) {
  User laptop = NewDevice(alice_, "alice");
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string phone_since = Sync(alice_).Str("next_batch");
  std::string laptop_since = Sync(laptop).Str("next_batch");
  std::string bob_since = Sync(bob_).Str("next_batch");
  Send(alice_, room, "from the phone", "phone-txn-1");

  auto unsigned_of = [&](const Reply& sync) {
    const json::array& timeline = Events(Joined(sync, room), "timeline");
    EXPECT_THAT(Bodies(timeline), ElementsAre("from the phone"));
    const json::value* event = FindEvent(timeline, "m.room.message");
    return event != nullptr ? At(event->as_object(), {"unsigned"}) : json::object();
  };
  json::object phone = unsigned_of(SyncSince(alice_, phone_since));
  ASSERT_TRUE(phone.contains("transaction_id")) << json::serialize(phone);
  EXPECT_EQ(ToString(phone.at("transaction_id")), "phone-txn-1");
  EXPECT_FALSE(unsigned_of(SyncSince(laptop, laptop_since)).contains("transaction_id"));
  EXPECT_FALSE(unsigned_of(SyncSince(bob_, bob_since)).contains("transaction_id"));
  // An initial sync of the sending device shows it too.
  EXPECT_EQ(ToString(unsigned_of(Sync(alice_)).at("transaction_id")), "phone-txn-1");
}

TEST_F(SyncTest, IncludeLeaveAndForgottenRooms) {
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

TEST_F(SyncTest, RoomsForgottenBeforeTheNextSyncAreNotInLeave) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  Leave(bob_, room);
  ASSERT_EQ(Call("POST", RoomPath(room, "/forget"), "{}", bob_.token).status, 200);
  Reply sync = SyncSince(bob_, since);
  EXPECT_FALSE(InSection(sync, "join", room));
  EXPECT_FALSE(InSection(sync, "leave", room)) << json::serialize(sync.body);
}

TEST_F(SyncTest, TokensSurviveARestart) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Send(alice_, room, "before");
  std::string since = Sync(alice_).Str("next_batch");
  Restart();
  Send(alice_, room, "after");
  Reply sync = SyncSince(alice_, since);
  EXPECT_THAT(Bodies(Events(Joined(sync, room), "timeline")), ElementsAre("after"));
}

TEST_F(SyncTest, UseStateAfterGivesTheStateAtTheTimelineEnd) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat","topic":"old"})");
  std::string since = Sync(alice_).Str("next_batch");
  PutState(alice_, room, "m.room.topic", "", R"({"topic":"new"})");
  Send(alice_, room, "after the topic");
  Reply sync = SyncSince(alice_, since, "&use_state_after=true");
  const json::object& joined = Joined(sync, room);
  // Spec v1.16: `state_after` replaces `state`, which MUST be omitted.
  EXPECT_FALSE(joined.contains("state")) << json::serialize(joined);
  ASSERT_TRUE(joined.contains("state_after")) << json::serialize(joined);
  const json::value* topic = FindEvent(Events(joined, "state_after"), "m.room.topic", "");
  ASSERT_NE(topic, nullptr) << json::serialize(joined);
  EXPECT_EQ(ContentField(*topic, "topic"), "new");
  EXPECT_NE(FindEvent(Events(joined, "timeline"), "m.room.topic", ""), nullptr);
  // Without it, the same change is only in the timeline.
  Reply plain = SyncSince(alice_, since);
  EXPECT_FALSE(Joined(plain, room).contains("state_after"));
  EXPECT_EQ(FindEvent(Events(Joined(plain, room), "state"), "m.room.topic", ""), nullptr);
  // An initial sync: the whole state at the end, the create event included.
  Reply initial = Sync(alice_, "use_state_after=true");
  const json::array& whole = Events(Joined(initial, room), "state_after");
  EXPECT_NE(FindEvent(whole, "m.room.create", ""), nullptr) << json::serialize(initial.body);
  topic = FindEvent(whole, "m.room.topic", "");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(ContentField(*topic, "topic"), "new");
}

TEST_F(SyncTest, EventFieldsProjectEvents) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  std::string since = Sync(alice_).Str("next_batch");
  Send(alice_, room, "projected");
  Reply sync = SyncSince(alice_, since,
                         FilterParam(R"({"event_fields":["type","content.body"]})"));
  const json::array& timeline = Events(Joined(sync, room), "timeline");
  ASSERT_EQ(timeline.size(), 1u) << json::serialize(sync.body);
  const json::object& event = timeline[0].as_object();
  EXPECT_EQ(Field(event, "type"), "m.room.message");
  EXPECT_EQ(ContentField(event, "body"), "projected");
  EXPECT_FALSE(event.contains("sender"));
  EXPECT_FALSE(event.contains("event_id"));
  EXPECT_FALSE(At(event, {"content"}).contains("msgtype"));
}

TEST_F(SyncTest, BadRequestsGetMatrixErrors) {
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/sync")).Errcode(), "M_MISSING_TOKEN");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/sync?filter=", UrlEncode("{nope")), "",
                 alice_.token).status,
            400);
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/sync?since=garbage"), "", alice_.token).status,
            400);
}

}  // namespace
}  // namespace myelin::testing
