#include "tests/support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace myelin::testing {
namespace {

constexpr char kListeningPrefix[] = "myelin: listening on ";

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

absl::StatusOr<Listening> ParseUrl(const std::string& url) {
  Listening listening;
  listening.url = url;
  listening.tls = url.rfind("https://", 0) == 0;
  std::string rest = url.substr(listening.tls ? 8 : 7);
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return absl::InternalError("bad url " + url);
  listening.host = rest.substr(0, colon);
  if (!listening.host.empty() && listening.host.front() == '[') {
    listening.host = listening.host.substr(1, listening.host.size() - 2);
  }
  uint32_t port = 0;
  if (!absl::SimpleAtoi(rest.substr(colon + 1), &port)) {
    return absl::InternalError("bad port in " + url);
  }
  listening.port = static_cast<uint16_t>(port);
  return listening;
}

// Forks and execs the binary in `dir` with stdout to `stdout_fd` (or
// /dev/null when -1) and stderr to `stderr_path`.
pid_t Spawn(const std::string& dir, int stdout_fd,
            const std::string& stderr_path) {
  std::string binary = MyelinBinaryPath();
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (chdir(dir.c_str()) != 0) _exit(126);
  int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int out = stdout_fd >= 0 ? stdout_fd : open("/dev/null", O_WRONLY);
  dup2(out, STDOUT_FILENO);
  dup2(err, STDERR_FILENO);
  execl(binary.c_str(), binary.c_str(), "--config", "homeserver.yaml",
        static_cast<char*>(nullptr));
  _exit(127);
}

}  // namespace

std::string MyelinBinaryPath() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/myelin/server/myelin";
}

std::string NewTempDir(const std::string& name) {
  static int counter = 0;
  std::filesystem::path dir = std::filesystem::path(std::getenv("TEST_TMPDIR")) /
                              absl::StrCat(name, "-", getpid(), "-", ++counter);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& dir, const std::string& config_yaml,
    size_t listeners) {
  std::ofstream(dir + "/homeserver.yaml") << config_yaml;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  std::unique_ptr<ServerProcess> process(new ServerProcess());
  process->stderr_path_ = dir + "/stderr.log";
  process->pid_ = Spawn(dir, pipe_fds[1], process->stderr_path_);
  close(pipe_fds[1]);
  process->stdout_fd_ = pipe_fds[0];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string pending;
  while (process->listening_.size() < listeners) {
    int remaining = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now())
            .count());
    pollfd pfd{process->stdout_fd_, POLLIN, 0};
    if (remaining <= 0 || poll(&pfd, 1, remaining) <= 0) {
      return absl::DeadlineExceededError(
          "server did not report listening: " + process->StderrText());
    }
    char chunk[1024];
    ssize_t n = read(process->stdout_fd_, chunk, sizeof(chunk));
    if (n <= 0) {
      return absl::UnavailableError("server exited during start-up: " +
                                    process->StderrText());
    }
    process->stdout_text_.append(chunk, n);
    pending.append(chunk, n);
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.rfind(kListeningPrefix, 0) != 0) continue;
      absl::StatusOr<Listening> listening =
          ParseUrl(line.substr(sizeof(kListeningPrefix) - 1));
      if (!listening.ok()) return listening.status();
      process->listening_.push_back(*listening);
    }
  }
  return process;
}

ServerProcess::Exit ServerProcess::RunToExit(const std::string& dir,
                                             const std::string& config_yaml,
                                             int timeout_seconds) {
  std::ofstream(dir + "/homeserver.yaml") << config_yaml;
  std::string stderr_path = dir + "/stderr-exit.log";
  std::filesystem::remove(stderr_path);
  pid_t pid = Spawn(dir, -1, stderr_path);
  Exit exit;
  for (int i = 0; i < timeout_seconds * 100; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exit.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      exit.stderr_text = ReadFile(stderr_path);
      return exit;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  exit.stderr_text = "timed out; " + ReadFile(stderr_path);
  return exit;
}

absl::StatusOr<int> ServerProcess::Stop(int signal, int timeout_seconds) {
  if (pid_ < 0) return absl::FailedPreconditionError("not running");
  kill(pid_, signal);
  for (int i = 0; i < timeout_seconds * 100; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      // Collect the rest of stdout ("myelin: stopped").
      char chunk[1024];
      ssize_t n;
      while ((n = read(stdout_fd_, chunk, sizeof(chunk))) > 0) {
        stdout_text_.append(chunk, n);
      }
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return WEXITSTATUS(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return absl::DeadlineExceededError("server did not stop in time");
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::string ServerProcess::StdoutText() const { return stdout_text_; }
std::string ServerProcess::StderrText() const { return ReadFile(stderr_path_); }

}  // namespace myelin::testing
