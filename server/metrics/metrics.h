// Request metrics and the Prometheus text exposition (format 0.0.4).
//
// Counters by (route pattern, method, status) and a latency histogram by
// (route pattern, method). Route patterns, not raw paths, keep the label set
// bounded. Gauges (RocksDB memory and sizes, RSS) are read when /metrics is
// scraped, through collectors registered at start-up.
//
// Thread-safe. OnResponse() takes one mutex for a few map updates.
#ifndef MYELIN_SERVER_METRICS_METRICS_H_
#define MYELIN_SERVER_METRICS_METRICS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "server/http/server.h"

namespace myelin::metrics {

// One sample of a gauge, for collectors.
struct GaugeSample {
  std::string name;  // "myelin_rocksdb_block_cache_usage_bytes"
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

using Collector = std::function<std::vector<GaugeSample>()>;

class Registry final : public http::RequestObserver {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,  0.5,    1,     2.5,  5,     10};

  void OnResponse(std::string_view route_label, http::Method method,
                  int status, double seconds) override;

  // Collectors run on every scrape, in registration order. Register before
  // serving.
  void AddCollector(Collector collector);

  // The whole exposition text.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // Not cumulative.
    uint64_t count = 0;
    double sum = 0;
  };
  using RouteKey = std::pair<std::string, std::string>;  // (route, method)

  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<RouteKey, Histogram> latency_;
  std::vector<Collector> collectors_;
};

// Resident set size of this process from /proc/self/statm; 0 if unknown.
uint64_t ProcessRssBytes();

// Escapes a label value for the exposition format.
std::string EscapeLabel(std::string_view value);

}  // namespace myelin::metrics

#endif  // MYELIN_SERVER_METRICS_METRICS_H_
