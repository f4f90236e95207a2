// Runs the myelin-admin binary on a temporary data_dir: backup, then open
// the backup and check its content; and the error when the DB is in use.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/keys/codec.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using ::myelin::storage::testing::NewTempPath;
using ::myelin::storage::testing::TestOptions;
using TestKey = keys::Key<uint8_t, uint64_t>;

struct Result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Result RunAdmin(const std::string& args) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string binary = std::string(srcdir != nullptr ? srcdir : ".") +
                       "/myelin/tools/myelin-admin";
  std::string command = binary + " " + args + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0)
    result.output.append(buf, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::unique_ptr<Engine> OpenAt(const std::string& path, bool create) {
  EngineOptions options = TestOptions(path);
  options.create_if_missing = create;
  auto engine = Engine::Open(options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

TEST(MyelinAdminTest, BackupThenOpenBackup) {
  std::string data_dir = NewTempPath("data");
  {
    auto engine = OpenAt(DatabasePathIn(data_dir), /*create=*/true);
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(
        batch.Put(engine->cf(Cf::kMeta), TestKey::Encode(0xF0, 7), "seven")
            .ok());
    ASSERT_TRUE(engine->Write(batch).ok());
  }
  std::string target = NewTempPath("backup");
  Result backup = RunAdmin("backup --data-dir " + data_dir + " --to " + target);
  ASSERT_EQ(backup.exit_code, 0) << backup.output;

  auto copy = OpenAt(DatabasePathIn(target), /*create=*/false);
  ASSERT_NE(copy, nullptr);
  auto value = copy->Get(Cf::kMeta, TestKey::Encode(0xF0, 7));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "seven");

  Result stats = RunAdmin("db-stats --data-dir " + target);
  EXPECT_EQ(stats.exit_code, 1) << "backup is open above: " << stats.output;
  copy.reset();
  stats = RunAdmin("db-stats --data-dir " + target);
  EXPECT_EQ(stats.exit_code, 0) << stats.output;
  EXPECT_NE(stats.output.find("meta"), std::string::npos);
}

TEST(MyelinAdminTest, InUseDatabaseGivesClearMessage) {
  std::string data_dir = NewTempPath("busy");
  auto server = OpenAt(DatabasePathIn(data_dir), /*create=*/true);
  Result result = RunAdmin("compact --data-dir " + data_dir);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("database at"), std::string::npos);
  EXPECT_NE(result.output.find("is in use by a running server"),
            std::string::npos)
      << result.output;
}

TEST(MyelinAdminTest, BadUsageExitsTwoWithUsage) {
  Result result = RunAdmin("backup --data-dir /nonexistent");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("usage:"), std::string::npos);
}

}  // namespace
}  // namespace myelin::storage
