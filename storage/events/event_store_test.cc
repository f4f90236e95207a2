#include "storage/events/event_store.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dag/base/status_macros.h"
#include "gtest/gtest.h"
#include "storage/events/test_room.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using testing::TestRoom;

#define ASSERT_OK_AND_ASSIGN(lhs, expr)                      \
  auto MYELIN_CONCAT_(result_, __LINE__) = (expr);           \
  ASSERT_TRUE(MYELIN_CONCAT_(result_, __LINE__).ok())        \
      << MYELIN_CONCAT_(result_, __LINE__).status();         \
  lhs = *std::move(MYELIN_CONCAT_(result_, __LINE__))

constexpr char kAlice[] = "@alice:example.org";
constexpr char kBob[] = "@bob:example.org";
constexpr char kCarol[] = "@carol:example.org";

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempPath("event_store");
    Open();
  }
  void TearDown() override {
    store_.reset();
    engine_.reset();
  }
  void Open(EventStoreOptions options = {}) {
    auto engine = Engine::Open(testing::TestOptions(path_));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    auto store = EventStore::Open(*engine_, options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void Reopen() {
    store_.reset();
    engine_.reset();
    Open();
  }

  // "type|state_key=event_id" lines, sorted: states compare as strings.
  std::string Render(const StateMap& state) {
    auto entries = store_->ToEntries(state);
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::string out;
    for (const auto& e : *entries) {
      out += e.type + "|" + e.state_key + "=" + e.event_id + "\n";
    }
    return out;
  }
  std::string RenderCurrent(RoomNid room) {
    auto state = store_->CurrentState(room);
    EXPECT_TRUE(state.ok()) << state.status();
    return Render(**state);
  }
  std::vector<std::string> Ids(const std::vector<EventNid>& nids) {
    std::vector<std::string> out;
    for (EventNid nid : nids) out.push_back(*store_->EventId(nid));
    return out;
  }
  std::vector<std::string> Ids(const TimelinePage& page) {
    std::vector<EventNid> nids;
    for (const auto& e : page.entries) nids.push_back(e.event_nid);
    return Ids(nids);
  }

  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreTest, PersistRoundTripsJsonMetaAndIds) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  auto msg = room.Next("m.room.message", kAlice, std::nullopt,
                       R"({"body":"hello"})");
  ASSERT_OK_AND_ASSIGN(PersistedEvent sent, room.Persist(msg));

  EXPECT_EQ(*store_->EventJson(sent.event_nid), msg.json);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> jsons,
                       store_->EventJsons({sent.event_nid, create.event_nid,
                                           sent.event_nid}));
  EXPECT_EQ(jsons, (std::vector<std::string>{
                       msg.json, *store_->EventJson(create.event_nid),
                       msg.json}));
  EXPECT_TRUE(absl::IsNotFound(
      store_->EventJsons({sent.event_nid, 999}).status()));
  EXPECT_TRUE(store_->EventJsons({})->empty());
  EXPECT_EQ(*store_->LookupEvent(msg.event_id), sent.event_nid);
  EXPECT_EQ(*store_->EventId(sent.event_nid), msg.event_id);
  ASSERT_OK_AND_ASSIGN(EventMeta meta, store_->Meta(sent.event_nid));
  EXPECT_EQ(meta.room_nid, create.room_nid);
  EXPECT_EQ(meta.type, "m.room.message");
  EXPECT_EQ(meta.depth, 2);
  EXPECT_EQ(meta.stream, sent.stream);
  EXPECT_GT(sent.stream, create.stream);
  EXPECT_EQ(meta.prev_events, msg.pdu.prev_events());
  EXPECT_EQ(meta.state_key_nid, 0u);
  EXPECT_FALSE(meta.state_key.has_value());
  EXPECT_EQ(*store_->UserId(meta.sender_nid), kAlice);
  EXPECT_EQ(*store_->LookupUser(kAlice), meta.sender_nid);
  EXPECT_EQ(meta.state_before, meta.state_after);

  ASSERT_OK_AND_ASSIGN(RoomInfo info, store_->LookupRoom("!r:example.org"));
  EXPECT_EQ(info.room_nid, create.room_nid);
  EXPECT_EQ(info.room_version, "10");
  EXPECT_EQ((*store_->RoomVersion(create.room_nid))->id, "10");
  EXPECT_EQ(store_->GetRoom(create.room_nid)->room_id, "!r:example.org");
  EXPECT_TRUE(absl::IsNotFound(store_->LookupRoom("!nope:x").status()));
  EXPECT_TRUE(absl::IsNotFound(store_->LookupEvent("$nope").status()));
  EXPECT_TRUE(absl::IsNotFound(store_->EventJson(9999).status()));
}

