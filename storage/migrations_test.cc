#include "storage/migrations.h"

#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/keys/codec.h"
#include "storage/keys/meta_keys.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using ::myelin::storage::testing::NewTempPath;
using ::myelin::storage::testing::TestOptions;

// Test rows in `meta` under a key byte no MetaRow uses. Version 1 stores
// their values as decimal text; the test migration to version 2 re-encodes
// them as big-endian u64.
using TestKey = keys::Key<uint8_t, uint64_t>;
constexpr uint8_t kTestRow = 0xF0;

absl::Status ReencodeDecimalAsU64(Engine& engine, rocksdb::WriteBatch& batch) {
  std::string prefix = TestKey::EncodePrefix(kTestRow);
  auto it = engine.NewIterator(Cf::kMeta);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    uint64_t number = 0;
    const char* begin = it->value().data();
    const char* end = begin + it->value().size();
    if (std::from_chars(begin, end, number).ptr != end) {
      return absl::DataLossError("not decimal");
    }
    if (!batch
             .Put(engine.cf(Cf::kMeta), it->key(),
                  keys::U64Value::Encode(number))
             .ok()) {
      return absl::InternalError("put");
    }
  }
  return it->status().ok() ? absl::OkStatus() : absl::InternalError("scan");
}

class MigrationsTest : public ::testing::Test {
 protected:
  MigrationsTest() : options_(TestOptions(NewTempPath("migrations"))) {
    migrations_ = {
        {2, "re-encode test rows",
         [this](Engine& engine, rocksdb::WriteBatch& batch) {
           ++runs_to_2_;
           return ReencodeDecimalAsU64(engine, batch);
         }},
        {3, "add a marker row",
         [this](Engine& engine, rocksdb::WriteBatch& batch) -> absl::Status {
           ++runs_to_3_;
           if (fail_to_3_) return absl::InternalError("simulated crash");
           if (!batch.Put(engine.cf(Cf::kMeta), TestKey::Encode(0xF1, 0), "m")
                    .ok()) {
             return absl::InternalError("put");
           }
           return absl::OkStatus();
         }},
    };
  }

  MigrationPlan PlanUpTo(uint64_t version) {
    return MigrationPlan{
        version, std::span<const Migration>(migrations_.data(), version - 1)};
  }

  // A version-1 database with three decimal test rows.
  void CreateVersion1() {
    auto engine = Engine::Open(options_, PlanUpTo(1));
    ASSERT_TRUE(engine.ok()) << engine.status();
    rocksdb::WriteBatch batch;
    for (uint64_t i = 0; i < 3; ++i) {
      ASSERT_TRUE(batch
                      .Put((*engine)->cf(Cf::kMeta),
                           TestKey::Encode(kTestRow, i),
                           std::to_string(i * 100))
                      .ok());
    }
    ASSERT_TRUE((*engine)->Write(batch).ok());
  }

  EngineOptions options_;
  std::vector<Migration> migrations_;
  int runs_to_2_ = 0;
  int runs_to_3_ = 0;
  bool fail_to_3_ = false;
};

TEST_F(MigrationsTest, DefaultPlanIsValidAndFreshDbGetsCurrentVersion) {
  ASSERT_TRUE(ValidateMigrationPlan(DefaultMigrationPlan()).ok());
  auto engine = Engine::Open(options_);
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ(*(*engine)->SchemaVersion(), kCurrentSchemaVersion);
}

TEST_F(MigrationsTest, FreshDbIsCreatedAtPlanVersionWithoutMigrating) {
  auto engine = Engine::Open(options_, PlanUpTo(3));
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ(*(*engine)->SchemaVersion(), 3u);
  EXPECT_EQ(runs_to_2_ + runs_to_3_, 0);
}

TEST_F(MigrationsTest, MigrationRewritesDataOnceAndReopenDoesNotRerun) {
  CreateVersion1();
  for (int open = 0; open < 2; ++open) {
    auto engine = Engine::Open(options_, PlanUpTo(2));
    ASSERT_TRUE(engine.ok()) << engine.status();
    EXPECT_EQ(*(*engine)->SchemaVersion(), 2u);
    for (uint64_t i = 0; i < 3; ++i) {
      auto value = (*engine)->Get(Cf::kMeta, TestKey::Encode(kTestRow, i));
      ASSERT_TRUE(value.ok() && value->has_value());
      EXPECT_EQ(**value, keys::U64Value::Encode(i * 100));
    }
  }
  EXPECT_EQ(runs_to_2_, 1);
}

TEST_F(MigrationsTest, FailedMigrationLeavesNothingAndNextStartResumes) {
  CreateVersion1();
  fail_to_3_ = true;
  auto failed = Engine::Open(options_, PlanUpTo(3));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("simulated crash"),
            std::string::npos);
  fail_to_3_ = false;
  auto engine = Engine::Open(options_, PlanUpTo(3));
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ(*(*engine)->SchemaVersion(), 3u);
  // Step 2 committed before the failure and was not repeated.
  EXPECT_EQ(runs_to_2_, 1);
  EXPECT_EQ(runs_to_3_, 2);
  auto marker = (*engine)->Get(Cf::kMeta, TestKey::Encode(0xF1, 0));
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(*marker, "m");
}

TEST_F(MigrationsTest, NewerSchemaIsRefusedNamingBothVersions) {
  Engine::Open(options_, PlanUpTo(3)).value().reset();
  auto engine = Engine::Open(options_, PlanUpTo(2));
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kFailedPrecondition);
  std::string message(engine.status().message());
  EXPECT_NE(message.find("schema version 3"), std::string::npos) << message;
  EXPECT_NE(message.find("version 2"), std::string::npos) << message;
  // Tools working below the schema still open it.
  options_.skip_schema_checks = true;
  options_.create_if_missing = false;
  EXPECT_TRUE(Engine::Open(options_, PlanUpTo(2)).ok());
}

TEST_F(MigrationsTest, PlanWithGapIsRejected) {
  std::vector<Migration> gap = {migrations_[1]};
  EXPECT_FALSE(ValidateMigrationPlan(MigrationPlan{2, gap}).ok());
  EXPECT_FALSE(ValidateMigrationPlan(MigrationPlan{3, gap}).ok());
  EXPECT_FALSE(ValidateMigrationPlan(MigrationPlan{0, {}}).ok());
}

}  // namespace
}  // namespace myelin::storage
