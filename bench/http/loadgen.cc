// Closed-loop HTTP/1.1 load generator. Opens N keep-alive connections to one
// loopback URL; each sends its next request as soon as the previous response
// has arrived, reconnecting when the server closes it. Responses that arrive
// during the measured window (after the warm-up) count towards requests/s and
// the latency histogram. Closed loop means latency under overload is hidden
// by the client slowing down (coordinated omission): read p99 with that in
// mind, and compare servers at equal connection counts.
//
// Each client thread runs its own single-threaded io_context with a share of
// the connections and its own counters, merged after the run, so the hot path
// takes no locks. The run ends by itself: every socket operation expires at
// the end of the window at the latest.
//
// Usage: see LoadgenUsage() in loadgen_options.cc, or run with --help.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/http/latency_stats.h"
#include "bench/http/loadgen_options.h"
#include "bench/http/run_report.h"

namespace myelin::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kUseAwaitable = asio::as_tuple(asio::use_awaitable);
// Responses larger than this are an error: /versions-like targets are tiny.
constexpr uint64_t kResponseBodyLimit = 16 * 1024 * 1024;
// Pause before reconnecting after a failed connect, so a dead server does not
// turn the generator into a busy loop.
constexpr auto kReconnectBackoff = std::chrono::milliseconds(20);
// Workers are stopped this long after the window even if something hangs.
constexpr auto kStopGrace = std::chrono::seconds(2);

// Read-only state shared by all connections of all threads.
struct Plan {
  tcp::endpoint endpoint;
  // Connection i sends requests[i % size] (one per --targets line).
  std::vector<http::request<http::string_body>> requests;
  // Some target holds {seq}: each request then gets its own copy, with
  // "<run_id>.<connection>.<n>" in place of it.
  bool expand_seq = false;
  std::string run_id;
  Clock::duration timeout;
  Clock::time_point measure_begin;
  Clock::time_point end;
};

// One client thread's io_context and counters; touched by that thread only.
struct Worker {
  asio::io_context ioc{1};
  RunResult result;
  // Connections still running; the last one to finish cancels stop_timer so
  // that ioc.run() returns as soon as the window has closed.
  int live_connections = 0;
  // Backstop: stops ioc kStopGrace after the window even if an operation
  // ignores its expiry.
  asio::steady_timer stop_timer{ioc};
};

bool InWindow(const Plan& plan, Clock::time_point t) {
  return t >= plan.measure_begin && t < plan.end;
}

// Failures after the window closes are the window closing, not errors.
void CountError(const Plan& plan, Worker& w) {
  if (InWindow(plan, Clock::now())) ++w.result.errors;
}

// The next request of `connection`; `seq` counts its requests across
// reconnects. Copies the request only when its target has a {seq}.
const http::request<http::string_body>& NextRequest(
    const Plan& plan, int connection, uint64_t& seq,
    http::request<http::string_body>& scratch) {
  const auto& base = plan.requests[connection % plan.requests.size()];
  if (!plan.expand_seq) return base;
  scratch = base;
  const auto target = base.target();
  scratch.target(ExpandSeq(
      std::string_view(target.data(), target.size()),
      plan.run_id + "." + std::to_string(connection) + "." +
          std::to_string(seq++)));
  return scratch;
}

// Sends requests on one connection until the window closes or the
// connection breaks. Returns true when the connection should be reopened.
asio::awaitable<bool> Exchange(const Plan& plan, Worker& w,
                               beast::tcp_stream& stream, int connection,
                               uint64_t& seq) {
  beast::flat_buffer buffer;
  http::request<http::string_body> scratch;
  for (;;) {
    const Clock::time_point start = Clock::now();
    if (start >= plan.end) co_return false;
    stream.expires_at(std::min(start + plan.timeout, plan.end));
    auto [write_ec, written] = co_await http::async_write(
        stream, NextRequest(plan, connection, seq, scratch), kUseAwaitable);
    if (write_ec) {
      CountError(plan, w);
      co_return true;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kResponseBodyLimit);
    auto [read_ec, read] =
        co_await http::async_read(stream, buffer, parser, kUseAwaitable);
    const Clock::time_point done = Clock::now();
    if (read_ec) {
      CountError(plan, w);
      co_return true;
    }
    if (InWindow(plan, done)) {
      ++w.result.responses;
      const unsigned status = parser.get().result_int();
      if (status < 200 || status > 299) ++w.result.non_2xx;
      w.result.latency_ns.Record(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(done - start)
              .count()));
    }
    if (!parser.get().keep_alive()) co_return true;
  }
}

asio::awaitable<void> RunConnection(const Plan& plan, Worker& w,
                                    int connection) {
  auto executor = co_await asio::this_coro::executor;
  uint64_t seq = 0;
  for (bool first = true; Clock::now() < plan.end; first = false) {
    if (!first) ++w.result.reconnects;
    beast::tcp_stream stream(executor);
    stream.expires_at(std::min(Clock::now() + plan.timeout, plan.end));
    auto [connect_ec] =
        co_await stream.async_connect(plan.endpoint, kUseAwaitable);
    if (connect_ec) {
      CountError(plan, w);
      asio::steady_timer backoff(executor);
      backoff.expires_at(std::min(Clock::now() + kReconnectBackoff, plan.end));
      co_await backoff.async_wait(kUseAwaitable);
      continue;
    }
    beast::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    if (!co_await Exchange(plan, w, stream, connection, seq)) co_return;
  }
}

