#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <utility>

#include "bench/sync/probe.h"

namespace myelin::bench {

namespace asio = boost::asio;

namespace {

[[noreturn]] void BadFlag(const std::string& name, const std::string& value) {
  std::fprintf(stderr, "sync_probe: --%s: bad value '%s'\n", name.c_str(),
               value.c_str());
  std::exit(2);
}

}  // namespace

std::optional<Flags> Flags::Parse(const std::vector<std::string_view>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); i += 2) {
    if (args[i].substr(0, 2) != "--" || i + 1 >= args.size()) {
      std::fprintf(stderr, "sync_probe: expected --flag value at '%.*s'\n",
                   static_cast<int>(args[i].size()), args[i].data());
      return std::nullopt;
    }
    flags.values_[std::string(args[i].substr(2))] = std::string(args[i + 1]);
  }
  return flags;
}

std::string Flags::String(const std::string& name,
                          std::string fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::move(fallback) : it->second;
}

int64_t Flags::Int(const std::string& name, int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  int64_t value = 0;
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) BadFlag(name, s);
  return value;
}

double Flags::Double(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  const double value = std::strtod(it->second.c_str(), &end);
  if (end == it->second.c_str() || *end != '\0') BadFlag(name, it->second);
  return value;
}

asio::ip::tcp::endpoint Endpoint(const Flags& flags) {
  const int64_t port = flags.Int("port", 0);
  if (port <= 0 || port > 65535) BadFlag("port", flags.String("port", ""));
  // Loopback only: this client measures this machine.
  return {asio::ip::make_address_v4("127.0.0.1"),
          static_cast<unsigned short>(port)};
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) {
    std::fprintf(stderr, "sync_probe: %s: unreadable or empty\n",
                 path.c_str());
    std::exit(2);
  }
  return lines;
}

std::string LatencyJson(const LatencyHistogram& h) {
  auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
  char buffer[320];
  std::snprintf(buffer, sizeof(buffer),
                "{\"count\":%llu,\"min\":%.1f,\"mean\":%.1f,\"p50\":%.1f,"
                "\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f}",
                static_cast<unsigned long long>(h.count()), us(h.min()),
                h.mean() / 1000.0, us(h.ValueAtPercentile(50)),
                us(h.ValueAtPercentile(90)), us(h.ValueAtPercentile(99)),
                us(h.max()));
  return buffer;
}

void PrintFailure(const char* what, const Reply& r) {
  static int printed = 0;
  constexpr int kMaxPrinted = 5;
  if (printed > kMaxPrinted) return;
  if (++printed > kMaxPrinted) {
    std::fprintf(stderr, "sync_probe: further failures not printed\n");
    return;
  }
  std::fprintf(stderr, "sync_probe: %s: %s %u %.300s\n", what,
               r.error ? r.error.message().c_str() : "", r.status,
               r.body.c_str());
}

asio::awaitable<void> Sleep(Clock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

std::string RunId() {
  return std::to_string(
      std::chrono::system_clock::now().time_since_epoch().count());
}

void RunBounded(std::function<asio::awaitable<void>()> main,
                Clock::duration limit) {
  asio::io_context ioc(1);
  asio::steady_timer backstop(ioc, limit);
  bool finished = false;
  backstop.async_wait([&](boost::system::error_code ec) {
    if (ec) return;  // Cancelled: main finished first.
    std::fprintf(stderr, "sync_probe: time limit reached, stopping\n");
    ioc.stop();
  });
  asio::co_spawn(ioc, main(), [&](std::exception_ptr e) {
    finished = true;
    backstop.cancel();
    if (e) std::rethrow_exception(e);
  });
  ioc.run();
  if (!finished) std::fprintf(stderr, "sync_probe: run was cut short\n");
}

}  // namespace myelin::bench
