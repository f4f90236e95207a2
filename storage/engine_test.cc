#include "storage/engine.h"

#include <memory>
#include <string>

#include "dag/base/clock.h"
#include "gtest/gtest.h"
#include "storage/keys/codec.h"
#include "storage/keys/meta_keys.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using ::myelin::storage::testing::NewTempPath;
using ::myelin::storage::testing::TestOptions;

// Test rows live in `meta` under a key byte no MetaRow uses.
using TestKey = keys::Key<uint8_t, uint64_t>;
constexpr uint8_t kTestRow = 0xF0;

std::unique_ptr<Engine> OpenOrDie(const EngineOptions& options) {
  auto engine = Engine::Open(options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

absl::Status PutRows(Engine& engine, uint64_t begin, uint64_t end,
                     const std::string& value) {
  rocksdb::WriteBatch batch;
  for (uint64_t i = begin; i < end; ++i) {
    if (!batch.Put(engine.cf(Cf::kMeta), TestKey::Encode(kTestRow, i), value)
             .ok()) {
      return absl::InternalError("put");
    }
  }
  return engine.Write(batch);
}

TEST(EngineTest, WritesAreReadBackAndSurviveReopen) {
  std::string path = NewTempPath("reopen");
  EngineOptions options = TestOptions(path);
  options.sync_writes = true;
  {
    auto engine = OpenOrDie(options);
    ASSERT_TRUE(PutRows(*engine, 0, 10, "hello").ok());
    auto value = engine->Get(Cf::kMeta, TestKey::Encode(kTestRow, 3));
    ASSERT_TRUE(value.ok()) << value.status();
    EXPECT_EQ(*value, "hello");
    auto absent = engine->Get(Cf::kMeta, TestKey::Encode(kTestRow, 99));
    ASSERT_TRUE(absent.ok());
    EXPECT_EQ(*absent, std::nullopt);
  }
  auto engine = OpenOrDie(options);
  auto value = engine->Get(Cf::kMeta, TestKey::Encode(kTestRow, 9));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "hello");
}

TEST(EngineTest, PrefixScanSeesExactlyThePrefix) {
  auto engine = OpenOrDie(TestOptions(NewTempPath("scan")));
  ASSERT_TRUE(PutRows(*engine, 0, 5, "x").ok());
  std::string prefix = TestKey::EncodePrefix(kTestRow);
  std::string bound = *keys::PrefixUpperBound(prefix);
  rocksdb::Slice upper(bound);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper;
  auto it = engine->NewIterator(Cf::kMeta, read_options);
  uint64_t expected = 0;
  for (it->Seek(prefix); it->Valid(); it->Next(), ++expected) {
    auto key =
        TestKey::Decode(std::string_view(it->key().data(), it->key().size()));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(std::get<1>(*key), expected);
  }
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(expected, 5u);
}

TEST(EngineTest, RecordsDatabaseInfoAtCreation) {
  FakeClock clock(1'234'567);
  EngineOptions options = TestOptions(NewTempPath("info"));
  options.clock = &clock;
  auto engine = OpenOrDie(options);
  auto info = engine->ReadDatabaseInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->server_name, "example.org");
  EXPECT_EQ(info->created_at_ms, 1'234'567);
  EXPECT_EQ(info->created_schema_version, kCurrentSchemaVersion);
}

TEST(EngineTest, RefusesAnotherServerName) {
  std::string path = NewTempPath("server_name");
  OpenOrDie(TestOptions(path)).reset();
  EngineOptions other = TestOptions(path);
  other.server_name = "other.example";
  auto engine = Engine::Open(other);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(engine.status().message().find("example.org"), std::string::npos);
  // Tools pass no server_name and may open any database.
  other.server_name.clear();
  EXPECT_TRUE(Engine::Open(other).ok());
}

