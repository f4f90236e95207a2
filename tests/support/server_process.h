// Runs the real `myelin` binary for integration tests: writes its config,
// starts it, reads "myelin: listening on URL" lines from its stdout to learn
// the ports (listeners use port 0), and stops it with a signal.
#ifndef MYELIN_TESTS_SUPPORT_SERVER_PROCESS_H_
#define MYELIN_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace myelin::testing {

// The binary built by //server:myelin, found through the test's runfiles.
std::string MyelinBinaryPath();

// A fresh directory under $TEST_TMPDIR.
std::string NewTempDir(const std::string& name);

struct Listening {
  std::string url;
  std::string host;
  uint16_t port = 0;
  bool tls = false;
};

class ServerProcess {
 public:
  // Writes `config_yaml` to <dir>/homeserver.yaml and starts the binary in
  // `dir`. Waits (at most 30 s) until `listeners` listening lines appear.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& dir, const std::string& config_yaml,
      size_t listeners = 1);

  // Runs the binary to completion (for start-up failures): exit code and
  // everything it wrote to stderr.
  struct Exit {
    int code = -1;
    std::string stderr_text;
  };
  static Exit RunToExit(const std::string& dir, const std::string& config_yaml,
                        int timeout_seconds = 30);

  ~ServerProcess();

  const std::vector<Listening>& listening() const { return listening_; }
  uint16_t port(size_t i = 0) const { return listening_.at(i).port; }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits up to `timeout_seconds` for the exit. Returns
  // the exit code; DeadlineExceeded if it did not exit (it is then killed).
  absl::StatusOr<int> Stop(int signal, int timeout_seconds = 15);

  // Everything the process printed to stdout / stderr so far.
  std::string StdoutText() const;
  std::string StderrText() const;

 private:
  ServerProcess() = default;

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stdout_text_;
  std::string stderr_path_;
  std::vector<Listening> listening_;
};

}  // namespace myelin::testing

#endif  // MYELIN_TESTS_SUPPORT_SERVER_PROCESS_H_
