// The relation, thread and redaction rows written by EventStore::Persist.
#include "storage/relations/relation_store.h"

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dag/base/status_macros.h"
#include "gtest/gtest.h"
#include "storage/events/event_store.h"
#include "storage/events/test_room.h"
#include "storage/keys/relation_keys.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using testing::TestRoom;

constexpr char kAlice[] = "@alice:example.org";
constexpr char kBob[] = "@bob:example.org";
constexpr StreamPos kEnd = std::numeric_limits<StreamPos>::max();

class RelationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine =
        Engine::Open(testing::TestOptions(testing::NewTempPath("rel")));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    auto store = EventStore::Open(*engine_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    room_ = std::make_unique<TestRoom>(*store_, "!r:example.org", "11");
    ASSERT_TRUE(room_->Create(kAlice).ok());
    ASSERT_TRUE(room_->Member(kAlice, "join").ok());
    ASSERT_TRUE(room_->Member(kBob, "join").ok());
  }
  void TearDown() override {
    room_.reset();
    store_.reset();
    engine_.reset();
  }

  // Persists a message related to `parent`; returns its stream position.
  StreamPos Relate(std::string_view sender, std::string_view rel_type,
                   std::string_view parent) {
    std::string content = "{\"m.relates_to\":{\"rel_type\":\"" +
                          std::string(rel_type) + "\",\"event_id\":\"" +
                          std::string(parent) + "\"}}";
    auto persisted = room_->Persist(
        room_->Next("m.room.message", sender, std::nullopt, content));
    EXPECT_TRUE(persisted.ok()) << persisted.status();
    return persisted.ok() ? persisted->stream : 0;
  }
  std::string Root() {
    EXPECT_TRUE(room_->Message(kAlice).ok());
    return room_->last_event_id();
  }
  RoomNid room_nid() { return store_->LookupRoom(room_->room_id())->room_nid; }
  std::vector<StreamPos> Streams(std::string_view parent, std::string_view rel,
                                 StreamPos from, Direction dir, size_t limit) {
    RelationStore relations(*engine_);
    auto children =
        relations.Children(room_nid(), parent, rel, from, dir, limit);
    EXPECT_TRUE(children.ok()) << children.status();
    std::vector<StreamPos> out;
    for (const Relation& r : *children) out.push_back(r.stream);
    return out;
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<TestRoom> room_;
};

TEST_F(RelationStoreTest, ChildrenByRelTypeInStreamOrderBothWays) {
  std::string root = Root();
  StreamPos t1 = Relate(kBob, "m.thread", root);
  StreamPos e1 = Relate(kAlice, "m.replace", root);
  StreamPos t2 = Relate(kAlice, "m.thread", root);
  EXPECT_EQ(Streams(root, "m.thread", 0, Direction::kForward, 10),
            (std::vector<StreamPos>{t1, t2}));
  EXPECT_EQ(Streams(root, "m.thread", kEnd, Direction::kBackward, 10),
            (std::vector<StreamPos>{t2, t1}));
  EXPECT_EQ(Streams(root, "m.thread", t2, Direction::kBackward, 10),
            (std::vector<StreamPos>{t1}));
  EXPECT_EQ(Streams(root, "m.thread", t1, Direction::kForward, 10),
            (std::vector<StreamPos>{t2}));
  EXPECT_EQ(Streams(root, "", 0, Direction::kForward, 10),
            (std::vector<StreamPos>{t1, e1, t2}));
  EXPECT_EQ(Streams(root, "", kEnd, Direction::kBackward, 2),
            (std::vector<StreamPos>{t2, e1}));
  EXPECT_TRUE(Streams(root, "m.reference", 0, Direction::kForward, 10).empty());
  RelationStore relations(*engine_);
  EXPECT_TRUE(*relations.HasChildren(room_nid(), root));
  EXPECT_FALSE(*relations.HasChildren(room_nid(), room_->last_event_id()));
}

TEST_F(RelationStoreTest, ChildrenWrittenInTheEventsBatchWithSender) {
  std::string root = Root();
  StreamPos t1 = Relate(kBob, "m.thread", root);
  RelationStore relations(*engine_);
  auto children = relations.Children(room_nid(), root, "m.thread", 0,
                                     Direction::kForward, 10);
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 1u);
  auto meta = store_->Meta((*children)[0].child);
  ASSERT_TRUE(meta.ok());
  // The row names the event of that stream position and its sender.
  EXPECT_EQ(meta->stream, t1);
  EXPECT_EQ((*children)[0].sender, *store_->LookupUser(kBob));
}

