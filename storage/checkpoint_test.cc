// Online backup: a checkpoint taken while another thread writes opens as a
// consistent database.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/keys/codec.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using ::myelin::storage::testing::NewTempPath;
using ::myelin::storage::testing::TestOptions;

// Each logical write i puts two rows, (0xF0, i) and (0xF1, i), in one batch.
using TestKey = keys::Key<uint8_t, uint64_t>;

absl::Status WritePair(Engine& engine, uint64_t i) {
  rocksdb::WriteBatch batch;
  std::string value = std::to_string(i);
  if (!batch.Put(engine.cf(Cf::kMeta), TestKey::Encode(0xF0, i), value).ok() ||
      !batch.Put(engine.cf(Cf::kMeta), TestKey::Encode(0xF1, i), value).ok()) {
    return absl::InternalError("put");
  }
  return engine.Write(batch);
}

// Number of consecutive writes 0..n-1 present; fails on a half write or gap.
uint64_t CountCompleteWrites(Engine& engine) {
  uint64_t n = 0;
  while (true) {
    auto a = engine.Get(Cf::kMeta, TestKey::Encode(0xF0, n));
    auto b = engine.Get(Cf::kMeta, TestKey::Encode(0xF1, n));
    EXPECT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->has_value(), b->has_value()) << "half-written pair " << n;
    if (!a->has_value()) break;
    EXPECT_EQ(**a, std::to_string(n));
    ++n;
  }
  auto after = engine.Get(Cf::kMeta, TestKey::Encode(0xF0, n + 1));
  EXPECT_TRUE(after.ok() && !after->has_value()) << "gap at " << n;
  return n;
}

TEST(CheckpointTest, CheckpointDuringWritesIsConsistent) {
  auto engine = Engine::Open(TestOptions(NewTempPath("live")));
  ASSERT_TRUE(engine.ok()) << engine.status();
  for (uint64_t i = 0; i < 1000; ++i) ASSERT_TRUE(WritePair(**engine, i).ok());
  ASSERT_TRUE((*engine)
                  ->db()
                  ->Flush(rocksdb::FlushOptions(), (*engine)->cf(Cf::kMeta))
                  .ok());

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> written{1000};
  std::thread writer([&] {
    while (!stop) {
      if (!WritePair(**engine, written).ok()) break;
      ++written;
    }
  });
  while (written < 3000) std::this_thread::yield();
  std::string backup = NewTempPath("backup");
  absl::Status checkpoint = (*engine)->CreateCheckpoint(backup);
  uint64_t written_after_checkpoint = written;
  while (written < written_after_checkpoint + 1000) std::this_thread::yield();
  stop = true;
  writer.join();
  ASSERT_TRUE(checkpoint.ok()) << checkpoint;

  EngineOptions backup_options = TestOptions(backup);
  backup_options.create_if_missing = false;
  auto copy = Engine::Open(backup_options);
  ASSERT_TRUE(copy.ok()) << copy.status();
  uint64_t in_copy = CountCompleteWrites(**copy);
  EXPECT_GE(in_copy, 3000u);
  EXPECT_LE(in_copy, written_after_checkpoint);
  EXPECT_EQ(CountCompleteWrites(**engine), written.load());
}

TEST(CheckpointTest, ExistingTargetIsRefused) {
  auto engine = Engine::Open(TestOptions(NewTempPath("db")));
  ASSERT_TRUE(engine.ok()) << engine.status();
  std::string target = NewTempPath("target");
  ASSERT_TRUE((*engine)->CreateCheckpoint(target).ok());
  EXPECT_EQ((*engine)->CreateCheckpoint(target).code(),
            absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace myelin::storage