TEST_F(EventStoreTest, BadOptionsAreRefused) {
  EventStoreOptions options;
  options.max_delta_fraction = -1;
  EXPECT_TRUE(absl::IsInvalidArgument(
      EventStore::Open(*engine_, options).status()));
}

TEST_F(EventStoreTest, ChainZeroWritesFullSnapshots) {
  store_.reset();
  EventStoreOptions options;
  options.max_snapshot_chain = 0;
  store_ = *EventStore::Open(*engine_, options);
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  ASSERT_OK_AND_ASSIGN(PersistedEvent join, room.Member(kAlice, "join"));
  EXPECT_EQ(store_->CurrentState(create.room_nid).value()->size(), 2u);
  EXPECT_EQ(*store_->DiffStates(create.state_after, join.state_after),
            (StateDelta{{*store_->LookupStateKey("m.room.member", kAlice),
                         join.event_nid}}));
}

TEST_F(EventStoreTest, DuplicatePersistWritesNothing) {
  TestRoom room(*store_, "!r:example.org");
  auto create = room.Next("m.room.create", kAlice, "", R"({"creator":"x"})");
  ASSERT_OK_AND_ASSIGN(PersistedEvent first, room.Persist(create));
  ASSERT_OK_AND_ASSIGN(PersistedEvent again, room.Persist(create));
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.event_nid, first.event_nid);
  EXPECT_EQ(again.stream, first.stream);
  EXPECT_EQ(store_->stream().Published(), first.stream);
}

TEST_F(EventStoreTest, BadRequestsAreRejected) {
  TestRoom room(*store_, "!r:example.org");
  auto create = room.Next("m.room.create", kAlice, "", "{}");
  PersistRequest no_version;
  no_version.room_id = room.room_id();
  no_version.pdu = &create.pdu;
  no_version.event_json = create.json;
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Persist(no_version).status()));
  PersistRequest wrong_room = no_version;
  wrong_room.room_version = &room.rules();
  wrong_room.room_id = "!other:example.org";
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Persist(wrong_room).status()));
  PersistRequest no_pdu;
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Persist(no_pdu).status()));
  // Nothing was stored, and the room still starts cleanly.
  EXPECT_TRUE(absl::IsNotFound(store_->LookupRoom(room.room_id()).status()));
  ASSERT_TRUE(room.Persist(create).ok());
}

