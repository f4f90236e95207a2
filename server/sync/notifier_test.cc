#include "server/sync/notifier.h"

#include <atomic>
#include <memory>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/events/test_room.h"
#include "storage/testing.h"

namespace myelin::sync {
namespace {

constexpr char kAlice[] = "@alice:example.org";
constexpr char kBob[] = "@bob:example.org";
constexpr char kCarol[] = "@carol:example.org";
constexpr absl::Duration kPatience = absl::Seconds(10);

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::Engine::Open(
        storage::testing::TestOptions(storage::testing::NewTempPath("notifier")));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    auto store = storage::EventStore::Open(*engine_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    room_ = std::make_unique<storage::testing::TestRoom>(*store_, "!r:example.org");
    ASSERT_TRUE(room_->Create(kAlice).ok());
    ASSERT_TRUE(room_->Member(kAlice, "join").ok());
    ASSERT_TRUE(room_->Member(kBob, "join").ok());
    notifier_ = std::make_unique<SyncNotifier>(store_.get());
  }
  void TearDown() override {
    notifier_.reset();
    room_.reset();
    store_.reset();
    engine_.reset();
  }

  // A waiter for `user` that notes when it is woken.
  std::shared_ptr<absl::Notification> Watch(const char* user) {
    auto woken = std::make_shared<absl::Notification>();
    notifier_->Subscribe(user)->OnWake([woken] { woken->Notify(); });
    return woken;
  }

  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<storage::testing::TestRoom> room_;
  std::unique_ptr<SyncNotifier> notifier_;
};

TEST_F(NotifierTest, ANewEventWakesTheRoomsJoinedMembersOnly) {
  auto alice = Watch(kAlice);
  auto bob = Watch(kBob);
  auto carol = Watch(kCarol);
  ASSERT_TRUE(room_->Message(kAlice).ok());
  EXPECT_TRUE(alice->WaitForNotificationWithTimeout(kPatience));
  EXPECT_TRUE(bob->WaitForNotificationWithTimeout(kPatience));
  // Carol is not in the room; another event proves the notifier moved on.
  auto bob_again = Watch(kBob);
  ASSERT_TRUE(room_->Message(kBob).ok());
  EXPECT_TRUE(bob_again->WaitForNotificationWithTimeout(kPatience));
  EXPECT_FALSE(carol->HasBeenNotified());
}

TEST_F(NotifierTest, AnInviteWakesTheInvitee) {
  auto carol = Watch(kCarol);
  ASSERT_TRUE(room_->Member(kCarol, "invite", kAlice).ok());
  EXPECT_TRUE(carol->WaitForNotificationWithTimeout(kPatience));
}

TEST_F(NotifierTest, WakingBeforeOnWakeRunsTheCallbackAtOnce) {
  std::shared_ptr<SyncNotifier::Waiter> waiter = notifier_->Subscribe(kAlice);
  notifier_->WakeUser(kAlice);
  bool ran = false;
  waiter->OnWake([&ran] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_EQ(notifier_->WaiterCount(), 0u);
}

TEST_F(NotifierTest, RoomAndRoomsOfUserWakes) {
  auto bob = Watch(kBob);
  notifier_->WakeRoom("!r:example.org");
  EXPECT_TRUE(bob->WaitForNotificationWithTimeout(kPatience));
  auto bob_again = Watch(kBob);
  notifier_->WakeRoomsOfUser(kAlice);  // Bob shares the room with Alice.
  EXPECT_TRUE(bob_again->WaitForNotificationWithTimeout(kPatience));
}

TEST_F(NotifierTest, UnsubscribedWaitersAreNotWoken) {
  std::shared_ptr<SyncNotifier::Waiter> waiter = notifier_->Subscribe(kAlice);
  std::atomic<bool> ran{false};
  notifier_->Unsubscribe(kAlice, waiter);
  EXPECT_EQ(notifier_->WaiterCount(), 0u);
  notifier_->WakeAll();
  waiter->OnWake([&ran] { ran = true; });
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace myelin::sync
