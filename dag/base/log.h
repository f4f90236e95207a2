// Levelled logging.
//
//   MLOG(INFO) << "listening on " << endpoint;
//   MLOG(ERROR) << "write failed: " << status;
//
// A line below the current level costs one relaxed atomic load. Each line is
// written whole (one write call under a mutex), to stderr or to the file set
// with SetLogFile(). Thread-safe.
#ifndef MYELIN_DAG_BASE_LOG_H_
#define MYELIN_DAG_BASE_LOG_H_

#include <sstream>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace myelin::log {

enum class Level { DEBUG = 0, INFO = 1, WARN = 2, ERROR = 3 };

// Parses "debug", "info", "warn"/"warning", "error" (case-insensitive).
absl::Status ParseLevel(std::string_view text, Level* level);
std::string_view LevelName(Level level);

void SetLevel(Level level);
Level GetLevel();
bool Enabled(Level level);

// Appends to `path` (created if missing). Empty path: back to stderr.
absl::Status SetLogFile(const std::string& path);

// Where lines go; tests replace it to capture output. nullptr restores the
// default sink (stderr or the log file).
using Sink = void (*)(Level level, std::string_view line);
void SetSinkForTesting(Sink sink);

// One log line, emitted when destroyed.
class Line {
 public:
  Line(Level level, const char* file, int line);
  ~Line();
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  Level level_;
  std::ostringstream stream_;
};

}  // namespace myelin::log

#define MLOG(level)                                            \
  if (!::myelin::log::Enabled(::myelin::log::Level::level)) {  \
  } else                                                       \
    ::myelin::log::Line(::myelin::log::Level::level, __FILE__, \
                        __LINE__)                              \
        .stream()

#endif  // MYELIN_DAG_BASE_LOG_H_
