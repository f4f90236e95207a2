#include "bench/http/loadgen_options.h"

#include <string_view>
#include <vector>

#include "bench/http/run_report.h"
#include "gtest/gtest.h"

namespace myelin::bench {
namespace {

ParsedArgs Parse(std::vector<std::string_view> args) {
  return ParseLoadgenArgs(args);
}

TEST(ParseHttpUrlTest, SplitsHostPortAndTarget) {
  ParsedUrl p = ParseHttpUrl("http://127.0.0.1:8008/_matrix/client/versions");
  ASSERT_TRUE(p.url) << p.error;
  EXPECT_EQ(p.url->host, "127.0.0.1");
  EXPECT_EQ(p.url->port, 8008);
  EXPECT_EQ(p.url->target, "/_matrix/client/versions");
  EXPECT_EQ(p.url->host_header, "127.0.0.1:8008");
}

TEST(ParseHttpUrlTest, DefaultsPortAndPath) {
  ParsedUrl p = ParseHttpUrl("http://localhost");
  ASSERT_TRUE(p.url) << p.error;
  EXPECT_EQ(p.url->port, 80);
  EXPECT_EQ(p.url->target, "/");
}

TEST(ParseHttpUrlTest, BracketedIpv6) {
  ParsedUrl p = ParseHttpUrl("http://[::1]:9000/x?y=1");
  ASSERT_TRUE(p.url) << p.error;
  EXPECT_EQ(p.url->host, "::1");
  EXPECT_EQ(p.url->port, 9000);
  EXPECT_EQ(p.url->target, "/x?y=1");
  EXPECT_EQ(p.url->host_header, "[::1]:9000");
}

TEST(ParseHttpUrlTest, RejectsWhatItCannotServe) {
  for (std::string_view bad :
       {"https://127.0.0.1/", "127.0.0.1:80/", "http://", "http://:80/",
        "http://h:0/", "http://h:70000/", "http://h:x/", "http://h:/",
        "http://[::1/", "http://[::1]x/", "http://u@h/", "http://h/a b"}) {
    ParsedUrl p = ParseHttpUrl(bad);
    EXPECT_FALSE(p.url) << bad;
    EXPECT_FALSE(p.error.empty()) << bad;
  }
}

TEST(ParseLoadgenArgsTest, Defaults) {
  ParsedArgs a = Parse({"--url", "http://127.0.0.1:1/"});
  ASSERT_TRUE(a.options) << a.error;
  EXPECT_EQ(a.options->connections, 32);
  EXPECT_EQ(a.options->duration_seconds, 5);
  EXPECT_EQ(a.options->warmup_seconds, 1);
  EXPECT_EQ(a.options->threads, 1);
  EXPECT_EQ(a.options->method, "GET");
  EXPECT_FALSE(a.options->json);
  EXPECT_TRUE(a.warnings.empty());
}

TEST(ParseLoadgenArgsTest, EveryFlagBothSpellings) {
  ParsedArgs a = Parse({"--url=http://127.0.0.1:1/p", "--connections", "4",
                        "--duration=2.5", "--warmup", "0", "--threads=2",
                        "--method", "POST", "--body={\"a\":1}", "--header",
                        "Authorization: Bearer x=y", "-H", "X-A:b", "--json",
                        "--timeout", "3"});
  ASSERT_TRUE(a.options) << a.error;
  const LoadgenOptions& o = *a.options;
  EXPECT_EQ(o.url.target, "/p");
  EXPECT_EQ(o.connections, 4);
  EXPECT_EQ(o.duration_seconds, 2.5);
  EXPECT_EQ(o.warmup_seconds, 0);
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.method, "POST");
  EXPECT_EQ(o.body, "{\"a\":1}");
  ASSERT_EQ(o.headers.size(), 2u);
  EXPECT_EQ(o.headers[0].first, "Authorization");
  EXPECT_EQ(o.headers[0].second, "Bearer x=y");
  EXPECT_EQ(o.headers[1].first, "X-A");
  EXPECT_EQ(o.headers[1].second, "b");
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.timeout_seconds, 3);
}

TEST(ParseLoadgenArgsTest, DurationIsCapped) {
  ParsedArgs a = Parse({"--url", "http://127.0.0.1:1/", "--duration", "9999"});
  ASSERT_TRUE(a.options) << a.error;
  EXPECT_EQ(a.options->duration_seconds, kMaxDurationSeconds);
  EXPECT_EQ(a.warnings.size(), 1u);
}

