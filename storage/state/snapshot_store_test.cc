#include "storage/state/snapshot_store.h"

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "storage/events/event_store_impl.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

class SnapshotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempPath("snapshots");
    engine_ = *Engine::Open(testing::TestOptions(path_));
  }
  std::unique_ptr<SnapshotStore> NewStore(SnapshotStoreOptions options) {
    return std::make_unique<SnapshotStore>(
        *engine_, options, *LastNidIn(*engine_, Cf::kSnapshotnidSnapshot));
  }
  // Stages in one batch, commits, and returns the nid.
  SnapshotNid Commit(SnapshotStore& store, SnapshotNid parent,
                     StateDelta delta) {
    rocksdb::WriteBatch batch;
    SnapshotTxn txn;
    auto nid = store.StageDelta(1, parent, std::move(delta), txn, batch);
    EXPECT_TRUE(nid.ok()) << nid.status();
    EXPECT_TRUE(engine_->Write(batch).ok());
    store.Committed(txn);
    return *nid;
  }
  std::string path_;
  std::unique_ptr<Engine> engine_;
};

std::map<StateKeyNid, EventNid> Sorted(const StateMap& m) {
  return {m.begin(), m.end()};
}

TEST_F(SnapshotStoreTest, DeltaReadsBackAndNoOpReusesParent) {
  auto store = NewStore({});
  SnapshotNid empty = Commit(*store, 0, {});
  EXPECT_EQ((*store->Read(empty))->size(), 0u);
  SnapshotNid a = Commit(*store, empty, {{1, 10}, {2, 20}});
  SnapshotNid b = Commit(*store, a, {{2, 21}, {3, 30}, {1, 0}});
  EXPECT_EQ(Sorted(**store->Read(b)),
            (std::map<StateKeyNid, EventNid>{{2, 21}, {3, 30}}));
  EXPECT_EQ(Commit(*store, b, {{2, 21}}), b);  // changes nothing
  EXPECT_EQ(*store->Diff(a, b),
            (StateDelta{{1, 0}, {2, 21}, {3, 30}}));
  EXPECT_EQ(*store->Diff(b, a), (StateDelta{{1, 10}, {2, 20}, {3, 0}}));
  EXPECT_EQ(*store->Diff(0, a), (StateDelta{{1, 10}, {2, 20}}));
  EXPECT_TRUE(absl::IsNotFound(store->Read(999).status()));
}

TEST_F(SnapshotStoreTest, SnapshotsStagedInOneBatchBuildOnEachOther) {
  auto store = NewStore({});
  rocksdb::WriteBatch batch;
  SnapshotTxn txn;
  auto a = store->StageDelta(1, 0, {{1, 10}}, txn, batch);
  auto b = store->StageDelta(1, *a, {{2, 20}}, txn, batch);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(Sorted(**store->Read(*b, &txn)),
            (std::map<StateKeyNid, EventNid>{{1, 10}, {2, 20}}));
  EXPECT_EQ(*store->Diff(*a, *b, &txn), (StateDelta{{2, 20}}));
  ASSERT_TRUE(engine_->Write(batch).ok());
  store->Committed(txn);
  auto fresh = NewStore({});
  EXPECT_EQ(Sorted(**fresh->Read(*b)),
            (std::map<StateKeyNid, EventNid>{{1, 10}, {2, 20}}));
}

// Random snapshot trees against a plain map model, read back through a cold
// store, with the chain depth bound checked on every record.
TEST_F(SnapshotStoreTest, RandomTreesMatchModelWithBoundedChains) {
  SnapshotStoreOptions options;
  options.max_chain = 5;
  options.max_delta_fraction = 0.5;
  options.cache_entries = 500;  // small: most reads walk the chain
  auto store = NewStore(options);
  std::mt19937_64 rng(7);
  std::vector<std::pair<SnapshotNid, std::map<StateKeyNid, EventNid>>> all;
  all.push_back({Commit(*store, 0, {}), {}});
  EventNid next_event = 1;
  for (int i = 0; i < 1500; ++i) {
    // Mostly extend a recent state (a timeline), sometimes fork an old one.
    size_t pick = rng() % 4 == 0 ? rng() % all.size() : all.size() - 1;
    auto [parent, model] = all[pick];
    StateDelta delta;
    int changes = rng() % 10 == 0 ? 1 + rng() % 40 : 1 + rng() % 3;
    for (int c = 0; c < changes; ++c) {
      StateKeyNid key = 1 + rng() % 200;
      EventNid event = rng() % 6 == 0 ? 0 : next_event++;
      delta.emplace_back(key, event);
      if (event == 0) {
        model.erase(key);
      } else {
        model[key] = event;
      }
    }
    SnapshotNid nid = Commit(*store, parent, delta);
    all.push_back({nid, model});
  }
  auto cold = NewStore(options);
  uint32_t deepest = 0;
  for (const auto& [nid, model] : all) {
    auto read = cold->Read(nid);
    ASSERT_TRUE(read.ok()) << read.status();
    ASSERT_EQ(Sorted(**read), model) << "snapshot " << nid;
    if (nid != 0 && nid != all[0].first) {
      deepest = std::max(deepest, *cold->ChainDepth(nid));
    }
  }
  EXPECT_LE(deepest, options.max_chain);
  EXPECT_GE(deepest, 2u);  // deltas were used at all
  EXPECT_LE(cold->CacheEntries(), options.cache_entries);
  // Diff between random pairs equals the model's difference.
  for (int i = 0; i < 200; ++i) {
    const auto& [a, ma] = all[rng() % all.size()];
    const auto& [b, mb] = all[rng() % all.size()];
    auto diff = cold->Diff(a, b);
    ASSERT_TRUE(diff.ok());
    std::map<StateKeyNid, EventNid> applied = ma;
    for (auto [k, e] : *diff) {
      if (e == 0) {
        applied.erase(k);
      } else {
        applied[k] = e;
      }
    }
    EXPECT_EQ(applied, mb);
  }
}

TEST_F(SnapshotStoreTest, LargeDeltasFallBackToFullSnapshots) {
  SnapshotStoreOptions options;
  options.max_chain = 100;
  options.max_delta_fraction = 0.5;
  auto store = NewStore(options);
  StateDelta big;
  for (StateKeyNid k = 1; k <= 1000; ++k) big.emplace_back(k, k);
  SnapshotNid base = Commit(*store, 0, big);
  EXPECT_EQ(*store->ChainDepth(base), 0u);
  SnapshotNid small = Commit(*store, base, {{1, 5000}});
  EXPECT_EQ(*store->ChainDepth(small), 1u);
  StateDelta half;
  for (StateKeyNid k = 1; k <= 600; ++k) half.emplace_back(k, k + 10000);
  SnapshotNid rewrite = Commit(*store, small, half);
  EXPECT_EQ(*store->ChainDepth(rewrite), 0u);  // 601 > 0.5 * 1000 + 64
}

}  // namespace
}  // namespace myelin::storage
