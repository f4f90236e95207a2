#include "bench/http/loadgen_options.h"

#include <charconv>
#include <cmath>
#include <string>

namespace myelin::bench {
namespace {

constexpr std::string_view kScheme = "http://";
constexpr int kMaxConnections = 10000;
constexpr int kMaxThreads = 64;
constexpr double kMaxWarmupSeconds = 60;

ParsedUrl UrlError(std::string message) {
  return ParsedUrl{std::nullopt, std::move(message)};
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Header names and values go onto the wire verbatim: refuse anything that
// could split the request.
bool HasControlChars(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

// Parses "Name: value"; nullopt when it could not go onto the wire as is.
std::optional<std::pair<std::string, std::string>> ParseHeader(
    std::string_view line) {
  const size_t colon = line.find(':');
  std::string_view name = Trim(line.substr(0, colon));
  if (colon == std::string_view::npos || name.empty() ||
      name.find(' ') != std::string_view::npos || HasControlChars(line)) {
    return std::nullopt;
  }
  return std::pair<std::string, std::string>(name,
                                             Trim(line.substr(colon + 1)));
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

ParsedTargets ParseTargets(std::string_view text) {
  ParsedTargets result;
  std::vector<std::string_view> lines = Split(text, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;
    auto fail = [&](std::string why) {
      result.targets.clear();
      result.error = "line " + std::to_string(n + 1) + ": " + why;
      return std::move(result);
    };
    std::vector<std::string_view> fields = Split(line, '\t');
    ConnectionTarget target{std::string(fields[0]), {}};
    if (target.target.empty() || target.target.front() != '/' ||
        target.target.find(' ') != std::string::npos ||
        HasControlChars(target.target)) {
      return fail("target must start with '/' and have no spaces");
    }
    for (size_t f = 1; f < fields.size(); ++f) {
      auto header = ParseHeader(fields[f]);
      if (!header) return fail("header must look like 'Name: value'");
      target.headers.push_back(std::move(*header));
    }
    result.targets.push_back(std::move(target));
  }
  if (result.targets.empty() && result.error.empty()) {
    result.error = "no targets";
  }
  return result;
}

std::string ExpandSeq(std::string_view target, std::string_view seq) {
  std::string out;
  for (size_t at = 0;;) {
    const size_t found = target.find(kSeqPlaceholder, at);
    out.append(target.substr(at, found - at));
    if (found == std::string_view::npos) return out;
    out.append(seq);
    at = found + kSeqPlaceholder.size();
  }
}

ParsedUrl ParseHttpUrl(std::string_view url) {
  if (url.substr(0, kScheme.size()) != kScheme) {
    return UrlError("URL must start with http:// (https is not supported)");
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (HasControlChars(out.target) ||
      out.target.find(' ') != std::string::npos) {
    return UrlError("URL path contains spaces or control characters");
  }
  if (authority.find('@') != std::string_view::npos) {
    return UrlError("URL must not contain user info");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return UrlError("unclosed '[' in URL");
    out.host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UrlError("junk after ']' in URL");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string_view::npos)
      port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return UrlError("URL has no host");
  if (!port_text.empty() || authority.back() == ':') {
    auto port = ParseNumber<uint16_t>(port_text);
    if (!port || *port == 0) return UrlError("bad port in URL");
    out.port = *port;
  }
  out.host_header = std::string(authority);
  return ParsedUrl{std::move(out), ""};
}

ParsedArgs ParseLoadgenArgs(const std::vector<std::string_view>& args) {
  ParsedArgs result;
  LoadgenOptions options;
  bool have_url = false;
  auto fail = [&result](std::string message) {
    result.error = std::move(message);
    return std::move(result);
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    std::optional<std::string_view> inline_value;
    if (const size_t eq = flag.find('='); eq != std::string_view::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "--help" || flag == "-h") {
      result.help = true;
      return result;
    }
    if (flag == "--json") {
      if (inline_value) return fail("--json takes no value");
      options.json = true;
      continue;
    }
    std::string_view value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail(std::string(flag) + " needs a value");
    }
    auto bad = [&](std::string_view why) {
      return fail(std::string(flag) + " " + std::string(value) + ": " +
                  std::string(why));
    };
    if (flag == "--url") {
      ParsedUrl parsed = ParseHttpUrl(value);
      if (!parsed.url) return bad(parsed.error);
      options.url = std::move(*parsed.url);
      have_url = true;
    } else if (flag == "--connections" || flag == "-c") {
      auto n = ParseNumber<int>(value);
      if (!n || *n < 1 || *n > kMaxConnections) {
        return bad("must be an integer in [1, " +
                   std::to_string(kMaxConnections) + "]");
      }
      options.connections = *n;
    } else if (flag == "--threads" || flag == "-t") {
      auto n = ParseNumber<int>(value);
      if (!n || *n < 1 || *n > kMaxThreads) {
        return bad("must be an integer in [1, " + std::to_string(kMaxThreads) +
                   "]");
      }
      options.threads = *n;
    } else if (flag == "--duration" || flag == "-d") {
      auto d = ParseNumber<double>(value);
      if (!d || !std::isfinite(*d) || *d <= 0)
        return bad("must be > 0 seconds");
      if (*d > kMaxDurationSeconds) {
        result.warnings.push_back("--duration capped at 120 seconds");
        *d = kMaxDurationSeconds;
      }
      options.duration_seconds = *d;
    } else if (flag == "--warmup") {
      auto d = ParseNumber<double>(value);
      if (!d || !std::isfinite(*d) || *d < 0 || *d > kMaxWarmupSeconds) {
        return bad("must be in [0, 60] seconds");
      }
      options.warmup_seconds = *d;
    } else if (flag == "--timeout") {
      auto d = ParseNumber<double>(value);
      if (!d || !std::isfinite(*d) || *d <= 0 || *d > kMaxDurationSeconds) {
        return bad("must be in (0, 120] seconds");
      }
      options.timeout_seconds = *d;
    } else if (flag == "--method" || flag == "-m") {
      if (value != "GET" && value != "POST" && value != "PUT") {
        return bad("must be GET, POST or PUT");
      }
      options.method = value;
    } else if (flag == "--body") {
      options.body = value;
    } else if (flag == "--header" || flag == "-H") {
      auto header = ParseHeader(value);
      if (!header) return bad("must look like 'Name: value'");
      options.headers.push_back(std::move(*header));
    } else if (flag == "--targets") {
      options.targets_file = value;
    } else {
      return fail("unknown flag " + std::string(flag) + " (try --help)");
    }
  }
  if (!have_url) return fail("--url is required");
  result.options = std::move(options);
  return result;
}

std::string LoadgenUsage() {
  return R"(Usage: loadgen --url http://127.0.0.1:PORT/PATH [flags]

Closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending
its next request as soon as the previous response arrives. Loopback only.

  --url URL            http://HOST[:PORT][/PATH]; HOST must be loopback
  --connections N      concurrent connections (default 32)
  --duration SECONDS   measured window (default 5, capped at 120)
  --warmup SECONDS     unmeasured lead-in (default 1)
  --threads T          client threads (default 1)
  --timeout SECONDS    per-request timeout, counted as an error (default 10)
  --method M           GET, POST or PUT (default GET)
  --body STRING        request body (sent with Content-Length)
  --header 'N: v'      extra request header; repeatable
  --targets FILE       per-connection targets, one per line:
                       PATH<TAB>Name: value<TAB>...; connection i uses line
                       i mod lines (host and port still come from --url)
  {seq} in a path      replaced by a sequence number unique to each request
                       of the run (e.g. Matrix transaction ids)
  --json               print the result as one JSON line
)";
}

}  // namespace myelin::bench
