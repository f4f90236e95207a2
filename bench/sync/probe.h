// The sync benchmark client (sync_probe): its modes, each one measurement of
// bench/sync/README.md, and the small helpers they share. Every mode runs on
// one io_context thread, prints one JSON line on stdout and returns the exit
// status (0 when something was measured).
#ifndef MYELIN_BENCH_SYNC_PROBE_H_
#define MYELIN_BENCH_SYNC_PROBE_H_

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/http/latency_stats.h"
#include "bench/sync/http_client.h"

namespace myelin::bench {

// "--name value" pairs; every flag takes a value.
class Flags {
 public:
  // Returns nullopt (and prints why) on a malformed command line.
  static std::optional<Flags> Parse(const std::vector<std::string_view>& args);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string String(const std::string& name, std::string fallback) const;
  // Exits with status 2 on a value that is not a number.
  int64_t Int(const std::string& name, int64_t fallback) const;
  double Double(const std::string& name, double fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

// The loopback endpoint of --port.
boost::asio::ip::tcp::endpoint Endpoint(const Flags& flags);

// Non-empty lines of a file; exits with status 2 if it cannot be read or
// holds no line.
std::vector<std::string> ReadLines(const std::string& path);

// {"count":..,"min":..,"mean":..,"p50":..,"p90":..,"p99":..,"max":..} of a
// histogram of nanoseconds, in microseconds.
std::string LatencyJson(const LatencyHistogram& h);

// Prints why a request failed to stderr; only the first few of a run, so a
// failing server does not flood the terminal.
void PrintFailure(const char* what, const Reply& r);

// Waits `d` on the current coroutine's executor.
boost::asio::awaitable<void> Sleep(Clock::duration d);

// A distinct id per run, so transaction ids and markers never repeat.
std::string RunId();

// Runs `main` on a fresh single-threaded io_context; the context is stopped
// after `limit` even if something hangs (the benchmark always ends).
void RunBounded(std::function<boost::asio::awaitable<void>()> main,
                Clock::duration limit);

int RunFanout(const Flags& flags);
int RunRepeat(const Flags& flags);
int RunIncremental(const Flags& flags);
int RunConcurrent(const Flags& flags);

}  // namespace myelin::bench

#endif  // MYELIN_BENCH_SYNC_PROBE_H_