TEST_F(EventStoreTest, StateBeforeAfterAndCurrentState) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  std::string create_id = room.last_event_id();
  ASSERT_OK_AND_ASSIGN(PersistedEvent join, room.Member(kAlice, "join"));
  std::string join_id = room.last_event_id();
  ASSERT_OK_AND_ASSIGN(PersistedEvent name,
                       room.State("m.room.name", "", kAlice, R"({"name":"a"})"));
  std::string name_id = room.last_event_id();
  ASSERT_OK_AND_ASSIGN(PersistedEvent msg, room.Message(kAlice));
  ASSERT_OK_AND_ASSIGN(PersistedEvent rename,
                       room.State("m.room.name", "", kAlice, R"({"name":"b"})"));
  std::string rename_id = room.last_event_id();
  RoomNid r = create.room_nid;

  EXPECT_EQ(Render(**store_->StateAtEvent(create.event_nid)), "");
  EXPECT_EQ(Render(**store_->StateAtEvent(create.event_nid, true)),
            "m.room.create|=" + create_id + "\n");
  std::string after_name = "m.room.create|=" + create_id + "\n" +
                           "m.room.member|" + kAlice + "=" + join_id + "\n" +
                           "m.room.name|=" + name_id + "\n";
  EXPECT_EQ(Render(**store_->StateAtEvent(msg.event_nid)), after_name);
  EXPECT_EQ(msg.state_before, name.state_after);
  EXPECT_EQ(msg.state_after, msg.state_before);
  EXPECT_EQ(join.state_after, name.state_before);
  EXPECT_EQ(Render(**store_->StateAtEvent(rename.event_nid)), after_name);
  std::string current = "m.room.create|=" + create_id + "\n" +
                        "m.room.member|" + kAlice + "=" + join_id + "\n" +
                        "m.room.name|=" + rename_id + "\n";
  EXPECT_EQ(RenderCurrent(r), current);
  StateKeyNid name_key = *store_->LookupStateKey("m.room.name", "");
  EXPECT_EQ(*store_->DiffStates(msg.state_after, rename.state_after),
            (StateDelta{{name_key, rename.event_nid}}));
  EXPECT_EQ(store_->DiffStates(0, rename.state_after)->size(), 3u);
  EXPECT_EQ(*store_->CurrentStateEvent(r, "m.room.name", ""),
            rename.event_nid);
  EXPECT_TRUE(absl::IsNotFound(
      store_->CurrentStateEvent(r, "m.room.topic", "").status()));
  Reopen();
  EXPECT_EQ(RenderCurrent(r), current);
  EXPECT_EQ(*store_->CurrentStateEvent(r, "m.room.name", ""),
            rename.event_nid);
}

TEST_F(EventStoreTest, MembershipIndexesFollowCurrentState) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  ASSERT_TRUE(room.Member(kBob, "invite", kAlice).ok());
  ASSERT_TRUE(room.Member(kCarol, "knock").ok());
  auto render = [&](std::optional<Membership> only) {
    std::string out;
    auto members = store_->Members(r, only);
    EXPECT_TRUE(members.ok()) << members.status();
    for (const Member& m : *members) {
      out += std::string(MembershipName(m.membership)) + ":" + m.user_id + " ";
    }
    return out;
  };
  EXPECT_EQ(render(std::nullopt),
            "join:@alice:example.org invite:@bob:example.org "
            "knock:@carol:example.org ");
  ASSERT_TRUE(room.Member(kBob, "join").ok());
  ASSERT_TRUE(room.Member(kCarol, "ban", kAlice).ok());
  EXPECT_EQ(render(Membership::kJoin),
            "join:@alice:example.org join:@bob:example.org ");
  EXPECT_EQ(render(Membership::kInvite), "");
  EXPECT_EQ(render(Membership::kBan), "ban:@carol:example.org ");
  ASSERT_TRUE(room.Member(kAlice, "leave").ok());
  EXPECT_EQ(render(std::nullopt),
            "join:@bob:example.org leave:@alice:example.org "
            "ban:@carol:example.org ");

  UserNid bob = *store_->LookupUser(kBob);
  auto rooms = *store_->RoomsOfUser(bob);
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(rooms[0].room_nid, r);
  EXPECT_EQ(rooms[0].membership, Membership::kJoin);
  EXPECT_EQ(rooms[0].event_nid,
            *store_->CurrentStateEvent(r, "m.room.member", kBob));
  EXPECT_EQ(store_->RoomsOfUser(bob, Membership::kInvite)->size(), 0u);
  EXPECT_EQ(*store_->MembershipOf(r, bob), Membership::kJoin);
  EXPECT_EQ(*store_->MembershipOf(r, *store_->LookupUser(kAlice)),
            Membership::kLeave);
}

