#include "storage/todevice/inbox_store.h"

#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

std::vector<std::string> Jsons(const std::vector<ToDeviceMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.json);
  return out;
}

TEST(InboxStoreTest, QueueAcknowledgeAndRestart) {
  std::string path = testing::NewTempPath("inbox");
  {
    auto engine = Engine::Open(testing::TestOptions(path));
    ASSERT_TRUE(engine.ok());
    auto inbox = InboxStore::Open(engine->get());
    ASSERT_TRUE(inbox.ok());
    ToDeviceTxn txn{"@s:x", "SDEV", "t1"};
    EXPECT_TRUE(*(*inbox)->Enqueue(txn, {{"@a:x", "A1", "m1"},
                                         {"@a:x", "A2", "m2"},
                                         {"@b:x", "B1", "m3"}}));
    // The same transaction again writes nothing.
    EXPECT_FALSE(*(*inbox)->Enqueue(txn, {{"@a:x", "A1", "again"}}));
    EXPECT_TRUE(*(*inbox)->Enqueue({"@s:x", "SDEV", "t2"}, {{"@a:x", "A1", "m4"}}));
    auto a1 = *(*inbox)->Pending("@a:x", "A1", 0, 10);
    EXPECT_EQ(Jsons(a1), (std::vector<std::string>{"m1", "m4"}));
    EXPECT_EQ(a1[0].stream, 1u);
    EXPECT_EQ(a1[1].stream, 4u);
    // A device whose id extends another's has its own inbox.
    EXPECT_TRUE((*(*inbox)->Pending("@a:x", "A", 0, 10)).empty());
    ASSERT_TRUE((*inbox)->Acknowledge("@a:x", "A1", 1).ok());
    EXPECT_EQ(Jsons(*(*inbox)->Pending("@a:x", "A1", 0, 10)),
              std::vector<std::string>{"m4"});
    EXPECT_EQ(Jsons(*(*inbox)->Pending("@a:x", "A2", 0, 10)),
              std::vector<std::string>{"m2"});
  }
  // Unacknowledged messages survive a restart; the stream goes on.
  auto engine = Engine::Open(testing::TestOptions(path));
  ASSERT_TRUE(engine.ok());
  auto inbox = InboxStore::Open(engine->get());
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ((*inbox)->LatestStream(), 4u);
  EXPECT_EQ(Jsons(*(*inbox)->Pending("@a:x", "A1", 0, 10)),
            std::vector<std::string>{"m4"});
  ASSERT_TRUE((*inbox)->DropDevice("@b:x", "B1").ok());
  EXPECT_TRUE((*(*inbox)->Pending("@b:x", "B1", 0, 10)).empty());
  EXPECT_TRUE(*(*inbox)->Enqueue({"@s:x", "SDEV", "t3"}, {{"@b:x", "B1", "m5"}}));
  EXPECT_EQ((*(*inbox)->Pending("@b:x", "B1", 0, 10))[0].stream, 5u);
}

}  // namespace
}  // namespace myelin::storage
