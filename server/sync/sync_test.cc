// ComputeSync in process: what the HTTP tests cannot set up, such as a room
// whose state forked and was resolved (federation will do that; the local
// writer never forks).
#include "server/sync/sync.h"

#include <set>
#include <string>
#include <vector>

#include "boost/json/serialize.hpp"
#include "gtest/gtest.h"
#include "server/sync/sync_testing.h"
#include "storage/events/test_room.h"

namespace myelin::sync {
namespace {

using storage::testing::BuiltEvent;
using storage::testing::TestRoom;

constexpr char kAlice[] = "@alice:example.org";
constexpr char kBob[] = "@bob:example.org";
constexpr char kRoom[] = "!fork:example.org";

class SyncComputeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(room_.Create(kAlice).ok());
    ASSERT_TRUE(room_.Member(kAlice, "join").ok());
    ASSERT_TRUE(room_.Member(kBob, "join").ok());
    request_.user_id = kAlice;
    request_.device_id = "DEV";
    SyncResult initial = Sync();
    request_.since = initial.next;
  }

  SyncResult Sync() {
    absl::StatusOr<SyncResult> result = ComputeSync(db_.sources(), request_);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *std::move(result) : SyncResult{};
  }

  // The room's section of a response.
  static const boost::json::object& RoomOf(const SyncResult& result) {
    return result.body.at("rooms").at("join").at(kRoom).as_object();
  }

  // "type|state_key" of each event of a list.
  static std::set<std::string> Keys(const boost::json::value& events) {
    std::set<std::string> keys;
    for (const auto& event : events.as_array()) {
      keys.insert(std::string(event.at("type").as_string()) + "|" +
                  std::string(event.at("state_key").as_string()));
    }
    return keys;
  }

  // Two state events on one parent (a fork), then a message merging them
  // with the resolved state: topic from one side, name from the other.
  void ForkAndMerge() {
    std::string parent = room_.last_event_id();
    int64_t depth = room_.last_depth();
    storage::EventStore& store = db_.store();
    auto parent_state = store.StateAtEvent(*store.LookupEvent(parent), true);
    ASSERT_TRUE(parent_state.ok());
    std::vector<storage::StateEntry> resolved = *store.ToEntries(**parent_state);

    BuiltEvent topic = room_.Build("m.room.topic", kAlice, "", R"({"topic":"A"})",
                                   {parent}, depth + 1);
    BuiltEvent name = room_.Build("m.room.name", kBob, "", R"({"name":"B"})",
                                  {parent}, depth + 1);
    resolved.push_back({"m.room.topic", "", topic.event_id});
    resolved.push_back({"m.room.name", "", name.event_id});
    ASSERT_TRUE(room_.Persist(topic).ok());
    storage::PersistRequest side;
    side.current_state_after = resolved;
    ASSERT_TRUE(room_.Persist(name, side).ok());
    BuiltEvent merge = room_.Build("m.room.message", kAlice, std::nullopt,
                                   R"({"msgtype":"m.text","body":"merged"})",
                                   {topic.event_id, name.event_id}, depth + 2);
    storage::PersistRequest merged;
    merged.state_before = resolved;
    ASSERT_TRUE(room_.Persist(merge, merged).ok());
  }

  testing::SyncDb db_;
  TestRoom room_{db_.store(), kRoom};
  SyncRequest request_;
};

TEST_F(SyncComputeTest, NothingNewIsEmpty) {
  SyncResult result = Sync();
  EXPECT_TRUE(result.empty);
  EXPECT_TRUE(result.body.at("rooms").at("join").as_object().empty());
  EXPECT_EQ(result.next, *request_.since);
}

TEST_F(SyncComputeTest, AResolvedForkReachesTheStateOfALimitedTimeline) {
  ForkAndMerge();
  request_.filter.room.timeline.limit = 1;
  SyncResult result = Sync();
  const boost::json::object& room = RoomOf(result);
  ASSERT_EQ(room.at("timeline").at("events").as_array().size(), 1u);
  EXPECT_TRUE(room.at("timeline").at("limited").as_bool());
  // Both sides of the fork, though only the merge is in the timeline.
  EXPECT_EQ(Keys(room.at("state").at("events")),
            (std::set<std::string>{"m.room.name|", "m.room.topic|"}));
}

TEST_F(SyncComputeTest, AnUnlimitedTimelineCarriesTheForkItself) {
  ForkAndMerge();
  SyncResult result = Sync();
  const boost::json::object& room = RoomOf(result);
  EXPECT_EQ(room.at("timeline").at("events").as_array().size(), 3u);
  EXPECT_FALSE(room.at("timeline").at("limited").as_bool());
  EXPECT_TRUE(room.at("state").at("events").as_array().empty());
}

TEST_F(SyncComputeTest, StateAfterCoversTheWholeTimeline) {
  ForkAndMerge();
  request_.filter.room.timeline.limit = 1;
  request_.use_state_after = true;
  SyncResult result = Sync();
  const boost::json::object& room = RoomOf(result);
  EXPECT_FALSE(room.contains("state"));
  EXPECT_EQ(Keys(room.at("state_after").at("events")),
            (std::set<std::string>{"m.room.name|", "m.room.topic|"}));
}

}  // namespace
}  // namespace myelin::sync