TEST_F(EventStoreTest, ForwardExtremitiesTrackTheDagTips) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  std::string base = room.last_event_id();
  EXPECT_EQ(Ids(*store_->ForwardExtremities(r)),
            std::vector<std::string>{base});
  // Two forks on the same parent: both are extremities.
  auto a = room.Build("m.room.message", kAlice, std::nullopt, "{}", {base}, 3);
  auto b = room.Build("m.room.message", kBob, std::nullopt, "{}", {base}, 3);
  ASSERT_TRUE(room.Persist(a).ok());
  ASSERT_TRUE(room.Persist(b).ok());
  EXPECT_EQ(Ids(*store_->ForwardExtremities(r)),
            (std::vector<std::string>{a.event_id, b.event_id}));
  // A merge closes both.
  auto merge = room.Build("m.room.message", kAlice, std::nullopt, "{}",
                          {a.event_id, b.event_id}, 4);
  ASSERT_TRUE(room.Persist(merge).ok());
  EXPECT_EQ(Ids(*store_->ForwardExtremities(r)),
            std::vector<std::string>{merge.event_id});
  // A child stored before its parent: the late parent is not an extremity.
  auto parent = room.Build("m.room.message", kAlice, std::nullopt, "{}",
                           {merge.event_id}, 5);
  auto child = room.Build("m.room.message", kAlice, std::nullopt, "{}",
                          {parent.event_id}, 6);
  PersistRequest with_state;
  with_state.state_before = *store_->ToEntries(**store_->CurrentState(r));
  ASSERT_TRUE(room.Persist(child, with_state).ok());
  ASSERT_TRUE(room.Persist(parent).ok());
  // The late parent closed `merge` but, having a child, did not open.
  EXPECT_EQ(Ids(*store_->ForwardExtremities(r)),
            std::vector<std::string>{child.event_id});
}

TEST_F(EventStoreTest, OutliersAndRejectedStayOutOfTimelineAndState) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  std::string tip = room.last_event_id();
  std::string current = RenderCurrent(r);

  auto outlier = room.Build("m.room.member", kBob, kBob,
                            R"({"membership":"join"})", {"$unknown"}, 40);
  PersistRequest as_outlier;
  as_outlier.outlier = true;
  ASSERT_OK_AND_ASSIGN(PersistedEvent o, room.Persist(outlier, as_outlier));
  EXPECT_EQ(o.stream, 0u);
  EXPECT_EQ(o.state_before, 0u);
  ASSERT_OK_AND_ASSIGN(EventMeta om, store_->Meta(o.event_nid));
  EXPECT_TRUE(om.outlier);
  EXPECT_EQ(*store_->EventJson(o.event_nid), outlier.json);
  EXPECT_TRUE(absl::IsFailedPrecondition(
      store_->StateAtEvent(o.event_nid).status()));

  auto bad = room.Build("m.room.member", kCarol, kCarol,
                        R"({"membership":"join"})", {tip}, 3);
  PersistRequest rejected;
  rejected.rejected = true;
  rejected.rejection_reason = "not invited";
  ASSERT_OK_AND_ASSIGN(PersistedEvent rj, room.Persist(bad, rejected));
  ASSERT_OK_AND_ASSIGN(EventMeta rm, store_->Meta(rj.event_nid));
  EXPECT_TRUE(rm.rejected);
  EXPECT_EQ(rm.rejection_reason, "not invited");
  EXPECT_EQ(rm.state_after, rm.state_before);
  EXPECT_EQ(rj.stream, 0u);

  // A rejected event whose prev events are unknown is still recorded.
  auto orphan = room.Build("m.room.message", kCarol, std::nullopt, "{}",
                           {"$never-seen"}, 9);
  ASSERT_OK_AND_ASSIGN(PersistedEvent ro, room.Persist(orphan, rejected));
  EXPECT_EQ(store_->Meta(ro.event_nid)->state_before, 0u);
  EXPECT_TRUE(store_->Meta(ro.event_nid)->rejected);

  EXPECT_EQ(RenderCurrent(r), current);
  EXPECT_EQ(Ids(*store_->ForwardExtremities(r)), std::vector<std::string>{tip});
  EXPECT_EQ(store_->Members(r)->size(), 1u);
  ASSERT_OK_AND_ASSIGN(TimelinePage page,
                       store_->Timeline(r, ~0ull, Direction::kBackward, 100));
  EXPECT_EQ(page.entries.size(), 2u);
}

