#include "storage/rocks_status.h"

#include "gtest/gtest.h"
#include "storage/engine_options.h"

namespace myelin::storage {
namespace {

TEST(RocksStatusTest, MapsCodesAndKeepsContext) {
  EXPECT_TRUE(FromRocks(rocksdb::Status::OK(), "x").ok());
  absl::Status corruption =
      FromRocks(rocksdb::Status::Corruption("bad block"), "get from meta");
  EXPECT_EQ(corruption.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(corruption.message().find("get from meta"), std::string::npos);
  EXPECT_NE(corruption.message().find("bad block"), std::string::npos);
  EXPECT_EQ(FromRocks(rocksdb::Status::Busy(), "w").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(FromRocks(rocksdb::Status::Incomplete(), "r").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(FromRocks(rocksdb::Status::MemoryLimit(), "r").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(FromRocks(rocksdb::Status::IOError("disk"), "w").code(),
            absl::StatusCode::kInternal);
}

TEST(RocksStatusTest, RecognisesLockErrors) {
  EXPECT_TRUE(IsLockHeld(rocksdb::Status::IOError(
      "While lock file: /d/db/LOCK", "Resource temporarily unavailable")));
  EXPECT_FALSE(IsLockHeld(rocksdb::Status::IOError("No space left")));
  EXPECT_FALSE(IsLockHeld(rocksdb::Status::Corruption("/d/db/LOCK: x")));
}

TEST(EngineOptionsTest, DatabaseLivesInDbUnderDataDir) {
  EXPECT_EQ(DatabasePathIn("/var/lib/myelin"), "/var/lib/myelin/db");
  EXPECT_EQ(DatabasePathIn("/var/lib/myelin/"), "/var/lib/myelin/db");
  EXPECT_EQ(DatabasePathIn("data"), "data/db");
}

}  // namespace
}  // namespace myelin::storage
