// The request-timing modes of sync_probe:
//
//   repeat       one client, the same /sync request (initial by default)
//                --repeat times after --warmup untimed ones: latency and
//                response bytes.
//   incremental  one client in many rooms: initial sync, then --repeat
//                rounds of {send one message to a random room as
//                --sender-token; /sync?since=..&timeout=0, timed, and
//                checked to carry the message; /sync?since=..&timeout=0
//                again with nothing sent, timed as "idle"}.
//   concurrent   --clients connections, client i using token line i (modulo
//                the file), each repeating an initial sync back to back for
//                --duration seconds after --warmup: requests/s, latency,
//                bytes/s over the responses that arrived in the window (as
//                bench/http/loadgen counts); requests/s counts 2xx only.
//
// Shared flags: --port P, --filter JSON (inline filter, default none),
// --request-timeout-ms (default 300000).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/sync/probe.h"
#include "bench/sync/sync_query.h"

namespace myelin::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

Clock::duration RequestTimeout(const Flags& flags) {
  return milliseconds(flags.Int("request-timeout-ms", 300000));
}

struct Counts {
  // Every response counted; failures are in `requests` too.
  uint64_t requests = 0, failures = 0, bytes = 0, max_bytes = 0;
  void Add(const Reply& r) {
    ++requests;
    if (!r.ok()) ++failures;
    bytes += r.body.size();
    max_bytes = std::max<uint64_t>(max_bytes, r.body.size());
  }
  double MeanBytes() const {
    return requests ? static_cast<double>(bytes) / requests : 0;
  }
};

}  // namespace

int RunRepeat(const Flags& flags) {
  const auto endpoint = Endpoint(flags);
  const std::string token = flags.String("token", "");
  const std::string target =
      SyncTarget(flags.String("filter", ""), flags.String("since", ""),
                 flags.Int("timeout-ms", 0));
  const int64_t repeat = flags.Int("repeat", 10);
  const int64_t warmup = flags.Int("warmup", 1);
  const auto timeout = RequestTimeout(flags);
  LatencyHistogram latency;
  Counts counts;
  RunBounded(
      [&]() -> asio::awaitable<void> {
        HttpConnection conn(co_await asio::this_coro::executor, endpoint);
        for (int64_t i = 0; i < warmup + repeat; ++i) {
          Reply r = co_await conn.Call(http::verb::get, target,
                                       token, "", timeout);
          if (!r.ok()) PrintFailure("sync", r);
          if (i < warmup) continue;
          counts.Add(r);
          if (r.ok()) latency.Record(r.nanos());
        }
      },
      std::chrono::seconds(1800));
  std::printf(
      "{\"mode\":\"repeat\",\"requests\":%llu,\"failures\":%llu,"
      "\"mean_bytes\":%.0f,\"max_bytes\":%llu,\"latency_us\":%s}\n",
      static_cast<unsigned long long>(counts.requests),
      static_cast<unsigned long long>(counts.failures), counts.MeanBytes(),
      static_cast<unsigned long long>(counts.max_bytes),
      LatencyJson(latency).c_str());
  return latency.count() > 0 ? 0 : 1;
}

int RunIncremental(const Flags& flags) {
  const auto endpoint = Endpoint(flags);
  const std::string token = flags.String("token", "");
  const std::string sender = flags.String("sender-token", "");
  const std::vector<std::string> rooms = ReadLines(flags.String("rooms", ""));
  const std::string filter = flags.String("filter", "");
  const int64_t repeat = flags.Int("repeat", 200);
  const int64_t warmup = flags.Int("warmup", 10);
  const auto timeout = RequestTimeout(flags);
  const std::string run = RunId();
  std::mt19937_64 rng(flags.Int("seed", 1));
  LatencyHistogram initial, changed, idle, send;
  Counts changed_counts, idle_counts;
  uint64_t missing = 0, initial_bytes = 0;
  RunBounded(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        HttpConnection conn(ex, endpoint), sender_conn(ex, endpoint);
        Reply first = co_await conn.Call(
            http::verb::get, SyncTarget(filter, "", 0),
            token, "", timeout);
        std::optional<std::string> since = NextBatch(first.body);
        if (!first.ok() || !since) {
          PrintFailure("initial sync", first);
          co_return;
        }
        initial.Record(first.nanos());
        initial_bytes = first.body.size();
        // Timed: one sync with since=`since`, which then moves on.
        auto sync = [&]() -> asio::awaitable<Reply> {
          Reply r = co_await conn.Call(
              http::verb::get,
              SyncTarget(filter, *since, 0),
              token, "", timeout);
          if (!r.ok()) PrintFailure("incremental sync", r);
          if (auto next = NextBatch(r.body)) since = *next;
          co_return r;
        };
        for (int64_t i = 0; i < warmup + repeat; ++i) {
          const bool measured = i >= warmup;
          const std::string marker = Marker("incremental", run, i);
          const std::string& room = rooms[rng() % rooms.size()];
          Reply sent = co_await sender_conn.Call(
              http::verb::put, SendTarget(room, run + "." + std::to_string(i)),
              sender, MessageBody(marker), timeout);
          if (!sent.ok()) {
            PrintFailure("send", sent);
            co_return;
          }
          Reply r = co_await sync();
          if (!measured) {
            co_await sync();
            continue;
          }
          send.Record(sent.nanos());
          changed_counts.Add(r);
          if (r.ok()) changed.Record(r.nanos());
          if (r.body.find(marker) == std::string::npos) ++missing;
          Reply quiet = co_await sync();
          idle_counts.Add(quiet);
          if (quiet.ok()) idle.Record(quiet.nanos());
        }
      },
      std::chrono::seconds(1800));
  std::printf(
      "{\"mode\":\"incremental\",\"rooms\":%zu,\"rounds\":%llu,"
      "\"failures\":%llu,\"missing\":%llu,\"initial_bytes\":%llu,"
      "\"mean_bytes\":%.0f,\"idle_mean_bytes\":%.0f,\"initial_us\":%s,"
      "\"sync_us\":%s,\"idle_sync_us\":%s,\"send_us\":%s}\n",
      rooms.size(), static_cast<unsigned long long>(changed_counts.requests),
      static_cast<unsigned long long>(changed_counts.failures +
                                      idle_counts.failures),
      static_cast<unsigned long long>(missing),
      static_cast<unsigned long long>(initial_bytes),
      changed_counts.MeanBytes(), idle_counts.MeanBytes(),
      LatencyJson(initial).c_str(), LatencyJson(changed).c_str(),
      LatencyJson(idle).c_str(), LatencyJson(send).c_str());
  return changed.count() > 0 ? 0 : 1;
}

