// Crash atomicity: a child process persists events in a loop and is killed
// with SIGKILL at a random moment, several times over the same database.
// After each kill the database must hold every event wholly (JSON, id
// mappings, meta, stream and timeline rows, state) or not at all, and the
// derived structures (current state, membership, extremities) must agree
// with the events that made it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "storage/events/event_store.h"
#include "storage/events/test_room.h"
#include "storage/keys/event_keys.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

constexpr char kRoomId[] = "!crash:example.org";
constexpr int kRounds = 8;

EngineOptions Options(const std::string& path) {
  EngineOptions options = testing::TestOptions(path);
  // The WAL reaches the page cache before Write returns; SIGKILL does not
  // lose it. (Power loss would need sync_writes.)
  options.sync_writes = false;
  return options;
}

// The child: continue the room from its stored tip and persist forever.
[[noreturn]] void RunChild(const std::string& path, int round) {
  auto engine = Engine::Open(Options(path));
  if (!engine.ok()) _exit(2);
  auto store = EventStore::Open(**engine);
  if (!store.ok()) _exit(3);
  testing::TestRoom room(**store, kRoomId);
  room.set_id_prefix("r" + std::to_string(round) + "-");
  auto info = (*store)->LookupRoom(kRoomId);
  if (info.ok()) {
    StreamPos latest = *(*store)->LatestStream(info->room_nid);
    auto page = (*store)->Timeline(info->room_nid, latest,
                                   Direction::kBackward, 1);
    EventMeta tip = *(*store)->Meta(page->entries.at(0).event_nid);
    room.ContinueFrom(tip.event_id, tip.depth);
  } else if (!room.Create("@u0:example.org").ok()) {
    _exit(4);
  }
  std::mt19937 rng(round);
  static const char* kMemberships[] = {"join", "invite", "leave", "ban"};
  for (uint64_t i = 0;; ++i) {
    std::string user = "@u" + std::to_string(rng() % 50) + ":example.org";
    absl::StatusOr<PersistedEvent> persisted;
    switch (rng() % 4) {
      case 0:
        persisted = room.Member(user, kMemberships[rng() % 4]);
        break;
      case 1:
        persisted =
            room.State("org.example.s", "k" + std::to_string(rng() % 40), user);
        break;
      default:
        persisted = room.Message(user, std::string(rng() % 400, 'x'));
    }
    if (!persisted.ok()) _exit(5);
  }
}

std::string Val(const Engine& engine, Cf cf, const std::string& key) {
  auto value = engine.Get(cf, key);
  EXPECT_TRUE(value.ok());
  return value->value_or("<absent>");
}

// Every event is whole; every index row points at a whole event.
void CheckEvents(const Engine& engine, EventStore& store) {
  size_t events = 0;
  auto it = engine.NewIterator(Cf::kEventidEventnid);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++events;
    std::string event_id =
        std::get<0>(*keys::IdKey::Decode(it->key().ToStringView()));
    uint64_t nid =
        std::get<0>(*keys::NidKey::Decode(it->value().ToStringView()));
    auto meta = store.Meta(nid);
    ASSERT_TRUE(meta.ok()) << event_id << ": " << meta.status();
    EXPECT_EQ(meta->event_id, event_id);
    auto json = store.EventJson(nid);
    ASSERT_TRUE(json.ok()) << event_id;
    EXPECT_NE(json->find(kRoomId), std::string::npos);
    ASSERT_NE(meta->stream, 0u);
    EXPECT_EQ(Val(engine, Cf::kStreamEventnid,
                  keys::NidKey::Encode(meta->stream)),
              keys::U64PairValue::Encode(meta->room_nid, nid));
    EXPECT_EQ(Val(engine, Cf::kRoomstreamEventnid,
                  keys::RoomStreamKey::Encode(meta->room_nid, meta->stream)),
              keys::NidKey::Encode(nid));
    EXPECT_EQ(Val(engine, Cf::kRoomtopoEventnid,
                  keys::RoomTopoKey::Encode(meta->room_nid, meta->depth,
                                            meta->stream)),
              keys::NidKey::Encode(nid));
    EXPECT_TRUE(store.Snapshot(meta->state_after).ok());
    EXPECT_TRUE(store.UserId(meta->sender_nid).ok());
  }
  ASSERT_TRUE(it->status().ok());
  // No orphans: as many metas, JSONs and stream rows as events.
  auto count = [&](Cf cf) {
    size_t n = 0;
    auto i = engine.NewIterator(cf);
    for (i->SeekToFirst(); i->Valid(); i->Next()) ++n;
    return n;
  };
  EXPECT_EQ(count(Cf::kEventnidEventmeta), events);
  EXPECT_EQ(count(Cf::kEventnidEventjson), events);
  EXPECT_EQ(count(Cf::kStreamEventnid), events);
  EXPECT_EQ(count(Cf::kRoomstreamEventnid), events);
  EXPECT_EQ(count(Cf::kUseridUsernid), count(Cf::kUsernidUserid));
  EXPECT_EQ(count(Cf::kStatekeyStatekeynid), count(Cf::kStatekeynidStatekey));
}