TEST_F(RelationStoreTest, ParentMayArriveLater) {
  StreamPos t1 = Relate(kBob, "m.thread", "$not-yet-here");
  EXPECT_EQ(Streams("$not-yet-here", "m.thread", 0, Direction::kForward, 10),
            (std::vector<StreamPos>{t1}));
}

TEST_F(RelationStoreTest, ThreadsListedByLatestActivity) {
  std::string a = Root();
  std::string b = Root();
  Relate(kBob, "m.thread", a);
  StreamPos b1 = Relate(kBob, "m.thread", b);
  StreamPos a2 = Relate(kAlice, "m.thread", a);
  RelationStore relations(*engine_);
  auto threads = relations.Threads(room_nid(), kEnd, 10);
  ASSERT_TRUE(threads.ok());
  ASSERT_EQ(threads->size(), 2u);  // a moved, not duplicated
  EXPECT_EQ((*threads)[0].root_id, a);
  EXPECT_EQ((*threads)[0].latest, a2);
  EXPECT_EQ((*threads)[1].root_id, b);
  auto older = relations.Threads(room_nid(), a2, 10);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ((*older)[0].latest, b1);
}

TEST_F(RelationStoreTest, FirstRedactionIsKept) {
  std::string target = Root();
  RelationStore relations(*engine_);
  EXPECT_EQ(*relations.RedactionOf(room_nid(), target), 0u);
  std::string content = "{\"redacts\":\"" + target + "\"}";
  auto first = room_->Persist(
      room_->Next("m.room.redaction", kAlice, std::nullopt, content));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(room_
                  ->Persist(room_->Next("m.room.redaction", kAlice,
                                        std::nullopt, content))
                  .ok());
  EXPECT_EQ(*relations.RedactionOf(room_nid(), target), first->event_nid);
}

TEST_F(RelationStoreTest, RejectedAndOutlierEventsDoNotCount) {
  std::string root = Root();
  std::string content =
      "{\"m.relates_to\":{\"rel_type\":\"m.thread\","
      "\"event_id\":\"" +
      root + "\"}}";
  PersistRequest rejected;
  rejected.rejected = true;
  ASSERT_TRUE(
      room_
          ->Persist(room_->Next("m.room.message", kBob, std::nullopt, content),
                    rejected)
          .ok());
  PersistRequest outlier;
  outlier.outlier = true;
  ASSERT_TRUE(room_
                  ->Persist(room_->Build("m.room.message", kBob, std::nullopt,
                                         content, {}, 1),
                            outlier)
                  .ok());
  EXPECT_TRUE(Streams(root, "", 0, Direction::kForward, 10).empty());
  RelationStore relations(*engine_);
  EXPECT_TRUE(relations.Threads(room_nid(), kEnd, 10)->empty());
}

TEST_F(RelationStoreTest, DuplicatePersistAddsNoRow) {
  std::string root = Root();
  std::string content =
      "{\"m.relates_to\":{\"rel_type\":\"m.thread\","
      "\"event_id\":\"" +
      root + "\"}}";
  testing::BuiltEvent reply =
      room_->Next("m.room.message", kBob, std::nullopt, content);
  ASSERT_TRUE(room_->Persist(reply).ok());
  auto again = room_->Persist(reply);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(Streams(root, "", 0, Direction::kForward, 10).size(), 1u);
}

TEST_F(RelationStoreTest, PromotedOutlierCountsFromItsPromotion) {
  std::string root = Root();
  std::string content =
      "{\"m.relates_to\":{\"rel_type\":\"m.thread\","
      "\"event_id\":\"" +
      root + "\"}}";
  testing::BuiltEvent reply =
      room_->Next("m.room.message", kBob, std::nullopt, content);
  PersistRequest outlier;
  outlier.outlier = true;
  ASSERT_TRUE(room_->Persist(reply, outlier).ok());
  EXPECT_TRUE(Streams(root, "", 0, Direction::kForward, 10).empty());
  auto promoted = room_->Persist(reply);
  ASSERT_TRUE(promoted.ok()) << promoted.status();
  EXPECT_EQ(Streams(root, "", 0, Direction::kForward, 10),
            (std::vector<StreamPos>{promoted->stream}));
  RelationStore relations(*engine_);
  EXPECT_EQ(relations.Threads(room_nid(), kEnd, 10)->size(), 1u);
}

}  // namespace
}  // namespace myelin::storage
