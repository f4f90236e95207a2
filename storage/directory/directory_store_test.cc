#include "storage/directory/directory_store.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class DirectoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store_.reset();
    engine_.reset();
    if (path_.empty()) path_ = testing::NewTempPath("directory");
    auto engine = Engine::Open(testing::TestOptions(path_));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(engine).value();
    store_ = std::make_unique<DirectoryStore>(engine_.get());
  }

  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<DirectoryStore> store_;
};

TEST_F(DirectoryStoreTest, AliasLifecycle) {
  ASSERT_TRUE(store_->CreateAlias("#b:x", "!r:x", "@alice:x").ok());
  ASSERT_TRUE(store_->CreateAlias("#a:x", "!r:x", "@bob:x").ok());
  ASSERT_TRUE(store_->CreateAlias("#c:x", "!other:x", "@bob:x").ok());
  EXPECT_EQ(store_->CreateAlias("#a:x", "!other:x", "@bob:x").code(),
            absl::StatusCode::kAlreadyExists);

  auto record = store_->GetAlias("#b:x");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->room_id, "!r:x");
  EXPECT_EQ((*record)->creator, "@alice:x");
  auto missing = store_->GetAlias("#nope:x");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  EXPECT_THAT(*store_->AliasesOf("!r:x"), ElementsAre("#a:x", "#b:x"));
  EXPECT_THAT(*store_->AliasesOf("!other:x"), ElementsAre("#c:x"));
  EXPECT_THAT(*store_->AliasesOf("!r"), IsEmpty());

  auto deleted = store_->DeleteAlias("#a:x");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->creator, "@bob:x");
  EXPECT_EQ(store_->DeleteAlias("#a:x").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(*store_->AliasesOf("!r:x"), ElementsAre("#b:x"));
  // A deleted alias can be taken again, for another room.
  EXPECT_TRUE(store_->CreateAlias("#a:x", "!other:x", "@carol:x").ok());
  EXPECT_THAT(*store_->AliasesOf("!other:x"), ElementsAre("#a:x", "#c:x"));
}

TEST_F(DirectoryStoreTest, PublishedSetSurvivesRestart) {
  ASSERT_TRUE(store_->SetPublished("!b:x", true).ok());
  ASSERT_TRUE(store_->SetPublished("!a:x", true).ok());
  ASSERT_TRUE(store_->SetPublished("!a:x", true).ok());
  ASSERT_TRUE(store_->SetPublished("!c:x", true).ok());
  ASSERT_TRUE(store_->SetPublished("!c:x", false).ok());
  ASSERT_TRUE(store_->SetPublished("!never:x", false).ok());
  ASSERT_TRUE(store_->CreateAlias("#a:x", "!a:x", "@alice:x").ok());
  Open();
  EXPECT_THAT(*store_->PublishedRooms(), ElementsAre("!a:x", "!b:x"));
  EXPECT_TRUE(*store_->IsPublished("!a:x"));
  EXPECT_FALSE(*store_->IsPublished("!c:x"));
  EXPECT_TRUE(store_->GetAlias("#a:x")->has_value());
}

TEST_F(DirectoryStoreTest, MoveRoomCarriesAliasesAndPublication) {
  ASSERT_TRUE(store_->CreateAlias("#b:x", "!old:x", "@alice:x").ok());
  ASSERT_TRUE(store_->CreateAlias("#a:x", "!old:x", "@bob:x").ok());
  ASSERT_TRUE(store_->CreateAlias("#c:x", "!else:x", "@bob:x").ok());
  ASSERT_TRUE(store_->SetPublished("!old:x", true).ok());
  auto moved = store_->MoveRoom("!old:x", "!new:x");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_THAT(*moved, ElementsAre("#a:x", "#b:x"));
  EXPECT_THAT(*store_->AliasesOf("!old:x"), IsEmpty());
  EXPECT_THAT(*store_->AliasesOf("!new:x"), ElementsAre("#a:x", "#b:x"));
  auto record = store_->GetAlias("#b:x");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->room_id, "!new:x");
  EXPECT_EQ((*record)->creator, "@alice:x");
  EXPECT_EQ((*store_->GetAlias("#c:x"))->room_id, "!else:x");
  EXPECT_THAT(*store_->PublishedRooms(), ElementsAre("!new:x"));
  // An unpublished room without aliases moves nothing.
  EXPECT_THAT(*store_->MoveRoom("!else2:x", "!new2:x"), IsEmpty());
  EXPECT_THAT(*store_->PublishedRooms(), ElementsAre("!new:x"));
}

// Many threads race for the same aliases: each is taken exactly once.
TEST_F(DirectoryStoreTest, ConcurrentCreatesTakeEachAliasOnce) {
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string alias = "#a" + std::to_string(i) + ":x";
        if (store_->CreateAlias(alias, "!r" + std::to_string(t) + ":x", "@u:x")
                .ok()) {
          ++won;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(won.load(), 20);
  size_t indexed = 0;
  for (int t = 0; t < 8; ++t) {
    indexed += store_->AliasesOf("!r" + std::to_string(t) + ":x")->size();
  }
  EXPECT_EQ(indexed, 20u);
}

}  // namespace
}  // namespace myelin::storage
