// Benchmarks of the event store: persisting events (one WriteBatch each)
// and reading a large room's state.
//
//   bazel run -c opt //bench:event_store_bench -- --benchmark_min_time=0.05
//
// Databases live in fresh directories under $TMPDIR (default /tmp) and are
// deleted afterwards. Persist figures are single-threaded; "sync" runs
// fsync the WAL per write (the server's default), "nosync" do not.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "storage/engine.h"
#include "storage/events/event_store.h"
#include "storage/events/test_room.h"

namespace myelin::storage {
namespace {

using testing::BuiltEvent;
using testing::TestRoom;

class BenchDb {
 public:
  explicit BenchDb(bool sync, EventStoreOptions store_options = {}) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp ? tmp : "/tmp") + "/evbench.XXXXXX";
    path_ = mkdtemp(pattern.data());
    EngineOptions options;
    options.path = path_ + "/db";
    options.server_name = "example.org";
    options.sync_writes = sync;
    engine_ = *Engine::Open(options);
    store_ = *EventStore::Open(*engine_, store_options);
  }
  ~BenchDb() {
    store_.reset();
    engine_.reset();
    std::filesystem::remove_all(path_);
  }
  EventStore& store() { return *store_; }
  Engine& engine() { return *engine_; }

 private:
  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<EventStore> store_;
};

std::string User(int i) { return "@user" + std::to_string(i) + ":example.org"; }

// A room with a create event, `members` joined users and `extra_state`
// other state events.
void Populate(TestRoom& room, int members, int extra_state) {
  if (!room.Create(User(0)).ok()) std::abort();
  for (int i = 0; i < members; ++i) {
    if (!room.Member(User(i), "join").ok()) std::abort();
  }
  for (int i = 0; i < extra_state; ++i) {
    if (!room.State("org.example.state", "k" + std::to_string(i), User(0))
             .ok()) {
      std::abort();
    }
  }
}