TEST_F(EventStoreTest, OutlierPersistedAgainJoinsTheTimeline) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  ASSERT_OK_AND_ASSIGN(PersistedEvent join, room.Member(kAlice, "join"));
  auto topic = room.Next("m.room.topic", kAlice, "", R"({"topic":"t"})");
  PersistRequest as_outlier;
  as_outlier.outlier = true;
  ASSERT_OK_AND_ASSIGN(PersistedEvent outlier, room.Persist(topic, as_outlier));
  EXPECT_EQ(outlier.stream, 0u);
  ASSERT_OK_AND_ASSIGN(PersistedEvent promoted, room.Persist(topic));
  EXPECT_FALSE(promoted.duplicate);
  EXPECT_EQ(promoted.event_nid, outlier.event_nid);
  EXPECT_GT(promoted.stream, join.stream);
  EXPECT_EQ(promoted.state_before, join.state_after);
  EXPECT_FALSE(store_->Meta(promoted.event_nid)->outlier);
  EXPECT_EQ(*store_->CurrentStateEvent(create.room_nid, "m.room.topic", ""),
            promoted.event_nid);
  EXPECT_EQ(*store_->ForwardExtremities(create.room_nid),
            std::vector<EventNid>{promoted.event_nid});
  EXPECT_EQ(*store_->LatestStream(create.room_nid), promoted.stream);
  ASSERT_OK_AND_ASSIGN(PersistedEvent again, room.Persist(topic));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.stream, promoted.stream);
  // A timeline event persisted again as an outlier stays as it is.
  ASSERT_OK_AND_ASSIGN(PersistedEvent as_outlier_again,
                       room.Persist(topic, as_outlier));
  EXPECT_TRUE(as_outlier_again.duplicate);
  EXPECT_FALSE(store_->Meta(promoted.event_nid)->outlier);
}

TEST_F(EventStoreTest, ExplicitStateBeforeFromSendJoin) {
  // A room we learn about over federation: its state arrives as outliers,
  // then our join is persisted with that state as its state before.
  TestRoom remote(*store_, "!remote:elsewhere.org");
  auto create = remote.Next("m.room.create", "@x:elsewhere.org", "", "{}");
  auto join_x = remote.Next("m.room.member", "@x:elsewhere.org",
                            "@x:elsewhere.org", R"({"membership":"join"})");
  PersistRequest outlier;
  outlier.outlier = true;
  ASSERT_TRUE(remote.Persist(create, outlier).ok());
  ASSERT_TRUE(remote.Persist(join_x, outlier).ok());
  auto join = remote.Next("m.room.member", kAlice, kAlice,
                          R"({"membership":"join"})");
  PersistRequest req;
  req.state_before = std::vector<StateEntry>{
      {"m.room.create", "", create.event_id},
      {"m.room.member", "@x:elsewhere.org", join_x.event_id}};
  ASSERT_OK_AND_ASSIGN(PersistedEvent joined, remote.Persist(join, req));
  EXPECT_EQ(RenderCurrent(joined.room_nid),
            "m.room.create|=" + create.event_id + "\n" +
                "m.room.member|@alice:example.org=" + join.event_id + "\n" +
                "m.room.member|@x:elsewhere.org=" + join_x.event_id + "\n");
  EXPECT_EQ(store_->Members(joined.room_nid, Membership::kJoin)->size(), 2u);
  EXPECT_EQ(Ids(*store_->ForwardExtremities(joined.room_nid)),
            std::vector<std::string>{join.event_id});

  auto unknown = remote.Next("m.room.message", kAlice, std::nullopt, "{}");
  PersistRequest bad;
  bad.state_before = std::vector<StateEntry>{{"m.room.create", "", "$nope"}};
  EXPECT_TRUE(absl::IsInvalidArgument(remote.Persist(unknown, bad).status()));
}

