// Micro-benchmarks of the storage key codecs: every read and write of the
// server encodes at least one key, so these sit on every hot path.
//
//   bazel run -c opt //bench:keys_bench -- --benchmark_min_time=0.05
#include <cstdint>
#include <string>

#include "benchmark/benchmark.h"
#include "storage/keys/codec.h"

namespace myelin::storage::keys {
namespace {

using RoomEventKey = Key<uint64_t, std::string>;
using StateKey = Key<uint64_t, std::string, std::string>;

void BM_EncodeU64(benchmark::State& state) {
  uint64_t v = 0x0123456789abcdef;
  for (auto _ : state) {
    std::string k = Key<uint64_t>::Encode(v++);
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_EncodeU64);

void BM_DecodeU64(benchmark::State& state) {
  std::string k = Key<uint64_t>::Encode(0x0123456789abcdef);
  for (auto _ : state) {
    auto v = Key<uint64_t>::Decode(k);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_DecodeU64);

void BM_EncodeRoomEvent(benchmark::State& state) {
  uint64_t room = 42;
  for (auto _ : state) {
    std::string k = RoomEventKey::Encode(
        room++, "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg");
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_EncodeRoomEvent);

void BM_DecodeRoomEvent(benchmark::State& state) {
  std::string k =
      RoomEventKey::Encode(42, "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg");
  for (auto _ : state) {
    auto parts = RoomEventKey::Decode(k);
    benchmark::DoNotOptimize(parts);
  }
}
BENCHMARK(BM_DecodeRoomEvent);

void BM_EncodeStateKey(benchmark::State& state) {
  for (auto _ : state) {
    std::string k = StateKey::Encode(7, "m.room.member", "@alice:example.org");
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(BM_EncodeStateKey);

void BM_DecodeStateKey(benchmark::State& state) {
  std::string k = StateKey::Encode(7, "m.room.member", "@alice:example.org");
  for (auto _ : state) {
    auto parts = StateKey::Decode(k);
    benchmark::DoNotOptimize(parts);
  }
}
BENCHMARK(BM_DecodeStateKey);

}  // namespace
}  // namespace myelin::storage::keys
