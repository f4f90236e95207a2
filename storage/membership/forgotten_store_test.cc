#include "storage/membership/forgotten_store.h"

#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

TEST(ForgottenStoreTest, ForgetLastsUntilMembershipChanges) {
  std::string path = testing::NewTempPath("forgotten");
  auto engine = Engine::Open(testing::TestOptions(path));
  ASSERT_TRUE(engine.ok()) << engine.status();
  ForgottenStore store(engine->get());
  EXPECT_FALSE(*store.IsForgotten("@a:x", 7, 100));
  ASSERT_TRUE(store.Forget("@a:x", 7, 100).ok());
  ASSERT_TRUE(store.Forget("@a:x", 9, 200).ok());
  ASSERT_TRUE(store.Forget("@b:x", 7, 300).ok());
  EXPECT_TRUE(*store.IsForgotten("@a:x", 7, 100));
  // A later member event (rejoined, invited again) ends the forget.
  EXPECT_FALSE(*store.IsForgotten("@a:x", 7, 150));
  EXPECT_EQ(*store.ForgottenRooms("@a:x"), (std::vector<uint64_t>{7, 9}));
  EXPECT_EQ(*store.ForgottenRooms("@b:x"), (std::vector<uint64_t>{7}));
  EXPECT_TRUE(store.ForgottenRooms("@c:x")->empty());
  // It survives a restart.
  engine->reset();
  auto reopened = Engine::Open(testing::TestOptions(path));
  ASSERT_TRUE(reopened.ok());
  ForgottenStore again(reopened->get());
  EXPECT_TRUE(*again.IsForgotten("@a:x", 9, 200));
}

}  // namespace
}  // namespace myelin::storage
