#include "server/metrics/metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace myelin::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, CountsRequestsByRouteMethodAndStatus) {
  Registry registry;
  registry.OnResponse("/_matrix/client/versions", http::Method::kGet, 200, 0.002);
  registry.OnResponse("/_matrix/client/versions", http::Method::kGet, 200, 0.004);
  registry.OnResponse("unmatched", http::Method::kGet, 404, 0.0001);
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE myelin_http_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("myelin_http_requests_total{route=\"/_matrix/client/versions\",method=\"GET\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("myelin_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry registry;
  registry.OnResponse("/r", http::Method::kPost, 200, 0.0003);  // le 0.0005
  registry.OnResponse("/r", http::Method::kPost, 200, 0.003);   // le 0.005
  registry.OnResponse("/r", http::Method::kPost, 200, 60);      // only +Inf
  std::string text = registry.Render();
  const std::string prefix =
      "myelin_http_request_duration_seconds_bucket{route=\"/r\",method=\"POST\",le=";
  EXPECT_THAT(text, HasSubstr(prefix + "\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"10\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("myelin_http_request_duration_seconds_count{route=\"/r\",method=\"POST\"} 3\n"));
}

TEST(MetricsTest, CollectorsAddGauges) {
  Registry registry;
  registry.AddCollector([] {
    return std::vector<GaugeSample>{
        {"myelin_test_bytes", "A test gauge.", {{"cf", "meta"}}, 42},
        {"myelin_test_bytes", "A test gauge.", {{"cf", "events"}}, 7}};
  });
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE myelin_test_bytes gauge\nmyelin_test_bytes{cf=\"meta\"} 42\nmyelin_test_bytes{cf=\"events\"} 7\n"));
}

TEST(MetricsTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(MetricsTest, ReadsProcessRss) {
  EXPECT_GT(ProcessRssBytes(), 1u << 20);
}

}  // namespace
}  // namespace myelin::metrics
