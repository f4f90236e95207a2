// /sync with filters, inline JSON and stored by id: timeline types and
// senders, room lists, state filters and lazy-loaded members.
#include <deque>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/sync_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

class SyncFilterTest : public SyncTest {
 protected:
  // A public room of Alice's that Bob joined, and Bob's token from before
  // a topic change by Alice and messages by both.
  void SetUpConversation() {
    room_ = CreateRoom(alice_, R"({"preset":"public_chat"})");
    Join(bob_, room_);
    since_ = Sync(bob_).Str("next_batch");
    PutState(alice_, room_, "m.room.topic", "", R"({"topic":"filters"})");
    Send(alice_, room_, "alice 1");
    Send(bob_, room_, "bob 1");
    Send(alice_, room_, "alice 2");
  }

  const json::array& TimelineWith(const std::string& filter_json) {
    replies_.push_back(SyncSince(bob_, since_, FilterParam(filter_json)));
    return Events(Joined(replies_.back(), room_), "timeline");
  }

  // The state keys of the m.room.member events in `events`.
  static std::set<std::string> Members(const json::array& events) {
    std::set<std::string> members;
    for (const auto& event : events) {
      if (Field(event, "type") == "m.room.member") members.insert(Field(event, "state_key"));
    }
    return members;
  }

  std::string room_, since_;
  std::deque<Reply> replies_;  // Keeps the bodies TimelineWith points into.
};

TEST_F(SyncFilterTest, TimelineTypes) {
  SetUpConversation();
  const json::array& messages = TimelineWith(R"({"room":{"timeline":{"types":["m.room.message"]}}})");
  EXPECT_THAT(Bodies(messages), ElementsAre("alice 1", "bob 1", "alice 2"));
  EXPECT_EQ(FindEvent(messages, "m.room.topic"), nullptr);
  EXPECT_EQ(messages.size(), 3u);

  const json::array& no_messages =
      TimelineWith(R"({"room":{"timeline":{"not_types":["m.room.message"]}}})");
  EXPECT_THAT(Bodies(no_messages), IsEmpty());
  EXPECT_NE(FindEvent(no_messages, "m.room.topic", ""), nullptr);

  // Spec: '*' matches any sequence of characters.
  const json::array& wildcard =
      TimelineWith(R"({"room":{"timeline":{"types":["m.room.top*"]}}})");
  ASSERT_EQ(wildcard.size(), 1u);
  EXPECT_EQ(Field(wildcard[0], "type"), "m.room.topic");
}

TEST_F(SyncFilterTest, TimelineSenders) {
  SetUpConversation();
  const json::array& bobs = TimelineWith(
      absl::StrCat(R"({"room":{"timeline":{"senders":[")", bob_.id, R"("]}}})"));
  EXPECT_THAT(Bodies(bobs), ElementsAre("bob 1"));
  EXPECT_THAT(Senders(bobs), ::testing::Each(bob_.id));

  const json::array& not_bobs = TimelineWith(
      absl::StrCat(R"({"room":{"timeline":{"not_senders":[")", bob_.id, R"("]}}})"));
  EXPECT_THAT(Bodies(not_bobs), ElementsAre("alice 1", "alice 2"));
  EXPECT_THAT(Senders(not_bobs), ::testing::Each(alice_.id));
}

TEST_F(SyncFilterTest, RoomLists) {
  std::string first = CreateRoom(alice_, R"({"preset":"public_chat"})");
  std::string second = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Send(alice_, first, "in first");
  Send(alice_, second, "in second");
  Reply only_first = Sync(alice_, FilterParam(absl::StrCat(
                                       R"({"room":{"rooms":[")", first, R"("]}})"))
                                       .substr(1));
  EXPECT_TRUE(InSection(only_first, "join", first)) << json::serialize(only_first.body);
  EXPECT_FALSE(InSection(only_first, "join", second));

  Reply not_first = Sync(alice_, FilterParam(absl::StrCat(
                                     R"({"room":{"not_rooms":[")", first, R"("]}})"))
                                     .substr(1));
  EXPECT_FALSE(InSection(not_first, "join", first));
  EXPECT_THAT(Bodies(Events(Joined(not_first, second), "timeline")),
              ElementsAre("in second"));
  // An excluded room stays excluded in incremental syncs.
  std::string filter =
      FilterParam(absl::StrCat(R"({"room":{"rooms":[")", second, R"("]}})"));
  std::string since = Sync(alice_, filter.substr(1)).Str("next_batch");
  Send(alice_, first, "first again");
  Send(alice_, second, "second again");
  Reply later = SyncSince(alice_, since, filter);
  EXPECT_FALSE(InSection(later, "join", first));
  EXPECT_THAT(Bodies(Events(Joined(later, second), "timeline")),
              ElementsAre("second again"));
}