// The room's derived structures agree with its newest event.
void CheckRoom(EventStore& store) {
  RoomNid room = store.LookupRoom(kRoomId)->room_nid;
  StreamPos latest = *store.LatestStream(room);
  EXPECT_EQ(latest, store.stream().Published());
  auto page = store.Timeline(room, latest, Direction::kBackward, 1);
  EventNid tip = page->entries.at(0).event_nid;
  EXPECT_EQ(*store.ForwardExtremities(room), std::vector<EventNid>{tip});
  auto current = *store.CurrentState(room);
  EXPECT_EQ(*current, **store.StateAtEvent(tip, /*after=*/true));
  std::map<UserNid, Membership> expected;
  for (const auto& [key, event] : *current) {
    StateKey state_key = *store.GetStateKey(key);
    EXPECT_EQ(*store.CurrentStateEvent(room, state_key.type,
                                       state_key.state_key),
              event);
    if (state_key.type == "m.room.member") {
      expected[*store.LookupUser(state_key.state_key)] =
          store.Meta(event)->membership;
    }
  }
  std::map<UserNid, Membership> indexed;
  auto members = store.Members(room);
  ASSERT_TRUE(members.ok());
  for (const Member& m : *members) indexed[m.user_nid] = m.membership;
  EXPECT_EQ(indexed, expected);
  EXPECT_EQ(members->size(), expected.size());  // no stale rows
  for (const auto& [user, membership] : expected) {
    auto rooms = store.RoomsOfUser(user);
    ASSERT_TRUE(rooms.ok());
    ASSERT_EQ(rooms->size(), 1u);
    EXPECT_EQ(rooms->front().membership, membership);
  }
}

// The child is this binary re-executed (a fork of a process with RocksDB's
// background threads would inherit their locks but not the threads).
constexpr char kChildEnv[] = "MYELIN_CRASH_TEST_CHILD";

const int kRunChildIfAsked = [] {
  const char* spec = std::getenv(kChildEnv);  // "<round>:<path>"
  if (spec == nullptr) return 0;
  std::string s(spec);
  size_t colon = s.find(':');
  RunChild(s.substr(colon + 1), std::stoi(s.substr(0, colon)));
}();

pid_t SpawnChild(const std::string& path, int round) {
  pid_t child = fork();
  if (child != 0) return child;
  std::string spec = std::to_string(round) + ":" + path;
  setenv(kChildEnv, spec.c_str(), 1);
  execl("/proc/self/exe", "crash_test_child", static_cast<char*>(nullptr));
  _exit(127);
}

TEST(CrashTest, KilledWritersLeaveWholeEventsOnly) {
  std::string path = testing::NewTempPath("crash");
  std::mt19937 rng(std::random_device{}());
  size_t last_count = 0;
  for (int round = 0; round < kRounds; ++round) {
    pid_t child = SpawnChild(path, round);
    ASSERT_GT(child, 0);
    // Start-up and open take ~0.2 s; kill somewhere in the writing after.
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 500));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "child exited early with " << WEXITSTATUS(status);

    auto engine = Engine::Open(Options(path));
    ASSERT_TRUE(engine.ok()) << engine.status();
    auto store = EventStore::Open(**engine);
    ASSERT_TRUE(store.ok()) << store.status();
    if (!(*store)->LookupRoom(kRoomId).ok()) continue;  // killed before
    CheckEvents(**engine, **store);
    CheckRoom(**store);
    if (HasFatalFailure()) return;
    size_t count = (*store)->stream().Published();
    std::cerr << "round " << round << ": " << count << " events\n";
    EXPECT_GE(count, last_count);
    last_count = count;
  }
  EXPECT_GT(last_count, 0u);
}

}  // namespace
}  // namespace myelin::storage
