#include "storage/accountdata/account_data_store.h"

#include <thread>

#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

TEST(AccountDataStoreTest, PutGetAndTheChangeLog) {
  std::string path = testing::NewTempPath("accountdata");
  {
    auto engine = Engine::Open(testing::TestOptions(path));
    ASSERT_TRUE(engine.ok()) << engine.status();
    auto store = AccountDataStore::Open(engine->get());
    ASSERT_TRUE(store.ok());
    AccountDataStore& data = **store;
    EXPECT_FALSE((*data.Get("@a:x", "", "m.direct")).has_value());
    EXPECT_EQ(*data.Put("@a:x", "", "m.direct", {{"@b:x", {"!r:x"}}}), 1u);
    EXPECT_EQ(*data.Put("@a:x", "!r:x", "m.tag", {{"tags", boost::json::object()}}), 2u);
    EXPECT_EQ(*data.Put("@b:x", "", "m.direct", {}), 3u);
    // Changing m.direct again moves it to the end of the log.
    EXPECT_EQ(*data.Put("@a:x", "", "m.direct", {{"v", 2}}), 4u);
    auto value = *data.Get("@a:x", "", "m.direct");
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(value->at("v").as_int64(), 2);
    auto changes = *data.ChangesSince("@a:x", 0, 100);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].stream, 2u);
    EXPECT_EQ(changes[0].room_id, "!r:x");
    EXPECT_EQ(changes[0].type, "m.tag");
    EXPECT_EQ(changes[1].stream, 4u);
    EXPECT_EQ(changes[1].room_id, "");
    EXPECT_EQ((*data.ChangesSince("@a:x", 2, 100)).size(), 1u);
    EXPECT_TRUE((*data.ChangesSince("@a:x", 4, 100)).empty());
    EXPECT_EQ((*data.ChangesSince("@b:x", 0, 100)).size(), 1u);
  }
  // The stream goes on after a restart.
  auto engine = Engine::Open(testing::TestOptions(path));
  ASSERT_TRUE(engine.ok());
  auto store = AccountDataStore::Open(engine->get());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->LatestStream(), 4u);
  EXPECT_EQ(*(*store)->Put("@a:x", "", "x", {}), 5u);
}

TEST(AccountDataStoreTest, UpdateIsAtomicReadModifyWrite) {
  auto engine = Engine::Open(testing::TestOptions(testing::NewTempPath("ad2")));
  ASSERT_TRUE(engine.ok());
  auto store = AccountDataStore::Open(engine->get());
  ASSERT_TRUE(store.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto status = (*store)->Update(
            "@a:x", "!r:x", "m.tag",
            [&](std::optional<boost::json::object> current)
                -> absl::StatusOr<boost::json::object> {
              boost::json::object content = current.value_or(boost::json::object());
              content[std::to_string(t * 10 + i)] = true;
              return content;
            });
        ASSERT_TRUE(status.ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ((*(*store)->Get("@a:x", "!r:x", "m.tag"))->size(), 40u);
}

}  // namespace
}  // namespace myelin::storage
