// Fan-out: every member of one room long-polls /sync; a sender posts
// messages one at a time, each once every member has received the previous
// one and is polling again. Records, for each (message, member), the time
// from the start of the send (and from its acknowledgement) to the moment the
// member's /sync response carrying the message had been read.
//
//   sync_probe fanout --port P --tokens FILE --room ROOM_ID --sender-token T
//     [--members 200] [--messages 50] [--filter JSON] [--timeout-ms 30000]
//     [--gap-ms 20] [--quiet-ms 1000] [--deliver-timeout-ms 10000]
//
// Members are the first --members lines of --tokens. Before the first
// message the members' polls must be quiet for --quiet-ms (the initial syncs
// mark everyone online, and those presence changes wake the others' polls),
// waited for at most 30 s. Before each message every member must have a poll
// written and --gap-ms must have passed, so that the server holds all polls
// when the event arrives. A response without the awaited message (presence,
// receipts, a poll timeout) is counted as an "other wake-up" and the member
// polls again.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/sync/probe.h"
#include "bench/sync/sync_query.h"

namespace myelin::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

struct FanoutOptions {
  asio::ip::tcp::endpoint endpoint;
  std::vector<std::string> tokens;
  std::string room;
  std::string sender_token;
  int messages = 50;
  std::string filter;
  int64_t timeout_ms = 30000;
  milliseconds gap{20};
  milliseconds quiet{1000};
  milliseconds deliver_timeout{10000};
};

struct Member {
  Member(asio::any_io_executor ex, const asio::ip::tcp::endpoint& ep,
         std::string t)
      : conn(std::move(ex), ep), token(std::move(t)) {}
  HttpConnection conn;
  std::string token;
  std::string since;
  // The first message this member has not received yet.
  int next = 0;
  bool polling = false;
};

// Shared by the sender and all members; one thread, so no locks.
struct FanoutState {
  explicit FanoutState(const FanoutOptions& o)
      : options(o), delivered(o.messages), pending(o.messages, 0) {}
  const FanoutOptions& options;
  std::string run = RunId();
  // Messages 0..armed-1 have been (or are being) sent.
  int armed = 0;
  std::vector<std::string> markers;
  std::vector<Clock::time_point> send_start, send_ack;
  std::vector<std::vector<Clock::time_point>> delivered;
  std::vector<int> pending;
  int ready = 0;        // Members past their initial sync.
  int polling = 0;      // Members with a poll written and unanswered.
  bool measuring = false;
  bool stopping = false;
  Clock::time_point last_wakeup = Clock::now();
  uint64_t other_wakeups = 0, errors = 0, non_2xx = 0, failed_members = 0;
};

// Records which awaited messages `body` carries. Returns false if none.
bool Deliver(FanoutState& s, Member& m, const Reply& reply) {
  bool any = false;
  for (int k = m.next; k < s.armed; ++k) {
    if (reply.body.find(s.markers[k]) == std::string::npos) continue;
    s.delivered[k].push_back(reply.done);
    --s.pending[k];
    m.next = k + 1;
    any = true;
  }
  return any;
}

asio::awaitable<void> RunMember(FanoutState& s, Member& m) {
  const FanoutOptions& o = s.options;
  const auto request_timeout = milliseconds(o.timeout_ms) + std::chrono::seconds(60);
  Reply initial = co_await m.conn.Call(
      http::verb::get, SyncTarget(o.filter, "", 0),
      m.token, "", request_timeout);
  std::optional<std::string> since = NextBatch(initial.body);
  if (!initial.ok() || !since) {
    PrintFailure("initial sync", initial);
    ++s.failed_members;
    co_return;
  }
  m.since = *since;
  ++s.ready;
  while (!s.stopping) {
    Reply r = co_await m.conn.Call(
        http::verb::get,
        SyncTarget(o.filter, m.since, o.timeout_ms),
        m.token, "", request_timeout, [&] {
          m.polling = true;
          ++s.polling;
        });
    if (m.polling) {
      m.polling = false;
      --s.polling;
    }
    if (s.stopping) break;
    if (!r.ok()) {
      if (r.error) ++s.errors; else ++s.non_2xx;
      PrintFailure("sync", r);
      co_await Sleep(milliseconds(100));  // No busy loop on a failing server.
      continue;
    }
    if (auto next = NextBatch(r.body)) m.since = *next;
    if (!Deliver(s, m, r)) {
      s.last_wakeup = r.done;
      if (s.measuring) ++s.other_wakeups;
    }
  }
}

// Waits until `done()` or `limit` has passed; polls every millisecond (the
// sender's pacing, not the latencies, depends on it).
template <typename Done>
asio::awaitable<bool> WaitFor(Done done, Clock::duration limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) co_return false;
    co_await Sleep(milliseconds(1));
  }
  co_return true;
}

