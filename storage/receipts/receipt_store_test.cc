#include "storage/receipts/receipt_store.h"

#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

TEST(ReceiptStoreTest, NewerReceiptsReplaceOlderOnesPerTypeAndThread) {
  std::string path = testing::NewTempPath("receipts");
  {
    auto engine = Engine::Open(testing::TestOptions(path));
    ASSERT_TRUE(engine.ok());
    auto store = ReceiptStore::Open(engine->get());
    ASSERT_TRUE(store.ok());
    ReceiptStore& receipts = **store;
    EXPECT_EQ(*receipts.Put("!r", {"m.read", "@a:x", "", "$1", 100}), 1u);
    EXPECT_EQ(*receipts.Put("!r", {"m.read", "@b:x", "", "$1", 101}), 2u);
    EXPECT_EQ(*receipts.Put("!r", {"m.read", "@a:x", "main", "$2", 102}), 3u);
    EXPECT_EQ(*receipts.Put("!other", {"m.read", "@a:x", "", "$9", 103}), 4u);
    EXPECT_EQ(*receipts.Put("!r", {"m.read", "@a:x", "", "$3", 104}), 5u);
    auto a = *receipts.Get("!r", "m.read", "@a:x", "");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->event_id, "$3");
    EXPECT_EQ(a->ts, 104);
    EXPECT_EQ((*receipts.Get("!r", "m.read", "@a:x", "main"))->event_id, "$2");
    auto changes = *receipts.ChangesSince("!r", 0, 100);
    ASSERT_EQ(changes.size(), 3u);  // a's first unthreaded receipt replaced
    EXPECT_EQ(changes[0].user_id, "@b:x");
    EXPECT_EQ(changes[1].thread_id, "main");
    EXPECT_EQ(changes[2].event_id, "$3");
    EXPECT_EQ(changes[2].stream, 5u);
    EXPECT_EQ((*receipts.ChangesSince("!r", 3, 100)).size(), 1u);
  }
  auto engine = Engine::Open(testing::TestOptions(path));
  ASSERT_TRUE(engine.ok());
  auto store = ReceiptStore::Open(engine->get());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->LatestStream(), 5u);
}

}  // namespace
}  // namespace myelin::storage
