// myelin-admin create-user against a stopped server (direct database write)
// and a running one (shared-secret registration over HTTP).
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

struct AdminRun {
  int exit_code = -1;
  std::string output;
};

// Runs myelin-admin in `dir` (so the config's ./data resolves there).
AdminRun Admin(const std::string& dir, const std::string& args) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string binary = std::string(srcdir != nullptr ? srcdir : ".") +
                       "/myelin/tools/myelin-admin";
  std::string command = "cd '" + dir + "' && '" + binary + "' " + args + " 2>&1";
  AdminRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

constexpr char kExtra[] = "registration_shared_secret: s3cret\n"
                          "rate_limiting: {enabled: false}\n";

TEST_F(AccountsTest, CreateUserWithTheServerStopped) {
  dir_ = NewTempDir("create_user");
  std::ofstream(dir_ + "/homeserver.yaml") << Config(kExtra);
  AdminRun created = Admin(dir_, "create-user --config homeserver.yaml --user Zed "
                            "--password pw --admin true");
  EXPECT_EQ(created.exit_code, 0) << created.output;
  EXPECT_NE(created.output.find("@zed:test.example"), std::string::npos);
  AdminRun again = Admin(dir_, "create-user --config homeserver.yaml --user zed "
                          "--password pw");
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("taken"), std::string::npos) << again.output;
  AdminRun bad = Admin(dir_, "create-user --config homeserver.yaml --user 'a b' "
                        "--password pw");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;

  Start(kExtra);
  EXPECT_EQ(Login("zed", "pw").status, 200);
}

TEST_F(AccountsTest, CreateUserWhileTheServerRuns) {
  Start(kExtra);
  std::string url = absl::StrCat("http://127.0.0.1:", server_->port());
  AdminRun created = Admin(dir_, "create-user --config homeserver.yaml --user yan "
                            "--password pw --url " + url);
  EXPECT_EQ(created.exit_code, 0) << created.output;
  EXPECT_EQ(Login("yan", "pw").status, 200);
  AdminRun taken = Admin(dir_, "create-user --config homeserver.yaml --user yan "
                          "--password pw --url " + url);
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_NE(taken.output.find("M_USER_IN_USE"), std::string::npos);
  // Without --url the tool finds the lock, and the config's port is 0.
  AdminRun no_url = Admin(dir_, "create-user --config homeserver.yaml --user xi "
                           "--password pw");
  EXPECT_EQ(no_url.exit_code, 1);
  EXPECT_NE(no_url.output.find("--url"), std::string::npos) << no_url.output;
}

}  // namespace
}  // namespace myelin::testing
