#include "server/rooms/room_writer.h"

#include <thread>

#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"
#include "storage/engine.h"
#include "storage/testing.h"

namespace myelin::rooms {
namespace {

constexpr char kAlice[] = "@alice:example.org";
constexpr char kBob[] = "@bob:example.org";

class RoomWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::Engine::Open(
        storage::testing::TestOptions(storage::testing::NewTempPath("rw")));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(engine).value();
    auto store = storage::EventStore::Open(*engine_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    auto pair = crypto::Ed25519KeyPair::FromSeed(std::string(32, 'k'));
    key_ = std::make_unique<federation::SigningKey>(
        federation::SigningKey{"a_test", *pair});
    writer_ = std::make_unique<RoomWriter>("example.org", key_.get(),
                                           store_.get(), &clock_);
  }

  absl::StatusOr<SentEvent> SendAs(const std::string& room, const char* sender,
                                   const char* type,
                                   std::optional<std::string> state_key,
                                   boost::json::object content) {
    event::EventDraft draft;
    draft.room_id = room;
    draft.type = type;
    draft.state_key = std::move(state_key);
    draft.sender = sender;
    draft.content = std::move(content);
    clock_.Advance(1);
    return writer_->Send(draft);
  }

  // create + creator join + power levels + public join rule.
  std::string NewRoom(const RoomVersionRules& rules) {
    auto create = writer_->CreateRoom(rules, kAlice, {});
    EXPECT_TRUE(create.ok()) << create.status();
    std::string room = create->room_id;
    auto join = SendAs(room, kAlice, "m.room.member", kAlice,
                       {{"membership", "join"}});
    EXPECT_TRUE(join.ok()) << join.status();
    boost::json::object users;
    if (!rules.privileged_creators) users[kAlice] = 100;
    EXPECT_TRUE(SendAs(room, kAlice, "m.room.power_levels", "",
                       {{"users", users}, {"state_default", 50}}).ok());
    EXPECT_TRUE(SendAs(room, kAlice, "m.room.join_rules", "",
                       {{"join_rule", "public"}}).ok());
    return room;
  }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::EventStore> store_;
  std::unique_ptr<federation::SigningKey> key_;
  std::unique_ptr<RoomWriter> writer_;
};

TEST_F(RoomWriterTest, EveryRoomVersionAcceptsAConversation) {
  for (const RoomVersionRules& rules : AllRoomVersions()) {
    SCOPED_TRACE(rules.id);
    std::string room = NewRoom(rules);
    EXPECT_EQ(*writer_->RulesOf(room), &rules);
    ASSERT_TRUE(SendAs(room, kBob, "m.room.member", kBob,
                       {{"membership", "join"}}).ok());
    auto message = SendAs(room, kBob, "m.room.message", std::nullopt,
                          {{"msgtype", "m.text"}, {"body", "hello"}});
    ASSERT_TRUE(message.ok()) << message.status();
    EXPECT_EQ(message->room_id, room);
    EXPECT_GT(message->stream, 0u);
    auto topic = writer_->CurrentState(room, "m.room.join_rules", "");
    ASSERT_TRUE(topic.ok());
    EXPECT_EQ(topic->get()->pdu.ContentString("join_rule"), "public");
  }
}

// Spec: rooms/v12 — the room id is the create event's hash; identical
// creates in the same millisecond must still make two rooms.
TEST_F(RoomWriterTest, IdenticalCreatesInOneMillisecondMakeTwoRooms) {
  std::vector<std::string> rooms;
  for (int i = 0; i < 3; ++i) {
    auto created = writer_->CreateRoom(DefaultRoomVersion(), kAlice, {});
    ASSERT_TRUE(created.ok()) << created.status();
    rooms.push_back(created->room_id);
  }
  EXPECT_NE(rooms[0], rooms[1]);
  EXPECT_NE(rooms[1], rooms[2]);
  EXPECT_NE(rooms[0], rooms[2]);
}

TEST_F(RoomWriterTest, RejectionsCarryTheAuthRulesReason) {
  std::string room = NewRoom(DefaultRoomVersion());
  auto outsider = SendAs(room, kBob, "m.room.message", std::nullopt,
                         {{"body", "let me in"}});
  ASSERT_FALSE(outsider.ok());
  EXPECT_EQ(ErrcodeOf(outsider.status()), "M_FORBIDDEN");
  EXPECT_NE(outsider.status().message().find("rule"), std::string::npos);

  ASSERT_TRUE(SendAs(room, kBob, "m.room.member", kBob, {{"membership", "join"}}).ok());
  // Bob (power 0) may not change the join rules (state_default 50).
  auto change = SendAs(room, kBob, "m.room.join_rules", "", {{"join_rule", "invite"}});
  EXPECT_EQ(ErrcodeOf(change.status()), "M_FORBIDDEN");
  // Alice bans Bob; Bob can no longer speak.
  ASSERT_TRUE(SendAs(room, kAlice, "m.room.member", kBob, {{"membership", "ban"}}).ok());
  auto banned = SendAs(room, kBob, "m.room.message", std::nullopt, {{"body", "hi"}});
  EXPECT_EQ(ErrcodeOf(banned.status()), "M_FORBIDDEN");
}

TEST_F(RoomWriterTest, TransactionsAreRecordedWithTheEvent) {
  std::string room = NewRoom(DefaultRoomVersion());
  event::EventDraft draft;
  draft.room_id = room;
  draft.type = "m.room.message";
  draft.sender = kAlice;
  draft.content = {{"body", "once"}};
  storage::ClientTxn txn{kAlice, "PHONE", "t-1"};
  auto sent = writer_->Send(draft, txn);
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto found = store_->EventOfTxn(txn);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, sent->event_id);
  EXPECT_FALSE(store_->EventOfTxn({kAlice, "LAPTOP", "t-1"})->has_value());
  auto nid = store_->LookupEvent(sent->event_id);
  ASSERT_TRUE(nid.ok());
  auto back = store_->TxnOfEvent(*nid);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->first, "PHONE");
  EXPECT_EQ((*back)->second, "t-1");
}

TEST_F(RoomWriterTest, UnknownRoomIsNotFound) {
  auto sent = SendAs("!nowhere:example.org", kAlice, "m.room.message",
                     std::nullopt, {{"body", "x"}});
  EXPECT_EQ(ErrcodeOf(sent.status()), "M_NOT_FOUND");
}

TEST_F(RoomWriterTest, ConcurrentSendsFormALinearHistory) {
  std::string room = NewRoom(DefaultRoomVersion());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        event::EventDraft draft;
        draft.room_id = room;
        draft.type = "m.room.message";
        draft.sender = kAlice;
        draft.content = {{"body", std::to_string(t * 100 + i)}};
        if (!writer_->Send(draft).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto room_info = store_->LookupRoom(room);
  ASSERT_TRUE(room_info.ok());
  auto extremities = store_->ForwardExtremities(room_info->room_nid);
  ASSERT_TRUE(extremities.ok());
  // Serialised per room: every send built on the previous one.
  EXPECT_EQ(extremities->size(), 1u);
  auto meta = store_->Meta(extremities->front());
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->depth, 4 + kThreads * kPerThread);
  EXPECT_EQ(meta->prev_events.size(), 1u);
}

}  // namespace
}  // namespace myelin::rooms