namespace {

// What the concurrent clients share (one thread, no locks).
struct ConcurrentRun {
  std::string target;
  Clock::duration timeout;
  Clock::time_point begin, end;
  LatencyHistogram latency;
  Counts counts;
  uint64_t cut_off = 0;
};

// A free function, not a lambda: a coroutine lambda's captures die with the
// closure object, which a spawn loop would destroy while it runs.
asio::awaitable<void> ConcurrentClient(ConcurrentRun& run, HttpConnection& conn,
                                       std::string token) {
  while (Clock::now() < run.end) {
    // A request still running a second after the window is abandoned.
    const Clock::duration left = run.end - Clock::now() + std::chrono::seconds(1);
    Reply r = co_await conn.Call(http::verb::get, run.target, token, "",
                                 std::min(run.timeout, left));
    if (r.done > run.end) {
      ++run.cut_off;  // Still running when the window closed.
      continue;
    }
    if (r.done >= run.begin) {
      run.counts.Add(r);
      if (r.ok()) run.latency.Record(r.nanos());
    }
    if (!r.ok()) {
      PrintFailure("sync", r);
      co_await Sleep(milliseconds(10));  // No busy loop on a failing server.
    }
  }
}

}  // namespace

int RunConcurrent(const Flags& flags) {
  const auto endpoint = Endpoint(flags);
  const std::vector<std::string> tokens = ReadLines(flags.String("tokens", ""));
  const int64_t clients = std::max<int64_t>(1, flags.Int("clients", 50));
  const double duration = std::min(flags.Double("duration", 20), 600.0);
  const double warmup = flags.Double("warmup", 5);
  auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(s));
  };
  ConcurrentRun run;
  run.target = SyncTarget(flags.String("filter", ""), "", 0);
  run.timeout = RequestTimeout(flags);
  run.begin = Clock::now() + seconds(warmup);
  run.end = run.begin + seconds(duration);
  RunBounded(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        int alive = 0;
        std::vector<std::unique_ptr<HttpConnection>> conns;
        for (int64_t c = 0; c < clients; ++c) {
          conns.push_back(std::make_unique<HttpConnection>(ex, endpoint));
          ++alive;
          asio::co_spawn(ex,
                         ConcurrentClient(run, *conns.back(),
                                          tokens[c % tokens.size()]),
                         [&alive](std::exception_ptr) { --alive; });
        }
        while (alive > 0) co_await Sleep(milliseconds(10));
      },
      seconds(warmup + duration + 60));
  const Counts& counts = run.counts;
  std::printf(
      "{\"mode\":\"concurrent\",\"clients\":%lld,\"duration_s\":%.1f,"
      "\"requests\":%llu,\"requests_per_s\":%.2f,\"failures\":%llu,"
      "\"cut_off\":%llu,\"mean_bytes\":%.0f,\"mb_per_s\":%.1f,"
      "\"latency_us\":%s}\n",
      static_cast<long long>(clients), duration,
      static_cast<unsigned long long>(counts.requests),
      (counts.requests - counts.failures) / duration,
      static_cast<unsigned long long>(counts.failures),
      static_cast<unsigned long long>(run.cut_off), counts.MeanBytes(),
      counts.bytes / duration / 1e6, LatencyJson(run.latency).c_str());
  return run.latency.count() > 0 ? 0 : 1;
}

}  // namespace myelin::bench