asio::awaitable<void> RunSender(FanoutState& s,
                                std::vector<std::unique_ptr<Member>>& members) {
  const FanoutOptions& o = s.options;
  const int n = static_cast<int>(members.size());
  HttpConnection conn(co_await asio::this_coro::executor, o.endpoint);
  co_await WaitFor([&] { return s.ready + static_cast<int>(s.failed_members) >= n; },
                   std::chrono::seconds(300));
  co_await WaitFor([&] {
    return s.polling == s.ready && Clock::now() - s.last_wakeup >= o.quiet;
  }, std::chrono::seconds(30));
  s.measuring = true;
  for (int k = 0; k < o.messages && s.ready > 0; ++k) {
    co_await WaitFor([&] { return s.polling == s.ready; },
                     std::chrono::seconds(5));
    co_await Sleep(o.gap);
    s.markers.push_back(Marker("fanout", s.run, k));
    s.pending[k] = s.ready;
    s.armed = k + 1;
    s.send_start.push_back(Clock::now());
    Reply ack = co_await conn.Call(
        http::verb::put, SendTarget(o.room, s.run + "." + std::to_string(k)),
        o.sender_token, MessageBody(s.markers[k]), std::chrono::seconds(30));
    s.send_ack.push_back(ack.done);
    if (!ack.ok()) {
      PrintFailure("send", ack);
      break;
    }
    co_await WaitFor([&] { return s.pending[k] <= 0; }, o.deliver_timeout);
  }
  s.stopping = true;
  for (auto& m : members) m->conn.Close();
}

uint64_t Nanos(Clock::duration d) {
  return static_cast<uint64_t>(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()));
}

void Report(const FanoutState& s, int members) {
  LatencyHistogram from_send, from_ack, all, ack;
  uint64_t missed = 0, before_ack = 0;
  const int sent = static_cast<int>(s.send_ack.size());
  for (int k = 0; k < sent; ++k) {
    ack.Record(Nanos(s.send_ack[k] - s.send_start[k]));
    missed += std::max(0, s.pending[k]);
    Clock::time_point last = s.send_start[k];
    for (Clock::time_point t : s.delivered[k]) {
      from_send.Record(Nanos(t - s.send_start[k]));
      from_ack.Record(Nanos(t - s.send_ack[k]));
      if (t < s.send_ack[k]) ++before_ack;
      last = std::max(last, t);
    }
    if (s.pending[k] <= 0) all.Record(Nanos(last - s.send_start[k]));
  }
  std::printf(
      "{\"mode\":\"fanout\",\"members\":%d,\"ready\":%d,\"messages\":%d,"
      "\"deliveries\":%llu,\"missed\":%llu,\"delivered_before_ack\":%llu,"
      "\"other_wakeups\":%llu,\"errors\":%llu,\"non_2xx\":%llu,"
      "\"from_send_us\":%s,\"from_ack_us\":%s,\"all_delivered_us\":%s,"
      "\"send_ack_us\":%s}\n",
      members, s.ready, sent,
      static_cast<unsigned long long>(from_send.count()),
      static_cast<unsigned long long>(missed),
      static_cast<unsigned long long>(before_ack),
      static_cast<unsigned long long>(s.other_wakeups),
      static_cast<unsigned long long>(s.errors),
      static_cast<unsigned long long>(s.non_2xx),
      LatencyJson(from_send).c_str(), LatencyJson(from_ack).c_str(),
      LatencyJson(all).c_str(), LatencyJson(ack).c_str());
}

}  // namespace

int RunFanout(const Flags& flags) {
  FanoutOptions o;
  o.endpoint = Endpoint(flags);
  o.tokens = ReadLines(flags.String("tokens", ""));
  o.room = flags.String("room", "");
  o.sender_token = flags.String("sender-token", "");
  o.messages = static_cast<int>(flags.Int("messages", 50));
  o.filter = flags.String("filter", "");
  o.timeout_ms = flags.Int("timeout-ms", 30000);
  o.gap = milliseconds(flags.Int("gap-ms", 20));
  o.quiet = milliseconds(flags.Int("quiet-ms", 1000));
  o.deliver_timeout = milliseconds(flags.Int("deliver-timeout-ms", 10000));
  const int members = static_cast<int>(std::min<int64_t>(
      flags.Int("members", 200), static_cast<int64_t>(o.tokens.size())));
  if (o.room.empty() || o.sender_token.empty() || members <= 0 ||
      o.messages <= 0) {
    std::fprintf(stderr, "sync_probe fanout: need --room, --sender-token, "
                         "--members > 0, --messages > 0\n");
    return 2;
  }
  FanoutState state(o);
  RunBounded(
      [&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        std::vector<std::unique_ptr<Member>> list;
        int alive = 0;
        for (int i = 0; i < members; ++i) {
          list.push_back(std::make_unique<Member>(ex, o.endpoint, o.tokens[i]));
          ++alive;
          asio::co_spawn(ex, RunMember(state, *list.back()),
                         [&alive](std::exception_ptr) { --alive; });
        }
        co_await RunSender(state, list);
        // The members' sockets are closed: wait for them to return before
        // `list` goes.
        co_await WaitFor([&] { return alive == 0; }, std::chrono::seconds(30));
      },
      std::chrono::seconds(900));
  Report(state, members);
  return state.send_ack.empty() ? 1 : 0;
}

}  // namespace myelin::bench
