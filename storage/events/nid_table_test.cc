#include "storage/events/nid_table.h"

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/events/event_store_impl.h"
#include "storage/keys/event_keys.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

class NidTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempPath("nid_table");
    engine_ = *Engine::Open(testing::TestOptions(path_));
  }
  std::unique_ptr<NidTable> Users(bool share = true) {
    NidTableOptions options;
    options.name = "user";
    options.forward = Cf::kUseridUsernid;
    options.reverse = Cf::kUsernidUserid;
    options.share_pending = share;
    options.cache_entries = 16;  // small: exercise the clearing
    return std::make_unique<NidTable>(
        *engine_, options, *LastNidIn(*engine_, Cf::kUsernidUserid));
  }
  std::string path_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(NidTableTest, AssignsOnceAndSurvivesReopen) {
  auto users = Users();
  rocksdb::WriteBatch batch;
  NidClaims claims;
  auto a = users->GetOrAssign(keys::IdKey::Encode("@a:x"), "@a:x", claims,
                              batch);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->created);
  EXPECT_EQ(a->nid, 1u);
  // Pending: not visible to readers, but the same nid to a writer.
  EXPECT_TRUE(absl::IsNotFound(users->Lookup(keys::IdKey::Encode("@a:x"))
                                   .status()));
  EXPECT_EQ(*users->Reverse(1), "@a:x");
  ASSERT_TRUE(engine_->Write(batch).ok());
  claims.Finish(true);
  EXPECT_EQ(*users->Lookup(keys::IdKey::Encode("@a:x")), 1u);

  auto reopened = Users();
  EXPECT_EQ(reopened->last_nid(), 1u);
  EXPECT_EQ(*reopened->Lookup(keys::IdKey::Encode("@a:x")), 1u);
  EXPECT_EQ(*reopened->Reverse(1), "@a:x");
  rocksdb::WriteBatch batch2;
  NidClaims claims2;
  auto again = reopened->GetOrAssign(keys::IdKey::Encode("@a:x"), "@a:x",
                                     claims2, batch2);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->nid, 1u);
  EXPECT_EQ(batch2.Count(), 0u);
}

TEST_F(NidTableTest, AbandonedAssignmentIsForgotten) {
  auto users = Users();
  {
    rocksdb::WriteBatch batch;
    NidClaims claims;
    ASSERT_TRUE(
        users->GetOrAssign(keys::IdKey::Encode("@a:x"), "@a:x", claims, batch)
            .ok());
  }  // never written: the destructor releases the claim as failed
  rocksdb::WriteBatch batch;
  NidClaims claims;
  auto a = users->GetOrAssign(keys::IdKey::Encode("@a:x"), "@a:x", claims,
                              batch);
  EXPECT_TRUE(a->created);
  EXPECT_EQ(a->nid, 2u);  // 1 is never reused
}

TEST_F(NidTableTest, SharedPendingSurvivesWhenOnlyOneHolderCommits) {
  auto users = Users();
  rocksdb::WriteBatch b1, b2;
  NidClaims c1, c2;
  auto first = users->GetOrAssign(keys::IdKey::Encode("@a:x"), "@a:x", c1, b1);
  auto second = users->GetOrAssign(keys::IdKey::Encode("@a:x"), "@a:x", c2, b2);
  EXPECT_EQ(first->nid, second->nid);
  c1.Finish(false);  // the first writer failed
  ASSERT_TRUE(engine_->Write(b2).ok());
  c2.Finish(true);
  EXPECT_EQ(*users->Lookup(keys::IdKey::Encode("@a:x")), first->nid);
}

TEST_F(NidTableTest, UnsharedPendingIsAnError) {
  auto events = Users(/*share=*/false);
  rocksdb::WriteBatch b1, b2;
  NidClaims c1, c2;
  ASSERT_TRUE(events->GetOrAssign("k", "k", c1, b1).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(
      events->GetOrAssign("k", "k", c2, b2).status()));
}

// Many writers, overlapping ids, random failures: every id that reached the
// database has exactly one nid, and both directions agree.
TEST_F(NidTableTest, ConcurrentWritersAgreeOnOneNidPerId) {
  auto users = Users();
  constexpr int kThreads = 6, kRounds = 300, kIds = 40;
  absl::Mutex mu;
  absl::flat_hash_map<std::string, absl::flat_hash_set<uint64_t>> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int r = 0; r < kRounds; ++r) {
        rocksdb::WriteBatch batch;
        NidClaims claims;
        std::vector<std::pair<std::string, uint64_t>> got;
        for (int k = 0; k < 3; ++k) {
          std::string id = "@u" + std::to_string(rng() % kIds) + ":x";
          auto a = users->GetOrAssign(keys::IdKey::Encode(id), id, claims,
                                      batch);
          ASSERT_TRUE(a.ok());
          got.emplace_back(id, a->nid);
        }
        bool commit = rng() % 4 != 0;
        if (rng() % 3 == 0) std::this_thread::yield();
        if (commit) ASSERT_TRUE(engine_->Write(batch).ok());
        claims.Finish(commit);
        if (commit) {
          absl::MutexLock lock(&mu);
          for (auto& [id, nid] : got) seen[id].insert(nid);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto fresh = Users();
  absl::flat_hash_set<uint64_t> nids;
  for (auto& [id, set] : seen) {
    EXPECT_EQ(set.size(), 1u) << id;
    uint64_t nid = *set.begin();
    EXPECT_EQ(*fresh->Lookup(keys::IdKey::Encode(id)), nid);
    EXPECT_EQ(*fresh->Reverse(nid), id);
    EXPECT_TRUE(nids.insert(nid).second) << "nid " << nid << " reused";
  }
}

}  // namespace
}  // namespace myelin::storage
