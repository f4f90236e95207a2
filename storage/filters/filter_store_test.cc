#include "storage/filters/filter_store.h"

#include <thread>

#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

TEST(FilterStoreTest, IdsCountUpPerUserAndSurviveRestart) {
  std::string path = testing::NewTempPath("filters");
  {
    auto engine = Engine::Open(testing::TestOptions(path));
    ASSERT_TRUE(engine.ok()) << engine.status();
    FilterStore store(engine->get());
    EXPECT_EQ(*store.Add("@a:x", R"({"room":{}})"), 0u);
    EXPECT_EQ(*store.Add("@a:x", R"({"presence":{}})"), 1u);
    // Another user (even one whose id extends this one's) counts alone.
    EXPECT_EQ(*store.Add("@a:xy", "{}"), 0u);
    EXPECT_EQ(*store.Get("@a:x", 1), R"({"presence":{}})");
    EXPECT_TRUE(absl::IsNotFound(store.Get("@a:x", 7).status()));
    EXPECT_TRUE(absl::IsNotFound(store.Get("@b:x", 0).status()));
  }
  auto engine = Engine::Open(testing::TestOptions(path));
  ASSERT_TRUE(engine.ok());
  FilterStore store(engine->get());
  EXPECT_EQ(*store.Get("@a:x", 0), R"({"room":{}})");
  EXPECT_EQ(*store.Add("@a:x", "{}"), 2u);
}

TEST(FilterStoreTest, ConcurrentUploadsGetDistinctIds) {
  auto engine = Engine::Open(testing::TestOptions(testing::NewTempPath("f2")));
  ASSERT_TRUE(engine.ok());
  FilterStore store(engine->get());
  std::vector<std::thread> threads;
  std::vector<uint64_t> ids(40);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) ids[t * 10 + i] = *store.Add("@a:x", "{}");
    });
  }
  for (auto& thread : threads) thread.join();
  std::sort(ids.begin(), ids.end());
  for (uint64_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], i);
}

}  // namespace
}  // namespace myelin::storage
