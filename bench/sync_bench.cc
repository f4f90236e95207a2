// /sync computed in process (server/sync/sync.h), without HTTP: the server
// time of the standard sync workloads (../shared/DESIGN.md, workloads 3 and
// 4). bench/sync/ drives the same workloads over HTTP.
//
//   bazel run -c opt //bench:sync_bench -- --benchmark_min_time=0.5
//
// Environment: SYNC_BENCH_ROOMS (default 300), SYNC_BENCH_MEMBERS (300) and
// SYNC_BENCH_EVENTS (100) shape the initial-sync user's rooms.
//
// BM_IncrementalSync/rooms:N — a user in N rooms; per iteration one room
// gets a message and the user syncs from the previous token. Its time must
// not grow with N (compare rooms:100 with rooms:1000).
// BM_InitialSync/lazy:L — the user's first sync with the default timeline
// limit (10), lazy-loaded members (L=1) or every member (L=0).
// BM_PointRead is the baseline: one stored event's JSON read by nid.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "boost/json/serialize.hpp"
#include "server/sync/sync.h"
#include "server/sync/sync_testing.h"
#include "storage/events/event_store.h"
#include "storage/events/test_room.h"

namespace myelin::sync {
namespace {

using storage::testing::TestRoom;
using testing::SyncDb;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : fallback;
}

std::string User(int i) { return "@user" + std::to_string(i) + ":example.org"; }

template <typename T>
T Must(absl::StatusOr<T> value) {
  if (!value.ok()) {
    fprintf(stderr, "setup failed: %s\n", value.status().ToString().c_str());
    std::abort();
  }
  return *std::move(value);
}

// `rooms` rooms of `members` joined users (user0 first) and `events`
// messages each.
std::vector<std::unique_ptr<TestRoom>> Populate(SyncDb& db, int rooms,
                                                int members, int events) {
  std::vector<std::unique_ptr<TestRoom>> all;
  for (int r = 0; r < rooms; ++r) {
    auto room = std::make_unique<TestRoom>(
        db.store(), "!room" + std::to_string(r) + ":example.org");
    Must(room->Create(User(0)));
    for (int m = 0; m < members; ++m) Must(room->Member(User(m), "join"));
    for (int e = 0; e < events; ++e) Must(room->Message(User(e % members)));
    all.push_back(std::move(room));
  }
  db.Settle();
  return all;
}

void BM_PointRead(benchmark::State& state) {
  SyncDb db;
  auto rooms = Populate(db, 1, 10, 100);
  storage::EventNid nid = Must(db.store().LookupEvent(rooms[0]->last_event_id()));
  for (auto _ : state) benchmark::DoNotOptimize(Must(db.store().EventJson(nid)));
}
BENCHMARK(BM_PointRead);

void BM_IncrementalSync(benchmark::State& state) {
  SyncDb db;
  int room_count = static_cast<int>(state.range(0));
  auto rooms = Populate(db, room_count, 5, 10);
  SyncRequest request;
  request.user_id = User(0);
  request.device_id = "DEV";
  SyncResult initial = Must(ComputeSync(db.sources(), request));
  request.since = initial.next;
  int next_room = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Must(rooms[next_room]->Message(User(1)));
    next_room = (next_room + 7) % room_count;
    state.ResumeTiming();
    SyncResult result = Must(ComputeSync(db.sources(), request));
    if (result.body["rooms"].as_object()["join"].as_object().size() != 1) {
      state.SkipWithError("expected exactly one changed room");
    }
    request.since = result.next;
  }
}
BENCHMARK(BM_IncrementalSync)->ArgName("rooms")->Arg(100)->Arg(1000);

void BM_InitialSync(benchmark::State& state) {
  static SyncDb* db = nullptr;
  if (db == nullptr) {
    db = new SyncDb();  // Shared by both variants; freed at exit.
    Populate(*db, EnvInt("SYNC_BENCH_ROOMS", 300),
             EnvInt("SYNC_BENCH_MEMBERS", 300), EnvInt("SYNC_BENCH_EVENTS", 100));
  }
  SyncRequest request;
  request.user_id = User(0);
  request.device_id = "DEV";
  request.filter.room.state.lazy_load_members = state.range(0) != 0;
  size_t bytes = 0;
  for (auto _ : state) {
    SyncResult result = Must(ComputeSync(db->sources(), request));
    bytes = boost::json::serialize(result.body).size();
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_InitialSync)
    ->ArgName("lazy")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace myelin::sync
