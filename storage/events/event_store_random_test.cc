// Randomised and concurrent tests of EventStore: state and membership
// against a model, and stream readers racing concurrent writers.
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "storage/events/event_store.h"
#include "storage/events/test_room.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using testing::TestRoom;
using Model = std::map<std::pair<std::string, std::string>, std::string>;

class EventStoreRandomTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempPath("event_store_random");
    Open();
  }
  void TearDown() override {
    store_.reset();
    engine_.reset();
  }
  void Open() {
    store_.reset();
    engine_.reset();
    engine_ = *Engine::Open(testing::TestOptions(path_));
    EventStoreOptions options;
    options.max_snapshot_chain = 4;
    options.snapshot_cache_entries = 300;
    store_ = *EventStore::Open(*engine_, options);
  }

  // Checks the current state, its point lookups, the state after the last
  // event and both membership indexes against the model.
  void Check(RoomNid room, const Model& model, const std::string& last_id) {
    auto state = store_->CurrentState(room);
    ASSERT_TRUE(state.ok()) << state.status();
    auto entries = *store_->ToEntries(**state);
    Model got;
    for (auto& e : entries) got[{e.type, e.state_key}] = e.event_id;
    ASSERT_EQ(got, model);
    EventNid last = *store_->LookupEvent(last_id);
    EXPECT_EQ(**store_->StateAtEvent(last, true), **state);
    std::map<std::string, Membership> members;
    for (const auto& [key, event_id] : model) {
      EventNid nid = *store_->LookupEvent(event_id);
      EXPECT_EQ(*store_->CurrentStateEvent(room, key.first, key.second), nid);
      if (key.first == "m.room.member") {
        members[key.second] = store_->Meta(nid)->membership;
      }
    }
    std::map<std::string, Membership> indexed;
    auto all_members = store_->Members(room);
    ASSERT_TRUE(all_members.ok()) << all_members.status();
    for (const Member& m : *all_members) {
      EXPECT_TRUE(indexed.emplace(m.user_id, m.membership).second);
      EXPECT_EQ(m.event_nid,
                *store_->CurrentStateEvent(room, "m.room.member", m.user_id));
      std::vector<UserRoom> rooms = *store_->RoomsOfUser(m.user_nid, m.membership);
      bool found = false;
      for (const UserRoom& r : rooms) found |= r.room_nid == room;
      EXPECT_TRUE(found) << m.user_id;
      EXPECT_EQ(store_->RoomsOfUser(m.user_nid)->size(), 1u) << m.user_id;
    }
    EXPECT_EQ(indexed, members);
  }

  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreRandomTest, StateAndMembershipMatchModel) {
  static const char* kMemberships[] = {"join", "invite", "leave", "ban",
                                       "knock"};
  std::mt19937 rng(99);
  TestRoom room(*store_, "!random:example.org");
  ASSERT_TRUE(room.Create("@u0:example.org").ok());
  RoomNid nid = store_->LookupRoom(room.room_id())->room_nid;
  Model model{{{"m.room.create", ""}, room.last_event_id()}};
  for (int i = 0; i < 600; ++i) {
    std::string user = "@u" + std::to_string(rng() % 12) + ":example.org";
    int op = rng() % 3;
    absl::StatusOr<PersistedEvent> persisted;
    if (op == 0) {
      persisted = room.Member(user, kMemberships[rng() % 5]);
      model[{"m.room.member", user}] = room.last_event_id();
    } else if (op == 1) {
      std::string key = "k" + std::to_string(rng() % 30);
      persisted = room.State("org.example.s", key, user);
      model[{"org.example.s", key}] = room.last_event_id();
    } else {
      persisted = room.Message(user);
    }
    ASSERT_TRUE(persisted.ok()) << persisted.status();
    if (i % 50 == 49) {
      Check(nid, model, room.last_event_id());
      if (HasFatalFailure()) return;
    }
    if (i == 300) {
      Open();  // cold caches, re-read allocators
      room.set_store(*store_);
    }
  }
  Check(nid, model, room.last_event_id());
}

// Readers follow the stream with EventsSince while writers in several rooms
// commit out of order; every event must be seen exactly once, in order.
TEST_F(EventStoreRandomTest, StreamReadersNeverSkipInFlightEvents) {
  constexpr int kWriters = 4, kEvents = 150;
  std::atomic<int> finished{0};
  std::atomic<int> failures{0};
  std::atomic<int> wakeups{0};
  store_->stream().AddListener([&](StreamPos) { ++wakeups; });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      TestRoom room(*store_, "!w" + std::to_string(w) + ":example.org");
      if (!room.Create("@a:example.org").ok()) ++failures;
      for (int i = 1; i < kEvents; ++i) {
        if (!room.Message("@a:example.org").ok()) ++failures;
      }
      ++finished;
    });
  }
  std::vector<StreamPos> seen;
  StreamPos token = 0;
  bool last_pass = false;
  while (true) {
    if (finished == kWriters) last_pass = true;
    auto batch = store_->EventsSince(token, ~0ull, 64);
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (const StreamEntry& e : *batch) {
      seen.push_back(e.stream);
      token = e.stream;
    }
    if (last_pass && batch->empty()) break;
    if (batch->empty()) {
      store_->stream().WaitForPublished(token + 1,
                                        absl::Now() + absl::Milliseconds(5));
    }
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(seen.size(), size_t{kWriters * kEvents});
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);
  EXPECT_GT(wakeups, 0);
}

}  // namespace
}  // namespace myelin::storage