TEST_F(EventStoreTest, PrevEventsWithDifferentStatesNeedResolvedState) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  std::string base = room.last_event_id();
  auto a = room.Build("m.room.topic", kAlice, "", R"({"topic":"a"})", {base}, 3);
  auto b = room.Build("m.room.name", kAlice, "", R"({"name":"b"})", {base}, 3);
  ASSERT_TRUE(room.Persist(a).ok());
  ASSERT_TRUE(room.Persist(b).ok());
  auto merge = room.Build("m.room.message", kAlice, std::nullopt, "{}",
                          {a.event_id, b.event_id}, 4);
  EXPECT_TRUE(absl::IsFailedPrecondition(room.Persist(merge).status()));
  // With the resolved state, and a resolved current state.
  std::vector<StateEntry> resolved =
      *store_->ToEntries(**store_->StateAtEvent(*store_->LookupEvent(base),
                                                true));
  resolved.push_back({"m.room.topic", "", a.event_id});
  resolved.push_back({"m.room.name", "", b.event_id});
  PersistRequest req;
  req.state_before = resolved;
  req.current_state_after = resolved;
  ASSERT_OK_AND_ASSIGN(PersistedEvent merged, room.Persist(merge, req));
  std::string current = RenderCurrent(create.room_nid);
  EXPECT_NE(current.find("m.room.topic|=" + a.event_id), std::string::npos);
  EXPECT_NE(current.find("m.room.name|=" + b.event_id), std::string::npos);
  EXPECT_EQ(Render(**store_->StateAtEvent(merged.event_nid)), current);
}

// The in-memory counts follow every change once read, and match a fresh
// count after a restart.
TEST_F(EventStoreTest, MemberCountsFollowMembershipChanges) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  auto counts = [&] {
    MemberCounts c = *store_->CountMembers(r);
    return std::to_string(c.Of(Membership::kJoin)) + "j" +
           std::to_string(c.Of(Membership::kInvite)) + "i" +
           std::to_string(c.Of(Membership::kLeave)) + "l" +
           std::to_string(c.Of(Membership::kBan)) + "b";
  };
  EXPECT_EQ(counts(), "0j0i0l0b");
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  ASSERT_TRUE(room.Member(kBob, "invite", kAlice).ok());
  EXPECT_EQ(counts(), "1j1i0l0b");
  ASSERT_TRUE(room.Member(kBob, "join").ok());
  ASSERT_TRUE(room.Member(kAlice, "join").ok());  // A profile change.
  EXPECT_EQ(counts(), "2j0i0l0b");
  ASSERT_TRUE(room.Member(kCarol, "ban", kAlice).ok());
  ASSERT_TRUE(room.Member(kBob, "leave").ok());
  EXPECT_EQ(counts(), "1j0i1l1b");
  Reopen();
  EXPECT_EQ(counts(), "1j0i1l1b");
}

TEST_F(EventStoreTest, ResolvedCurrentStateCanDropEntriesAndMembers) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  std::string alice_join = room.last_event_id();
  ASSERT_TRUE(room.Member(kBob, "join").ok());
  ASSERT_TRUE(room.State("m.room.topic", "", kAlice).ok());
  // State resolution decided Bob's join and the topic lose.
  auto msg = room.Next("m.room.message", kAlice, std::nullopt, "{}");
  PersistRequest req;
  req.current_state_after = std::vector<StateEntry>{
      {"m.room.create", "", *store_->EventId(create.event_nid)},
      {"m.room.member", kAlice, alice_join}};
  ASSERT_TRUE(room.Persist(msg, req).ok());
  EXPECT_TRUE(absl::IsNotFound(
      store_->CurrentStateEvent(r, "m.room.topic", "").status()));
  auto members = *store_->Members(r);
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].user_id, kAlice);
  EXPECT_TRUE(store_->RoomsOfUser(*store_->LookupUser(kBob))->empty());
  EXPECT_EQ(store_->CurrentState(r).value()->size(), 2u);
}