TEST(ParseLoadgenArgsTest, Rejections) {
  const std::vector<std::vector<std::string_view>> cases = {
      {},
      {"--connections", "4"},
      {"--url"},
      {"--url", "http://h/", "--connections", "0"},
      {"--url", "http://h/", "--connections", "3x"},
      {"--url", "http://h/", "--duration", "-1"},
      {"--url", "http://h/", "--duration", "nan"},
      {"--url", "http://h/", "--warmup", "61"},
      {"--url", "http://h/", "--threads", "0"},
      {"--url", "http://h/", "--method", "DELETE"},
      {"--url", "http://h/", "--header", "NoColon"},
      {"--url", "http://h/", "--header", ": empty name"},
      {"--url", "http://h/", "--bogus", "1"},
      {"--url", "http://h/", "--json=1"},
  };
  for (const auto& args : cases) {
    ParsedArgs a = Parse(args);
    EXPECT_FALSE(a.options) << (args.empty() ? "" : args.back());
    EXPECT_FALSE(a.error.empty());
  }
}

TEST(ParseLoadgenArgsTest, Help) {
  EXPECT_TRUE(Parse({"--help"}).help);
  EXPECT_FALSE(LoadgenUsage().empty());
}

TEST(ParseLoadgenArgsTest, TargetsFile) {
  ParsedArgs a = Parse({"--url", "http://127.0.0.1:1/", "--targets", "t.tsv"});
  ASSERT_TRUE(a.options);
  EXPECT_EQ(a.options->targets_file, "t.tsv");
}

TEST(ParseTargetsTest, OneTargetPerLineWithHeaders) {
  ParsedTargets t = ParseTargets(
      "/a/{seq}\tAuthorization: Bearer one\tX-K:v\r\n\n/b\n");
  ASSERT_EQ(t.error, "");
  ASSERT_EQ(t.targets.size(), 2u);
  EXPECT_EQ(t.targets[0].target, "/a/{seq}");
  ASSERT_EQ(t.targets[0].headers.size(), 2u);
  EXPECT_EQ(t.targets[0].headers[0].first, "Authorization");
  EXPECT_EQ(t.targets[0].headers[0].second, "Bearer one");
  EXPECT_EQ(t.targets[0].headers[1].second, "v");
  EXPECT_EQ(t.targets[1].target, "/b");
  EXPECT_TRUE(t.targets[1].headers.empty());
}

TEST(ParseTargetsTest, Rejections) {
  EXPECT_EQ(ParseTargets("").error, "no targets");
  EXPECT_EQ(ParseTargets("/ok\nnoslash\n").error,
            "line 2: target must start with '/' and have no spaces");
  EXPECT_EQ(ParseTargets("/a b").targets.size(), 0u);
  EXPECT_FALSE(ParseTargets("/a\tNoColon").error.empty());
}

TEST(ExpandSeqTest, ReplacesEveryPlaceholder) {
  EXPECT_EQ(ExpandSeq("/send/{seq}", "7.0.12"), "/send/7.0.12");
  EXPECT_EQ(ExpandSeq("/{seq}/{seq}", "x"), "/x/x");
  EXPECT_EQ(ExpandSeq("/plain", "x"), "/plain");
  EXPECT_EQ(ExpandSeq("/{se", "x"), "/{se");
}

TEST(RunReportTest, JsonCarriesTheFigures) {
  RunResult r;
  r.url = "http://127.0.0.1:1/\"q\"";
  r.connections = 8;
  r.threads = 1;
  r.elapsed_seconds = 2;
  r.responses = 1000;
  r.non_2xx = 3;
  r.errors = 1;
  for (int i = 0; i < 100; ++i) r.latency_ns.Record(100'000);  // 100 us
  EXPECT_EQ(RequestsPerSecond(r), 500);
  EXPECT_EQ(FormatJson(r),
            "{\"url\":\"http://127.0.0.1:1/\\\"q\\\"\",\"connections\":8,"
            "\"threads\":1,\"duration_s\":2.000,\"requests\":1000,"
            "\"requests_per_s\":500.0,\"non_2xx\":3,\"errors\":1,"
            "\"reconnects\":0,\"latency_us\":{\"min\":100.0,\"mean\":100.0,"
            "\"p50\":100.0,\"p90\":100.0,\"p99\":100.0,\"p999\":100.0,"
            "\"max\":100.0}}");
  EXPECT_NE(FormatText(r).find("requests/s   500"), std::string::npos);
}

TEST(RunReportTest, EmptyRunDoesNotDivideByZero) {
  RunResult r;
  EXPECT_EQ(RequestsPerSecond(r), 0);
  EXPECT_NE(FormatJson(r).find("\"requests_per_s\":0.0"), std::string::npos);
}

}  // namespace
}  // namespace myelin::bench
