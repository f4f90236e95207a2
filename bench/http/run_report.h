// The outcome of one load-generator run and its two renderings: a short
// human-readable block and one JSON line for scripts (ceiling.sh). Pure, so
// the numbers printed are tested without a network.
#ifndef MYELIN_BENCH_HTTP_RUN_REPORT_H_
#define MYELIN_BENCH_HTTP_RUN_REPORT_H_

#include <cstdint>
#include <string>

#include "bench/http/latency_stats.h"

namespace myelin::bench {

struct RunResult {
  std::string url;
  int connections = 0;
  int threads = 0;
  // Length of the measured window actually observed, in seconds.
  double elapsed_seconds = 0;
  // Responses received in the measured window, whatever their status.
  uint64_t responses = 0;
  // Responses whose status was not 2xx (included in `responses`).
  uint64_t non_2xx = 0;
  // Failed connects, reads, writes and timeouts in the measured window.
  uint64_t errors = 0;
  // Connection attempts after each connection's first (the server closed
  // it, or a connect, read or write failed).
  uint64_t reconnects = 0;
  // Latency of each counted response, in nanoseconds.
  LatencyHistogram latency_ns;
};

double RequestsPerSecond(const RunResult& r);

// Several lines ending in '\n'; latencies in microseconds.
std::string FormatText(const RunResult& r);

// One JSON object without a trailing newline. Keys: url, connections,
// threads, duration_s, requests, requests_per_s, non_2xx, errors, reconnects,
// latency_us {min, mean, p50, p90, p99, p999, max}.
std::string FormatJson(const RunResult& r);

}  // namespace myelin::bench

#endif  // MYELIN_BENCH_HTTP_RUN_REPORT_H_
