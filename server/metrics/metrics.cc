#include "server/metrics/metrics.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace myelin::metrics {
namespace {

std::string FormatValue(double value) {
  if (value == static_cast<double>(static_cast<int64_t>(value))) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.9g", value);
}

std::string LabelSet(
    const std::vector<std::pair<std::string, std::string>>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ",", labels[i].first, "=\"",
                    EscapeLabel(labels[i].second), "\"");
  }
  return out + "}";
}

void RenderGauges(const std::vector<GaugeSample>& samples, std::string* out) {
  std::string last_name;
  for (const GaugeSample& sample : samples) {
    if (sample.name != last_name) {
      absl::StrAppend(out, "# HELP ", sample.name, " ", sample.help, "\n",
                      "# TYPE ", sample.name, " gauge\n");
      last_name = sample.name;
    }
    absl::StrAppend(out, sample.name, LabelSet(sample.labels), " ",
                    FormatValue(sample.value), "\n");
  }
}

}  // namespace

std::string EscapeLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Registry::OnResponse(std::string_view route_label, http::Method method,
                          int status, double seconds) {
  std::string route(route_label);
  std::string method_name(http::MethodName(method));
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method_name, status}];
  Histogram& histogram = latency_[{std::move(route), std::move(method_name)}];
  if (bucket < kBuckets.size()) ++histogram.buckets[bucket];
  ++histogram.count;
  histogram.sum += seconds;
}

void Registry::AddCollector(Collector collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::Render() const {
  std::string out;
  std::vector<Collector> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    collectors = collectors_;
    absl::StrAppend(&out,
                    "# HELP myelin_http_requests_total HTTP responses sent.\n"
                    "# TYPE myelin_http_requests_total counter\n");
    for (const auto& [key, count] : requests_) {
      const auto& [route, method, status] = key;
      absl::StrAppend(&out, "myelin_http_requests_total",
                      LabelSet({{"route", route},
                                {"method", method},
                                {"status", absl::StrCat(status)}}),
                      " ", count, "\n");
    }
    absl::StrAppend(
        &out,
        "# HELP myelin_http_request_duration_seconds Time from a request's "
        "last byte read to its response written.\n"
        "# TYPE myelin_http_request_duration_seconds histogram\n");
    for (const auto& [key, histogram] : latency_) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= kBuckets.size(); ++i) {
        bool inf = i == kBuckets.size();
        cumulative = inf ? histogram.count : cumulative + histogram.buckets[i];
        absl::StrAppend(
            &out, "myelin_http_request_duration_seconds_bucket",
            LabelSet({{"route", key.first},
                      {"method", key.second},
                      {"le", inf ? "+Inf" : FormatValue(kBuckets[i])}}),
            " ", cumulative, "\n");
      }
      std::string labels =
          LabelSet({{"route", key.first}, {"method", key.second}});
      absl::StrAppend(&out, "myelin_http_request_duration_seconds_sum",
                      labels, " ", FormatValue(histogram.sum), "\n",
                      "myelin_http_request_duration_seconds_count", labels,
                      " ", histogram.count, "\n");
    }
  }
  // Collectors may be slow (RocksDB properties): run them unlocked.
  for (const Collector& collector : collectors) RenderGauges(collector(), &out);
  return out;
}

uint64_t ProcessRssBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace myelin::metrics