// Only loopback targets: the generator is for measuring this machine.
std::optional<asio::ip::address> LoopbackAddress(const std::string& host) {
  if (host == "localhost") return asio::ip::make_address_v4("127.0.0.1");
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec || !address.is_loopback()) return std::nullopt;
  return address;
}

http::request<http::string_body> BuildRequest(const LoadgenOptions& o,
                                              const ConnectionTarget& t) {
  http::request<http::string_body> req(http::string_to_verb(o.method),
                                       t.target, 11);
  req.set(http::field::host, o.url.host_header);
  req.set(http::field::user_agent, "myelin-loadgen");
  if (!o.body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : o.headers) req.set(name, value);
  for (const auto& [name, value] : t.headers) req.set(name, value);
  req.body() = o.body;
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

RunResult Run(const LoadgenOptions& o,
              const std::vector<ConnectionTarget>& targets,
              const asio::ip::address& address) {
  using std::chrono::duration_cast;
  using Seconds = std::chrono::duration<double>;
  Plan plan;
  plan.endpoint = tcp::endpoint(address, o.url.port);
  for (const ConnectionTarget& target : targets) {
    plan.requests.push_back(BuildRequest(o, target));
    plan.expand_seq |=
        target.target.find(kSeqPlaceholder) != std::string::npos;
  }
  // Distinct between runs, so a second run against the same server does not
  // replay the first one's transaction ids.
  plan.run_id = std::to_string(
      std::chrono::system_clock::now().time_since_epoch().count());  plan.timeout = duration_cast<Clock::duration>(Seconds(o.timeout_seconds));
  plan.measure_begin =
      Clock::now() + duration_cast<Clock::duration>(Seconds(o.warmup_seconds));
  plan.end = plan.measure_begin +
             duration_cast<Clock::duration>(Seconds(o.duration_seconds));

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < o.threads; ++i) {
    workers.push_back(std::make_unique<Worker>());
  }
  for (int c = 0; c < o.connections; ++c) {
    Worker& w = *workers[c % o.threads];
    ++w.live_connections;
    asio::co_spawn(w.ioc, RunConnection(plan, w, c), [&w](std::exception_ptr e) {
      if (e) ++w.result.errors;  // Allocation failure and the like.
      if (--w.live_connections == 0) w.stop_timer.cancel();
    });
  }
  std::vector<std::thread> threads;
  for (auto& worker : workers) {
    Worker* w = worker.get();
    w->stop_timer.expires_at(plan.end + kStopGrace);
    w->stop_timer.async_wait([w](beast::error_code ec) {
      if (ec != asio::error::operation_aborted) w->ioc.stop();
    });
    threads.emplace_back([w] { w->ioc.run(); });
  }
  for (std::thread& t : threads) t.join();

  RunResult total;
  for (auto& worker : workers) {
    const RunResult& r = worker->result;
    total.responses += r.responses;
    total.non_2xx += r.non_2xx;
    total.errors += r.errors;
    total.reconnects += r.reconnects;
    total.latency_ns.Merge(r.latency_ns);
  }
  return total;
}

int Main(const std::vector<std::string_view>& args) {
  ParsedArgs parsed = ParseLoadgenArgs(args);
  if (parsed.help) {
    std::fputs(LoadgenUsage().c_str(), stdout);
    return 0;
  }
  if (!parsed.options) {
    std::fprintf(stderr, "loadgen: %s\n", parsed.error.c_str());
    return 2;
  }
  for (const std::string& w : parsed.warnings) {
    std::fprintf(stderr, "loadgen: %s\n", w.c_str());
  }
  const LoadgenOptions& o = *parsed.options;
  std::optional<asio::ip::address> address = LoopbackAddress(o.url.host);
  if (!address) {
    std::fprintf(stderr, "loadgen: %s is not a loopback address\n",
                 o.url.host.c_str());
    return 2;
  }
  std::vector<ConnectionTarget> targets = {{o.url.target, {}}};
  if (!o.targets_file.empty()) {
    std::ifstream file(o.targets_file);
    std::stringstream text;
    text << file.rdbuf();
    ParsedTargets parsed_targets = ParseTargets(text.str());
    if (!file || !parsed_targets.error.empty()) {
      std::fprintf(stderr, "loadgen: --targets %s: %s\n",
                   o.targets_file.c_str(),
                   file ? parsed_targets.error.c_str() : "cannot read");
      return 2;
    }
    targets = std::move(parsed_targets.targets);
  }
  RunResult result = Run(o, targets, *address);
  result.url = "http://" + o.url.host_header + o.url.target;
  result.connections = o.connections;
  result.threads = o.threads;
  result.elapsed_seconds = o.duration_seconds;
  const std::string out =
      o.json ? FormatJson(result) + "\n" : FormatText(result);
  std::fputs(out.c_str(), stdout);
  // A run without a single response measured nothing.
  return result.responses > 0 ? 0 : 1;
}

}  // namespace
}  // namespace myelin::bench

int main(int argc, char** argv) {
  try {
    return myelin::bench::Main(
        std::vector<std::string_view>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    return 1;
  }
}
