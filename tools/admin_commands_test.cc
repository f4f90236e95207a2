#include "tools/admin_commands.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/keys/codec.h"
#include "storage/media/media_store.h"
#include "storage/testing.h"

namespace myelin::tools {
namespace {

namespace fs = std::filesystem;
using ::myelin::storage::Cf;
using ::myelin::storage::testing::NewTempPath;
using ::myelin::storage::testing::TestOptions;
using TestKey = storage::keys::Key<uint8_t, uint64_t>;

// A data_dir with a database of 100 test rows and a signing key.
std::string MakeDataDir() {
  std::string data_dir = NewTempPath("data");
  auto engine =
      storage::Engine::Open(TestOptions(storage::DatabasePathIn(data_dir)));
  EXPECT_TRUE(engine.ok()) << engine.status();
  rocksdb::WriteBatch batch;
  for (uint64_t i = 0; i < 100; ++i) {
    EXPECT_TRUE(batch
                    .Put((*engine)->cf(Cf::kMeta), TestKey::Encode(0xF0, i),
                         "row" + std::to_string(i))
                    .ok());
  }
  EXPECT_TRUE((*engine)->Write(batch).ok());
  std::ofstream(fs::path(data_dir) / "signing.key") << "ed25519 a_bcde seed\n";
  return data_dir;
}

absl::Status RunAdmin(std::vector<std::string> args,
                      std::string* output = nullptr) {
  std::ostringstream out;
  absl::Status status = RunAdminCommand(args, out);
  if (output != nullptr) *output = out.str();
  return status;
}

TEST(AdminCommandsTest, BackupOpensWithSameContentAndKey) {
  std::string data_dir = MakeDataDir();
  std::string target = NewTempPath("backup");
  ASSERT_TRUE(
      RunAdmin({"backup", "--data-dir", data_dir, "--to", target}).ok());

  storage::EngineOptions options = TestOptions(storage::DatabasePathIn(target));
  options.create_if_missing = false;
  auto copy = storage::Engine::Open(options);
  ASSERT_TRUE(copy.ok()) << copy.status();
  for (uint64_t i = 0; i < 100; ++i) {
    auto value = (*copy)->Get(Cf::kMeta, TestKey::Encode(0xF0, i));
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(*value, "row" + std::to_string(i));
  }
  EXPECT_TRUE(fs::exists(fs::path(target) / "signing.key"));
  EXPECT_EQ(RunAdmin({"backup", "--data-dir", data_dir, "--to", target}).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(AdminCommandsTest, DbStatsReportsSchemaAndFamilies) {
  std::string data_dir = MakeDataDir();
  std::string output;
  ASSERT_TRUE(RunAdmin({"db-stats", "--data-dir=" + data_dir}, &output).ok());
  EXPECT_NE(output.find("schema version: 1"), std::string::npos) << output;
  EXPECT_NE(output.find("server_name: example.org"), std::string::npos);
  EXPECT_NE(output.find("\nmeta "), std::string::npos) << output;
}

TEST(AdminCommandsTest, CompactSucceeds) {
  std::string data_dir = MakeDataDir();
  std::string output;
  ASSERT_TRUE(RunAdmin({"compact", "--data-dir", data_dir}, &output).ok());
  EXPECT_NE(output.find("compacted"), std::string::npos);
}

TEST(AdminCommandsTest, DatabaseInUseIsAClearError) {
  std::string data_dir = MakeDataDir();
  auto server =
      storage::Engine::Open(TestOptions(storage::DatabasePathIn(data_dir)));
  ASSERT_TRUE(server.ok()) << server.status();
  absl::Status status = RunAdmin({"db-stats", "--data-dir", data_dir});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("in use by a running server"),
            std::string::npos)
      << status;
}

TEST(AdminCommandsTest, MissingDatabaseIsNotFound) {
  EXPECT_EQ(RunAdmin({"db-stats", "--data-dir", NewTempPath("nothing")}).code(),
            absl::StatusCode::kNotFound);
}

// media on a stopped server: changes the database directly.
TEST(AdminCommandsTest, MediaQuarantineAndDelete) {
  std::string data_dir = NewTempPath("media");
  storage::MediaId id{"example.org", "abcDEF123"};
  {
    auto engine =
        storage::Engine::Open(TestOptions(storage::DatabasePathIn(data_dir)));
    ASSERT_TRUE(engine.ok()) << engine.status();
    auto store = storage::MediaStore::Open(engine->get());
    ASSERT_TRUE(store.ok()) << store.status();
    auto writer = (*store)->NewWriter();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("bytes").ok());
    ASSERT_TRUE((*writer)->Commit(id, storage::MediaInfo{"text/plain"}).ok());
  }
  std::string config = (fs::path(data_dir) / "homeserver.yaml").string();
  std::ofstream(config) << "server_name: example.org\ndata_dir: " << data_dir
                        << "\n";
  auto media = [&](const std::string& mxc, const std::string& action) {
    return RunAdmin({"media", "--config", config, "--mxc", mxc, "--action", action});
  };
  ASSERT_TRUE(media("mxc://example.org/abcDEF123", "quarantine").ok());
  auto quarantined = [&]() -> std::optional<bool> {
    auto engine =
        storage::Engine::Open(TestOptions(storage::DatabasePathIn(data_dir)));
    auto store = storage::MediaStore::Open(engine->get());
    auto info = (*store)->Get(id);
    if (!info.ok() || !info->has_value()) return std::nullopt;
    return (*info)->quarantined;
  };
  EXPECT_EQ(quarantined(), std::optional<bool>(true));
  ASSERT_TRUE(media("mxc://example.org/abcDEF123", "unquarantine").ok());
  EXPECT_EQ(quarantined(), std::optional<bool>(false));
  ASSERT_TRUE(media("mxc://example.org/abcDEF123", "delete").ok());
  EXPECT_EQ(quarantined(), std::nullopt);
  EXPECT_TRUE(absl::IsNotFound(media("mxc://example.org/abcDEF123", "delete")));
  EXPECT_TRUE(absl::IsInvalidArgument(media("https://example.org/x", "delete")));
  EXPECT_TRUE(absl::IsInvalidArgument(media("mxc://example.org/x", "shred")));
}

TEST(AdminCommandsTest, MalformedCommandLinesAreInvalidArgument) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"backup", "--data-dir", "x"},
           {"db-stats", "--data-dir"},
           {"db-stats", "--data-dir", "x", "--colour", "red"},
           {"compact", "stray"},
       }) {
    EXPECT_EQ(RunAdmin(args).code(), absl::StatusCode::kInvalidArgument)
        << (args.empty() ? "" : args[0]);
  }
}

}  // namespace
}  // namespace myelin::tools