TEST_F(EventStoreTest, BackfilledEventsKeepCurrentState) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  std::string create_id = room.last_event_id();
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  std::string current = RenderCurrent(r);
  std::vector<EventNid> extremities = *store_->ForwardExtremities(r);
  // An old branch off the create event, with a state change, stored as
  // history: in the timeline, but not the room's present.
  auto old = room.Build("m.room.topic", kBob, "", R"({"topic":"old"})",
                        {create_id}, 2);
  PersistRequest backfill;
  backfill.keep_current_state = true;
  ASSERT_OK_AND_ASSIGN(PersistedEvent b, room.Persist(old, backfill));
  EXPECT_GT(b.stream, 0u);
  EXPECT_NE(b.state_after, b.state_before);
  EXPECT_EQ(RenderCurrent(r), current);
  EXPECT_EQ(*store_->ForwardExtremities(r), extremities);
  EXPECT_EQ(*store_->LatestStream(r), b.stream);
}

TEST_F(EventStoreTest, TimelinePagesBothWaysInStreamAndTopologicalOrder) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  std::vector<std::string> ids = {room.last_event_id()};
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(room.Message(kAlice, std::to_string(i)).ok());
    ids.push_back(room.last_event_id());
  }
  // Another room's events interleave in the stream but not in this timeline.
  TestRoom other(*store_, "!o:example.org");
  ASSERT_TRUE(other.Create(kBob).ok());

  std::vector<std::string> forward;
  StreamPos from = 0;
  for (int pages = 0; pages < 10; ++pages) {
    ASSERT_OK_AND_ASSIGN(TimelinePage page,
                         store_->Timeline(r, from, Direction::kForward, 4));
    for (auto& id : Ids(page)) forward.push_back(id);
    from = page.next_stream;
    if (page.end) break;
  }
  EXPECT_EQ(forward, ids);

  std::vector<std::string> backward;
  from = *store_->LatestStream(r);
  for (int pages = 0; pages < 10; ++pages) {
    ASSERT_OK_AND_ASSIGN(TimelinePage page,
                         store_->Timeline(r, from, Direction::kBackward, 3));
    for (auto& id : Ids(page)) backward.push_back(id);
    from = page.next_stream;
    if (page.end) break;
  }
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, ids);

  std::vector<std::string> topo;
  TopoToken token{INT64_MAX, ~0ull};
  for (int pages = 0; pages < 10; ++pages) {
    ASSERT_OK_AND_ASSIGN(
        TimelinePage page,
        store_->TopologicalTimeline(r, token, Direction::kBackward, 4));
    for (auto& id : Ids(page)) topo.push_back(id);
    token = page.next_topo;
    if (page.end) break;
  }
  std::reverse(topo.begin(), topo.end());
  EXPECT_EQ(topo, ids);
  ASSERT_OK_AND_ASSIGN(
      TimelinePage topo_fwd,
      store_->TopologicalTimeline(r, TopoToken{3, ~0ull}, Direction::kForward, 2));
  EXPECT_EQ(Ids(topo_fwd), (std::vector<std::string>{ids[3], ids[4]}));
  EXPECT_EQ(topo_fwd.entries[0].depth, 4);

  ASSERT_OK_AND_ASSIGN(auto since, store_->EventsSince(0, ~0ull, 100));
  EXPECT_EQ(since.size(), 11u);
  EXPECT_EQ(since.back().room_nid,
            store_->LookupRoom("!o:example.org")->room_nid);
}

TEST_F(EventStoreTest, StreamReadersWaitForEarlierWritesInFlight) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  RoomNid r = create.room_nid;
  // Another writer holds the next position and has not committed yet.
  StreamPos in_flight = store_->stream().Reserve();
  ASSERT_OK_AND_ASSIGN(PersistedEvent msg, room.Message(kAlice));
  EXPECT_GT(msg.stream, in_flight);
  EXPECT_EQ(store_->stream().Published(), create.stream);
  // Committed, so point lookups see it, but the stream readers do not yet.
  EXPECT_TRUE(store_->EventJson(msg.event_nid).ok());
  EXPECT_EQ(store_->Timeline(r, 0, Direction::kForward, 10)->entries.size(),
            1u);
  EXPECT_EQ(store_->EventsSince(0, ~0ull, 10)->size(), 1u);
  EXPECT_EQ(*store_->LatestStream(r), create.stream);
  store_->stream().Finish(in_flight);  // that write failed or committed
  EXPECT_EQ(store_->stream().Published(), msg.stream);
  EXPECT_EQ(store_->Timeline(r, 0, Direction::kForward, 10)->entries.size(),
            2u);
  EXPECT_EQ(*store_->LatestStream(r), msg.stream);
}

