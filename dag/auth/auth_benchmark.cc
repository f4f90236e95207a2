// CheckAuth throughput: the per-event cost when persisting a large
// send_join response (workload 5 of DESIGN.md).
//
//   bazel run -c opt //dag/auth:auth_benchmark
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "dag/auth/test_room.h"

namespace myelin {
namespace {

// A join into a public v10 room whose power levels list `users` users.
void BM_CheckJoin(benchmark::State& state) {
  TestRoom room("10", "public");
  std::string users = R"({"users": {"@alice:a.org": 100)";
  for (int i = 0; i < state.range(0); ++i) {
    absl::StrAppend(&users, ", \"@u", i, ":m.org\": 1");
  }
  users += "}}";
  room.Add(room.Event("$pl2", "m.room.power_levels", kAlice)
               .StateKey("")
               .Content(users));
  const Pdu join = room.Member("$e", kBob, kBob, "join").Build(room.rules());
  PowerLevelsCache cache;
  const bool cached = state.range(1) != 0;
  for (auto _ : state) {
    absl::Status s = CheckAuth(join, room.rules(), room.state(), {},
                               cached ? &cache : nullptr);
    benchmark::DoNotOptimize(s);
    if (!s.ok()) state.SkipWithError("rejected");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckJoin)
    ->Args({10, 0})
    ->Args({10, 1})
    ->Args({1000, 0})
    ->Args({1000, 1});

// A power levels change by the admin, re-checking every users entry.
void BM_CheckPowerLevelsChange(benchmark::State& state) {
  TestRoom room("10", "public");
  std::string users = R"({"users": {"@alice:a.org": 100)";
  for (int i = 0; i < state.range(0); ++i) {
    absl::StrAppend(&users, ", \"@u", i, ":m.org\": 1");
  }
  const std::string next = users + R"(, "@new:m.org": 5}})";
  users += "}}";
  room.Add(room.Event("$pl2", "m.room.power_levels", kAlice)
               .StateKey("")
               .Content(users));
  const Pdu pl = room.Event("$e", "m.room.power_levels", kAlice)
                     .StateKey("")
                     .Content(next)
                     .Build(room.rules());
  PowerLevelsCache cache;
  for (auto _ : state) {
    absl::Status s = CheckAuth(pl, room.rules(), room.state(), {}, &cache);
    benchmark::DoNotOptimize(s);
    if (!s.ok()) state.SkipWithError("rejected");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CheckPowerLevelsChange)->Arg(10)->Arg(1000);

}  // namespace
}  // namespace myelin
