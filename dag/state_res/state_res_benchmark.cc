// Workload 6 of DESIGN.md: state resolution of two forks of a large room.
//
//   bazel run -c opt //dag/state_res:state_res_benchmark
//
// Arguments: members in the room, conflicting changes per fork.
#include <cstdlib>

#include "benchmark/benchmark.h"
#include "dag/state_res/large_room.h"

namespace myelin {
namespace {

void Check(const absl::StatusOr<StateMap>& got, const LargeRoom& room,
           benchmark::State& state) {
  if (!got.ok() ||
      got->at(StateKey("m.room.member", LargeRoom::UserId(0))) != "$ban0" ||
      got->at(StateKey("m.room.topic", "")) != "$topic-a") {
    state.SkipWithError("wrong resolution");
  }
  (void)room;
}

// Auth chains computed by the resolver from the state sets.
void BM_ResolveTwoForks(benchmark::State& state) {
  const LargeRoom room(*FindRoomVersion("10"), state.range(0), state.range(1));
  const std::vector<StateMap> sets = {room.fork_a(), room.fork_b()};
  const StateResCallbacks cb = room.Callbacks();
  for (auto _ : state) {
    absl::StatusOr<StateMap> got = ResolveState(room.rules(), sets, cb);
    benchmark::DoNotOptimize(got);
    Check(got, room, state);
  }
  state.counters["state"] = room.fork_a().size();
  state.counters["events"] = room.event_count();
}
BENCHMARK(BM_ResolveTwoForks)
    ->Args({1000, 100})
    ->Args({10000, 100})
    ->Args({10000, 1000})
    ->Args({50000, 1000})
    ->Unit(benchmark::kMillisecond);

// Auth chains supplied by the caller (as from a storage index).
void BM_ResolveTwoForksGivenAuthChains(benchmark::State& state) {
  const LargeRoom room(*FindRoomVersion("10"), state.range(0), state.range(1));
  const std::vector<StateMap> sets = {room.fork_a(), room.fork_b()};
  const std::vector<absl::flat_hash_set<std::string>> chains = {
      room.AuthChainOf(room.fork_a()), room.AuthChainOf(room.fork_b())};
  const StateResCallbacks cb = room.Callbacks();
  for (auto _ : state) {
    absl::StatusOr<StateMap> got =
        ResolveStateWithAuthChains(room.rules(), sets, chains, cb);
    benchmark::DoNotOptimize(got);
    Check(got, room, state);
  }
}
BENCHMARK(BM_ResolveTwoForksGivenAuthChains)
    ->Args({10000, 100})
    ->Args({10000, 1000})
    ->Unit(benchmark::kMillisecond);

// Room v12: state resolution v2.1 (from the empty state, plus the
// conflicted state subgraph).
void BM_ResolveTwoForksV12(benchmark::State& state) {
  const LargeRoom room(*FindRoomVersion("12"), state.range(0), state.range(1));
  const std::vector<StateMap> sets = {room.fork_a(), room.fork_b()};
  const StateResCallbacks cb = room.Callbacks();
  for (auto _ : state) {
    absl::StatusOr<StateMap> got = ResolveState(room.rules(), sets, cb);
    benchmark::DoNotOptimize(got);
    Check(got, room, state);
  }
}
BENCHMARK(BM_ResolveTwoForksV12)
    ->Args({10000, 100})
    ->Args({10000, 1000})
    ->Unit(benchmark::kMillisecond);

// Room v1: state resolution v1.
void BM_ResolveTwoForksV1(benchmark::State& state) {
  const LargeRoom room(*FindRoomVersion("1"), state.range(0), state.range(1));
  const std::vector<StateMap> sets = {room.fork_a(), room.fork_b()};
  const StateResCallbacks cb = room.Callbacks();
  for (auto _ : state) {
    absl::StatusOr<StateMap> got = ResolveState(room.rules(), sets, cb);
    benchmark::DoNotOptimize(got);
  }
}
BENCHMARK(BM_ResolveTwoForksV1)
    ->Args({10000, 1000})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace myelin