TEST(EngineTest, RejectsBadOptions) {
  EngineOptions options = TestOptions(NewTempPath("bad"));
  options.memory_budget_bytes = 1 << 20;
  EXPECT_EQ(Engine::Open(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = TestOptions("");
  EXPECT_EQ(Engine::Open(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = TestOptions(NewTempPath("below_schema"));
  options.skip_schema_checks = true;
  EXPECT_EQ(Engine::Open(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = TestOptions(NewTempPath("no_name"));
  options.server_name.clear();
  EXPECT_EQ(Engine::Open(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EngineTest, MissingDatabaseIsNotFoundWithoutCreateIfMissing) {
  EngineOptions options = TestOptions(NewTempPath("absent"));
  options.create_if_missing = false;
  EXPECT_EQ(Engine::Open(options).status().code(), absl::StatusCode::kNotFound);
}

TEST(EngineTest, SecondOpenWhileInUseIsAClearError) {
  EngineOptions options = TestOptions(NewTempPath("locked"));
  auto first = OpenOrDie(options);
  auto second = Engine::Open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use by a running server"),
            std::string::npos)
      << second.status();
}

TEST(EngineTest, StatsReportBudgetAndSizes) {
  auto engine = OpenOrDie(TestOptions(NewTempPath("stats")));
  ASSERT_TRUE(PutRows(*engine, 0, 2000, std::string(100, 'v')).ok());
  EngineStats before = engine->Stats();
  EXPECT_EQ(before.memory_budget_bytes, 32ull << 20);
  EXPECT_GT(before.memtable_bytes, 0u);
  // Memtables are charged to the block cache.
  EXPECT_GT(before.block_cache_usage_bytes, 0u);
  EXPECT_LE(before.block_cache_usage_bytes, before.memory_budget_bytes);
  ASSERT_TRUE(engine->CompactAll().ok());
  ASSERT_TRUE(
      engine->db()->Flush(rocksdb::FlushOptions(), engine->cf(Cf::kMeta)).ok());
  EngineStats after = engine->Stats();
  EXPECT_GT(after.total_sst_bytes, 0u);
  EXPECT_GT(after.estimated_live_data_bytes, 0u);
  bool found = false;
  for (const ColumnFamilyStats& cf : after.column_families) {
    if (cf.name != "meta") continue;
    found = true;
    EXPECT_TRUE(cf.known);
    EXPECT_GE(cf.estimated_keys, 2000u);
    EXPECT_GT(cf.sst_bytes, 0u);
  }
  EXPECT_TRUE(found);
}

TEST(EngineTest, SyncWritesFsyncsTheWalOnlyWhenOn) {
  for (bool sync : {false, true}) {
    EngineOptions options = TestOptions(NewTempPath("sync"));
    options.sync_writes = sync;
    auto engine = OpenOrDie(options);
    uint64_t before = engine->Stats().wal_syncs;
    for (uint64_t i = 0; i < 5; ++i) {
      ASSERT_TRUE(PutRows(*engine, i, i + 1, "v").ok());
    }
    uint64_t syncs = engine->Stats().wal_syncs - before;
    if (sync) {
      EXPECT_GE(syncs, 5u);
    } else {
      EXPECT_EQ(syncs, 0u);
    }
  }
}

// With a strict block cache at the minimum budget, reads of more data than
// the cache holds must still succeed (blocks are evicted, not refused).
TEST(EngineTest, ReadsSucceedWithDataLargerThanTheBudget) {
  EngineOptions options = TestOptions(NewTempPath("budget"));
  options.memory_budget_bytes = kMinMemoryBudgetBytes;
  auto engine = OpenOrDie(options);
  const std::string value(4000, 'z');
  for (uint64_t chunk = 0; chunk < 10; ++chunk) {
    ASSERT_TRUE(
        PutRows(*engine, chunk * 1000, chunk * 1000 + 1000, value).ok());
  }
  ASSERT_TRUE(engine->CompactAll().ok());
  for (uint64_t i = 0; i < 10000; i += 7) {
    auto got = engine->Get(Cf::kMeta, TestKey::Encode(kTestRow, i));
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, value);
  }
  EngineStats stats = engine->Stats();
  EXPECT_LE(stats.block_cache_usage_bytes, kMinMemoryBudgetBytes);
  EXPECT_GT(stats.block_cache_misses, 0u);
  EXPECT_EQ(stats.block_cache_add_failures, 0u);
}

}  // namespace
}  // namespace myelin::storage