TEST_F(SyncFilterTest, StoredFilterById) {
  SetUpConversation();
  Reply stored = Call("POST", UserPath(bob_, "/filter"),
                      R"({"room":{"timeline":{"limit":2,"types":["m.room.message"]}}})",
                      bob_.token);
  ASSERT_EQ(stored.status, 200) << json::serialize(stored.body);
  std::string id = stored.Str("filter_id");
  ASSERT_FALSE(id.empty());
  Reply sync = SyncSince(bob_, since_, "&filter=" + UrlEncode(id));
  const json::object& joined = Joined(sync, room_);
  EXPECT_THAT(Bodies(Events(joined, "timeline")), ElementsAre("bob 1", "alice 2"));
  EXPECT_TRUE(Limited(joined));
  // The same filter works for an initial sync, and after a restart.
  Restart();
  Reply initial = Sync(bob_, "filter=" + UrlEncode(id));
  EXPECT_THAT(Bodies(Events(Joined(initial, room_), "timeline")),
              ElementsAre("bob 1", "alice 2"));
  // An unknown filter id is an error, not an unfiltered sync.
  EXPECT_GE(Call("GET", absl::StrCat(kV3, "/sync?filter=9999"), "", bob_.token).status,
            400);
}

TEST_F(SyncFilterTest, StateTypes) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat","name":"N","topic":"T"})");
  for (int i = 0; i < 12; ++i) Send(alice_, room, absl::StrCat("m", i));  // State out of the timeline.
  Reply sync = Sync(alice_, FilterParam(R"({"room":{"state":{"types":["m.room.name"]}}})")
                                .substr(1));
  const json::array& state = Events(Joined(sync, room), "state");
  ASSERT_NE(FindEvent(state, "m.room.name", ""), nullptr) << json::serialize(sync.body);
  for (const auto& event : state) EXPECT_EQ(Field(event, "type"), "m.room.name");
}

TEST_F(SyncFilterTest, AccountDataEphemeralAndPresenceFilters) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
  Join(bob_, room);
  std::string since = Sync(bob_).Str("next_batch");
  for (const char* type : {"org.example.keep", "org.example.drop"}) {
    ASSERT_EQ(Call("PUT", UserPath(bob_, absl::StrCat("/account_data/", type)), "{}",
                   bob_.token).status,
              200);
    ASSERT_EQ(Call("PUT", UserPath(bob_, absl::StrCat("/rooms/", room, "/account_data/",
                                                      type)),
                   "{}", bob_.token).status,
              200);
  }
  ASSERT_EQ(Call("PUT", RoomPath(room, "/typing/" + alice_.id),
                 R"({"typing":true,"timeout":30000})", alice_.token).status,
            200);
  ASSERT_EQ(Call("PUT", absl::StrCat(kV3, "/presence/", alice_.id, "/status"),
                 R"({"presence":"unavailable"})", alice_.token).status,
            200);

  Reply unfiltered = SyncSince(bob_, since);
  ASSERT_NE(FindEvent(Events(unfiltered.body, "account_data"), "org.example.drop"),
            nullptr);
  ASSERT_NE(FindEvent(Events(Joined(unfiltered, room), "ephemeral"), "m.typing"), nullptr);
  ASSERT_NE(FindEvent(Events(unfiltered.body, "presence"), "m.presence"), nullptr);

  Reply filtered = SyncSince(
      bob_, since,
      FilterParam(R"({"account_data":{"not_types":["org.example.drop"]},
                      "presence":{"not_types":["m.presence"]},
                      "room":{"account_data":{"types":["org.example.keep"]},
                              "ephemeral":{"not_types":["m.typing"]}}})"));
  EXPECT_NE(FindEvent(Events(filtered.body, "account_data"), "org.example.keep"), nullptr)
      << json::serialize(filtered.body);
  EXPECT_EQ(FindEvent(Events(filtered.body, "account_data"), "org.example.drop"), nullptr);
  const json::array& room_data = Events(Joined(filtered, room), "account_data");
  EXPECT_NE(FindEvent(room_data, "org.example.keep"), nullptr);
  EXPECT_EQ(FindEvent(room_data, "org.example.drop"), nullptr);
  EXPECT_EQ(FindEvent(Events(Joined(filtered, room), "ephemeral"), "m.typing"), nullptr);
  EXPECT_THAT(Events(filtered.body, "presence"), IsEmpty());
}

