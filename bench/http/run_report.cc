#include "bench/http/run_report.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace myelin::bench {
namespace {

double Micros(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

// snprintf into a std::string; every format used here is short.
template <typename... Args>
std::string Format(const char* format, Args... args) {
  char buffer[512];
  const int n = std::snprintf(buffer, sizeof(buffer), format, args...);
  if (n < 0) return "";
  return std::string(buffer, std::min<size_t>(n, sizeof(buffer) - 1));
}

// The URL is the only free-form string in the JSON; it was parsed from the
// command line and holds no control characters, but quotes and backslashes
// still need escaping.
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

double RequestsPerSecond(const RunResult& r) {
  if (r.elapsed_seconds <= 0) return 0;
  return static_cast<double>(r.responses) / r.elapsed_seconds;
}

std::string FormatText(const RunResult& r) {
  const LatencyHistogram& h = r.latency_ns;
  std::string out = "target       " + r.url + "\n";
  out += Format("load         %d connections, %d threads, %.2f s measured\n",
                r.connections, r.threads, r.elapsed_seconds);
  out += Format("requests/s   %.0f (%llu responses)\n", RequestsPerSecond(r),
                static_cast<unsigned long long>(r.responses));
  out += Format(
      "latency us   p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  "
      "(min %.1f, mean %.1f)\n",
      Micros(h.ValueAtPercentile(50)), Micros(h.ValueAtPercentile(90)),
      Micros(h.ValueAtPercentile(99)), Micros(h.ValueAtPercentile(99.9)),
      Micros(h.max()), Micros(h.min()), h.mean() / 1000.0);
  out += Format("non-2xx      %llu\nerrors       %llu\nreconnects   %llu\n",
                static_cast<unsigned long long>(r.non_2xx),
                static_cast<unsigned long long>(r.errors),
                static_cast<unsigned long long>(r.reconnects));
  return out;
}

std::string FormatJson(const RunResult& r) {
  const LatencyHistogram& h = r.latency_ns;
  std::string out = "{\"url\":" + JsonString(r.url);
  out += Format(
      ",\"connections\":%d,\"threads\":%d,\"duration_s\":%.3f,"
      "\"requests\":%llu,\"requests_per_s\":%.1f,\"non_2xx\":%llu,"
      "\"errors\":%llu,\"reconnects\":%llu",
      r.connections, r.threads, r.elapsed_seconds,
      static_cast<unsigned long long>(r.responses), RequestsPerSecond(r),
      static_cast<unsigned long long>(r.non_2xx),
      static_cast<unsigned long long>(r.errors),
      static_cast<unsigned long long>(r.reconnects));
  out += Format(
      ",\"latency_us\":{\"min\":%.1f,\"mean\":%.1f,\"p50\":%.1f,\"p90\":%.1f,"
      "\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}}",
      Micros(h.min()), h.mean() / 1000.0, Micros(h.ValueAtPercentile(50)),
      Micros(h.ValueAtPercentile(90)), Micros(h.ValueAtPercentile(99)),
      Micros(h.ValueAtPercentile(99.9)), Micros(h.max()));
  return out;
}

}  // namespace myelin::bench
