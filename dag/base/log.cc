#include "dag/base/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "dag/base/strings.h"

namespace myelin::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::INFO)};
std::atomic<Sink> g_sink{nullptr};
std::mutex g_file_mu;
FILE* g_file = nullptr;  // Guarded by g_file_mu; nullptr means stderr.

void DefaultSink(Level, std::string_view line) {
  std::lock_guard<std::mutex> lock(g_file_mu);
  FILE* out = g_file != nullptr ? g_file : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

// The wall-clock time is I/O of a kind, but a log line without it is useless
// to an operator; only the sink reads it, never dag/ logic.
std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          now.time_since_epoch())
          .count() %
      1000);
  std::tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                         tm_utc.tm_year + 1900, tm_utc.tm_mon + 1,
                         tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min,
                         tm_utc.tm_sec, millis);
}

std::string_view BaseName(const char* file) {
  std::string_view path(file);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

absl::Status ParseLevel(std::string_view text, Level* level) {
  std::string lower = absl::AsciiStrToLower(AV(text));
  if (lower == "debug") {
    *level = Level::DEBUG;
  } else if (lower == "info") {
    *level = Level::INFO;
  } else if (lower == "warn" || lower == "warning") {
    *level = Level::WARN;
  } else if (lower == "error") {
    *level = Level::ERROR;
  } else {
    return absl::InvalidArgumentError(absl::StrFormat(
        "unknown log level '%s' (expected debug, info, warn or error)", text));
  }
  return absl::OkStatus();
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::DEBUG: return "DEBUG";
    case Level::INFO: return "INFO";
    case Level::WARN: return "WARN";
    case Level::ERROR: return "ERROR";
  }
  return "?";
}

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
Level GetLevel() { return static_cast<Level>(g_level.load()); }
bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

absl::Status SetLogFile(const std::string& path) {
  FILE* file = nullptr;
  if (!path.empty()) {
    file = std::fopen(path.c_str(), "a");
    if (file == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrFormat("cannot open log file %s", path));
    }
  }
  std::lock_guard<std::mutex> lock(g_file_mu);
  if (g_file != nullptr) std::fclose(g_file);
  g_file = file;
  return absl::OkStatus();
}

void SetSinkForTesting(Sink sink) { g_sink.store(sink); }

Line::Line(Level level, const char* file, int line) : level_(level) {
  stream_ << Timestamp() << ' ' << LevelName(level) << ' ' << BaseName(file)
          << ':' << line << "] ";
}

Line::~Line() {
  stream_ << '\n';
  Sink sink = g_sink.load();
  (sink != nullptr ? sink : DefaultSink)(level_, stream_.str());
}

}  // namespace myelin::log