TEST_F(SyncFilterTest, LazyLoadedMembersAreTheTimelineSenders) {
  // Named, so there are no heroes whose members would have to be sent too.
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat","name":"Lazy"})");
  User carol = NewUser("carol");
  User dave = NewUser("dave");
  Join(bob_, room);
  Join(carol, room);
  Join(dave, room);
  Send(bob_, room, "bob 1");
  Send(bob_, room, "bob 2");
  std::string lazy = FilterParam(
      R"({"room":{"state":{"lazy_load_members":true},"timeline":{"limit":2}}})");

  // Without lazy loading every member is in the state.
  Reply full = Sync(alice_, FilterParam(R"({"room":{"timeline":{"limit":2}}})").substr(1));
  EXPECT_THAT(Members(Events(Joined(full, room), "state")),
              ElementsAre(alice_.id, bob_.id, carol.id, dave.id));

  Reply sync = Sync(alice_, lazy.substr(1));
  const json::object& joined = Joined(sync, room);
  EXPECT_THAT(Bodies(Events(joined, "timeline")), ElementsAre("bob 1", "bob 2"));
  std::set<std::string> members = Members(Events(joined, "state"));
  EXPECT_THAT(members, Contains(bob_.id)) << json::serialize(joined);
  EXPECT_THAT(members, Not(Contains(carol.id)));
  EXPECT_THAT(members, Not(Contains(dave.id)));
  // Other state is not affected.
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.create", ""), nullptr);
  EXPECT_NE(FindEvent(Events(joined, "state"), "m.room.power_levels", ""), nullptr);

  // Carol speaks: her membership comes along, Dave's still does not.
  Send(carol, room, "carol 1");
  Reply later = SyncSince(alice_, sync.Str("next_batch"), lazy);
  const json::object& changed = Joined(later, room);
  EXPECT_THAT(Bodies(Events(changed, "timeline")), ElementsAre("carol 1"));
  std::set<std::string> now = Members(StateAndTimeline(changed));
  EXPECT_THAT(now, Contains(carol.id)) << json::serialize(changed);
  EXPECT_THAT(now, Not(Contains(dave.id)));
}

TEST_F(SyncFilterTest, LazyLoadingStillSendsTheHeroes) {
  std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");  // No name.
  User carol = NewUser("carol");
  Join(bob_, room);
  Join(carol, room);
  Send(bob_, room, "bob 1");
  Reply sync = Sync(alice_, FilterParam(R"({"room":{"state":{"lazy_load_members":true},
                                                   "timeline":{"limit":1}}})")
                                .substr(1));
  const json::object& joined = Joined(sync, room);
  const json::value* heroes = At(joined, {"summary"}).if_contains("m.heroes");
  ASSERT_NE(heroes, nullptr) << json::serialize(joined);
  ASSERT_FALSE(heroes->as_array().empty());
  // Spec: the heroes' member events MUST be in `state` with lazy loading.
  std::set<std::string> members = Members(Events(joined, "state"));
  for (const auto& hero : heroes->as_array()) {
    EXPECT_THAT(members, Contains(ToString(hero))) << json::serialize(joined);
  }
}

}  // namespace
}  // namespace myelin::testing