TEST_F(EventStoreTest, ReopenKeepsEverythingAndContinuesIds) {
  TestRoom room(*store_, "!r:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent create, room.Create(kAlice));
  ASSERT_TRUE(room.Member(kAlice, "join").ok());
  ASSERT_OK_AND_ASSIGN(PersistedEvent last, room.Message(kAlice));
  std::string current = RenderCurrent(create.room_nid);
  UserNid alice = *store_->LookupUser(kAlice);
  Reopen();
  EXPECT_EQ(store_->stream().Published(), last.stream);
  EXPECT_EQ(RenderCurrent(create.room_nid), current);
  EXPECT_EQ(*store_->LookupUser(kAlice), alice);
  // New ids continue above the stored ones.
  TestRoom room2(*store_, "!r2:example.org");
  ASSERT_OK_AND_ASSIGN(PersistedEvent c2, room2.Create(kBob));
  EXPECT_GT(c2.room_nid, create.room_nid);
  EXPECT_GT(c2.event_nid, last.event_nid);
  EXPECT_GT(c2.stream, last.stream);
  EXPECT_GT(*store_->LookupUser(kBob), alice);
  EXPECT_GT(c2.state_after, last.state_after);
  // And the old room carries on.
  room.set_store(*store_);
  ASSERT_OK_AND_ASSIGN(PersistedEvent more, room.Message(kAlice));
  EXPECT_GT(more.stream, c2.stream);
}

TEST_F(EventStoreTest, ConcurrentPersistsInDifferentRooms) {
  constexpr int kThreads = 4, kRoomsPerThread = 3, kMessages = 30;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kRoomsPerThread; ++k) {
        TestRoom room(*store_, "!t" + std::to_string(t) + "k" +
                                   std::to_string(k) + ":example.org");
        if (!room.Create(kAlice).ok()) ++failures;
        // Every room shares the same users and (type, state_key) pairs.
        if (!room.Member(kAlice, "join").ok()) ++failures;
        if (!room.Member(kBob, "join").ok()) ++failures;
        for (int i = 0; i < kMessages; ++i) {
          if (!room.Message(i % 2 ? kAlice : kBob).ok()) ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  constexpr int kRooms = kThreads * kRoomsPerThread;
  constexpr int kEvents = kRooms * (3 + kMessages);
  EXPECT_EQ(store_->stream().Published(), StreamPos{kEvents});
  ASSERT_OK_AND_ASSIGN(auto all, store_->EventsSince(0, ~0ull, 100000));
  EXPECT_EQ(all.size(), size_t{kEvents});
  // One nid per user, both directions agree, and every room lists both.
  UserNid alice = *store_->LookupUser(kAlice);
  UserNid bob = *store_->LookupUser(kBob);
  EXPECT_NE(alice, bob);
  EXPECT_EQ(*store_->UserId(alice), kAlice);
  EXPECT_EQ(store_->RoomsOfUser(alice, Membership::kJoin)->size(),
            size_t{kRooms});
  EXPECT_EQ(store_->RoomsOfUser(bob, Membership::kJoin)->size(),
            size_t{kRooms});
  StateKeyNid key = *store_->LookupStateKey("m.room.member", kAlice);
  EXPECT_EQ(store_->GetStateKey(key)->state_key, kAlice);
  Reopen();
  EXPECT_EQ(store_->stream().Published(), StreamPos{kEvents});
}

}  // namespace
}  // namespace myelin::storage
