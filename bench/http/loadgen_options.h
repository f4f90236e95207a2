// Command-line options of the HTTP load generator, parsed from argv without
// any library so the parser is pure and tested on its own. Networking (and
// the check that the target is a loopback address) lives in loadgen.cc.
#ifndef MYELIN_BENCH_HTTP_LOADGEN_OPTIONS_H_
#define MYELIN_BENCH_HTTP_LOADGEN_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace myelin::bench {

// An http:// URL split into what a client needs to connect and send.
struct HttpUrl {
  // Without brackets for IPv6 literals: "127.0.0.1", "::1".
  std::string host;
  uint16_t port = 80;
  // Path and query, always starting with '/'.
  std::string target = "/";
  // The Host header value, with brackets and a non-default port.
  std::string host_header;
};

struct ParsedUrl {
  std::optional<HttpUrl> url;
  // Why the URL was rejected; empty when `url` is set.
  std::string error;
};

// Splits "http://host[:port][/path]"; IPv6 literals go in brackets. Only plain
// http is accepted: the generator measures HTTP handling, not TLS.
ParsedUrl ParseHttpUrl(std::string_view url);

// Upper bound of --duration: keeps an accidental run from hammering a shared
// machine for long.
inline constexpr double kMaxDurationSeconds = 120;

struct LoadgenOptions {
  HttpUrl url;
  // Keep-alive connections, each with one request in flight (closed loop).
  int connections = 32;
  // Measured window, after the warm-up; at most kMaxDurationSeconds.
  double duration_seconds = 5;
  // Requests completed during the warm-up are not counted.
  double warmup_seconds = 1;
  // Client threads, each running its own io_context and a share of the
  // connections.
  int threads = 1;
  // A request with no response after this long counts as an error and its
  // connection is reopened.
  double timeout_seconds = 10;
  std::string method = "GET";
  std::string body;
  // Extra request headers, in order, as (name, value).
  std::vector<std::pair<std::string, std::string>> headers;
  // One JSON object on one line instead of the human-readable report.
  bool json = false;
  // --targets: a file of per-connection targets (see ParseTargets); empty
  // when every connection sends to --url with --header.
  std::string targets_file;
};

// What one connection sends: a target (path and query) and its own headers,
// added after the --header ones.
struct ConnectionTarget {
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ParsedTargets {
  std::vector<ConnectionTarget> targets;
  // Why the text was rejected (with its line number); empty otherwise.
  std::string error;
};

// Parses a --targets file: one connection target per non-empty line,
// "TARGET<TAB>Name: value<TAB>Name: value...", TARGET starting with '/'.
// Connection i uses line i modulo the number of lines, so one run can play
// many users (tokens) against many rooms (paths).
ParsedTargets ParseTargets(std::string_view text);

// The placeholder in a target replaced by a per-request sequence number, e.g.
// a Matrix transaction id: /rooms/!r:x/send/m.room.message/{seq}.
inline constexpr std::string_view kSeqPlaceholder = "{seq}";

// `target` with every kSeqPlaceholder replaced by `seq`.
std::string ExpandSeq(std::string_view target, std::string_view seq);

struct ParsedArgs {
  // Set when the arguments are valid and the run should proceed.
  std::optional<LoadgenOptions> options;
  // --help was given; print Usage() and exit successfully.
  bool help = false;
  // Why the arguments were rejected; empty otherwise.
  std::string error;
  // Non-fatal remarks, e.g. a duration that was capped.
  std::vector<std::string> warnings;
};

// Accepts "--flag value" and "--flag=value". args excludes argv[0].
ParsedArgs ParseLoadgenArgs(const std::vector<std::string_view>& args);

std::string LoadgenUsage();

}  // namespace myelin::bench

#endif  // MYELIN_BENCH_HTTP_LOADGEN_OPTIONS_H_
