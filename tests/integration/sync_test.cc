// GET /sync against the real binary: initial and incremental syncs, state
// changes, limited timelines and their prev_batch, full_state and
// use_state_after, event_fields, redactions, the room summary, transaction
// ids and tokens across a restart. Membership sections, filters, ephemeral
// events, account data, to-device messages and long-polling have their own
// files.
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
