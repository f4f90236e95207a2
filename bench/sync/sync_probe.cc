// sync_probe: the client of the /sync workloads (bench/sync/README.md).
//
//   sync_probe MODE --port P [--flag value]...
//
// MODE is fanout (fanout.cc), repeat, incremental or concurrent
// (measures.cc); each file's header lists its flags. Loopback only, plain
// HTTP. Prints one JSON line; exit status 0 when something was measured, 1
// otherwise, 2 for a bad command line.
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "bench/sync/probe.h"

int main(int argc, char** argv) {
  using namespace myelin::bench;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs("usage: sync_probe fanout|repeat|incremental|concurrent "
               "--port P [--flag value]...\n", stderr);
    return 2;
  }
  std::optional<Flags> flags = Flags::Parse(
      std::vector<std::string_view>(args.begin() + 1, args.end()));
  if (!flags) return 2;
  try {
    if (args[0] == "fanout") return RunFanout(*flags);
    if (args[0] == "repeat") return RunRepeat(*flags);
    if (args[0] == "incremental") return RunIncremental(*flags);
    if (args[0] == "concurrent") return RunConcurrent(*flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sync_probe: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "sync_probe: unknown mode %.*s\n",
               static_cast<int>(args[0].size()), args[0].data());
  return 2;
}