// Builds events outside the timed loop, `batch` at a time.
template <typename Make>
void PersistLoop(benchmark::State& state, TestRoom& room, Make make) {
  constexpr int kBatch = 512;
  std::vector<BuiltEvent> events;
  size_t next = 0;
  for (auto _ : state) {
    if (next == events.size()) {
      state.PauseTiming();
      events.clear();
      for (int i = 0; i < kBatch; ++i) events.push_back(make(i));
      next = 0;
      state.ResumeTiming();
    }
    auto persisted = room.Persist(events[next++]);
    if (!persisted.ok()) state.SkipWithError("persist failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PersistMessage(benchmark::State& state) {
  BenchDb db(/*sync=*/state.range(0) != 0);
  TestRoom room(db.store(), "!bench:example.org");
  Populate(room, 20, static_cast<int>(state.range(1)));
  std::string body(200, 'x');
  PersistLoop(state, room, [&](int i) {
    return room.Next("m.room.message", User(i % 20), std::nullopt,
                     R"({"msgtype":"m.text","body":")" + body + "\"}");
  });
}
// (sync, extra state events in the room)
BENCHMARK(BM_PersistMessage)
    ->ArgNames({"sync", "room_state"})
    ->Args({0, 0})
    ->Args({0, 10000})
    ->Args({1, 0})
    ->UseRealTime();

void BM_PersistStateEvent(benchmark::State& state) {
  BenchDb db(/*sync=*/state.range(0) != 0);
  TestRoom room(db.store(), "!bench:example.org");
  Populate(room, 20, static_cast<int>(state.range(1)));
  int key = 0;
  PersistLoop(state, room, [&](int) {
    return room.Next("org.example.new", User(0),
                     "n" + std::to_string(key++), R"({"v":1})");
  });
}
BENCHMARK(BM_PersistStateEvent)
    ->ArgNames({"sync", "room_state"})
    ->Args({0, 0})
    ->Args({0, 10000})
    ->Args({1, 0})
    ->UseRealTime();

// Membership changes: current state, membership indexes and (for new
// users) nid assignments in the same batch.
void BM_PersistJoin(benchmark::State& state) {
  BenchDb db(/*sync=*/false);
  TestRoom room(db.store(), "!bench:example.org");
  Populate(room, 1, 0);
  int user = 1;
  PersistLoop(state, room, [&](int) {
    std::string id = User(user++);
    return room.Next("m.room.member", id, id, R"({"membership":"join"})");
  });
}
BENCHMARK(BM_PersistJoin)->UseRealTime();

// Several threads, one room each, one shared database: RocksDB groups the
// concurrent commits, so with sync on several writes share one fsync.
void BM_PersistMessageThreads(benchmark::State& state) {
  static std::once_flag once;
  static BenchDb* db = nullptr;  // shared by the threads; lives until exit
  std::call_once(once, [&] { db = new BenchDb(state.range(0) != 0); });
  static std::atomic<int> rooms{0};  // unique across runs: one database
  TestRoom room(db->store(), "!t" + std::to_string(rooms++) + ":example.org");
  Populate(room, 5, 0);
  PersistLoop(state, room, [&](int i) {
    return room.Next("m.room.message", User(i % 5), std::nullopt,
                     R"({"msgtype":"m.text","body":"hello"})");
  });
}
BENCHMARK(BM_PersistMessageThreads)
    ->ArgName("sync")
    ->Arg(1)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->UseRealTime();

// Full state of a room with ~10,000 state events.
class LargeRoom {
 public:
  explicit LargeRoom(size_t cache_entries) {
    EventStoreOptions options;
    options.snapshot_cache_entries = cache_entries;
    db_ = std::make_unique<BenchDb>(false, options);
    room_ = std::make_unique<TestRoom>(db_->store(), "!large:example.org");
    Populate(*room_, 2000, 8000);
    room_nid_ = db_->store().LookupRoom(room_->room_id())->room_nid;
  }
  EventStore& store() { return db_->store(); }
  RoomNid room_nid() const { return room_nid_; }

 private:
  std::unique_ptr<BenchDb> db_;
  std::unique_ptr<TestRoom> room_;
  RoomNid room_nid_ = 0;
};

void BM_CurrentStateLargeRoomCached(benchmark::State& state) {
  LargeRoom room(1'000'000);
  for (auto _ : state) {
    auto current = room.store().CurrentState(room.room_nid());
    benchmark::DoNotOptimize(current);
  }
  state.counters["state_events"] =
      static_cast<double>((*room.store().CurrentState(room.room_nid()))->size());
}
BENCHMARK(BM_CurrentStateLargeRoomCached)->Unit(benchmark::kMicrosecond);

// Cache disabled: every read loads the full snapshot and its deltas from
// RocksDB (block cache warm) and materialises the map.
void BM_CurrentStateLargeRoomUncached(benchmark::State& state) {
  LargeRoom room(0);
  for (auto _ : state) {
    auto current = room.store().CurrentState(room.room_nid());
    benchmark::DoNotOptimize(current);
  }
  state.counters["state_events"] =
      static_cast<double>((*room.store().CurrentState(room.room_nid()))->size());
}
BENCHMARK(BM_CurrentStateLargeRoomUncached)->Unit(benchmark::kMicrosecond);

// Full state with ids instead of nids (what /state and initial /sync need).
void BM_CurrentStateEntriesLargeRoom(benchmark::State& state) {
  LargeRoom room(1'000'000);
  for (auto _ : state) {
    auto current = room.store().CurrentState(room.room_nid());
    auto entries = room.store().ToEntries(**current);
    benchmark::DoNotOptimize(entries);
  }
}
BENCHMARK(BM_CurrentStateEntriesLargeRoom)->Unit(benchmark::kMillisecond);

// Joined members of the large room (the membership index).
void BM_JoinedMembersLargeRoom(benchmark::State& state) {
  LargeRoom room(1'000'000);
  for (auto _ : state) {
    auto members = room.store().Members(room.room_nid(), Membership::kJoin);
    benchmark::DoNotOptimize(members);
  }
}
BENCHMARK(BM_JoinedMembersLargeRoom)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace myelin::storage
